package lms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// maxRecordID bounds the length of a skipped record's reported id.
const maxRecordID = 128

// reasonUnreadable is the reason of a record whose fault cannot be named.
const reasonUnreadable = "the record could not be read"

// A RecordError says why one record of a list answer cannot be read, in
// words that carry none of the record's values: the field at fault, what
// it held (a JSON kind) and what was expected, or a Reason.
type RecordError struct {
	// Field is the record's field at fault; empty for the whole record.
	Field string
	// Got is the JSON kind the field held ("a string"); DecodeRecords fills
	// it from the record when empty.
	Got string
	// Want is what the field should hold ("a boolean").
	Want string
	// Reason says what was wrong when Got and Want do not.
	Reason string
}

// Error implements error.
func (e *RecordError) Error() string {
	switch {
	case e.Field == "":
		return e.Reason
	case e.Reason != "":
		return fmt.Sprintf("field %q: %s", e.Field, e.Reason)
	case e.Want == "":
		return fmt.Sprintf("field %q: %s that could not be read", e.Field, or(e.Got, "a value"))
	}
	return fmt.Sprintf("field %q: %s where %s was expected", e.Field, or(e.Got, "a value"), e.Want)
}

// or returns s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// DecodeRecords decodes each record of a list answer on its own with
// decode. A record decode refuses is left out and reported as a
// SkippedRecord: its idKey field when readable, and the reason.
func DecodeRecords[T any](records []json.RawMessage, idKey string, decode func(json.RawMessage) (T, error)) ([]T, []SkippedRecord) {
	var out []T
	var skipped []SkippedRecord
	for _, r := range records {
		v, err := decode(r)
		if err != nil {
			skipped = append(skipped, SkippedRecord{ID: RecordID(r, idKey), Reason: RecordReason(r, err)})
			continue
		}
		out = append(out, v)
	}
	return out, skipped
}

// DecodeRecord decodes record as a T with encoding/json. On failure the
// error is a *RecordError naming the top-level field at fault, found by
// decoding the record's fields one at a time.
func DecodeRecord[T any](record json.RawMessage) (T, error) {
	var v T
	err := json.Unmarshal(record, &v)
	if err == nil {
		return v, nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(record, &fields) != nil || fields == nil {
		return v, &RecordError{Reason: "the record is " + jsonKind(record) + " where an object was expected"}
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		one, _ := json.Marshal(map[string]json.RawMessage{k: fields[k]}) // raw JSON re-marshals
		var probe T
		if ferr := json.Unmarshal(one, &probe); ferr != nil {
			e := fieldError(k, fields[k], ferr)
			if e.Want == "" && e.Reason == "" {
				e.Want = fieldKind(reflect.TypeFor[T](), k)
			}
			return v, e
		}
	}
	return v, &RecordError{Reason: reasonUnreadable}
}

// fieldError is the RecordError of field k, which holds raw and failed with err.
func fieldError(k string, raw json.RawMessage, err error) *RecordError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Type != nil {
		return &RecordError{Field: k, Got: article(te.Value), Want: goKind(te.Type)}
	}
	var re *RecordError
	if errors.As(err, &re) {
		return &RecordError{Field: k, Got: jsonKind(raw), Want: re.Want, Reason: re.Reason}
	}
	return &RecordError{Field: k, Got: jsonKind(raw)}
}

// fieldKind names what the field of struct type t that JSON key k decodes
// into expects, or "" when t has no such field.
func fieldKind(t reflect.Type, k string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return ""
	}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if strings.EqualFold(or(name, f.Name), k) {
			return goKind(f.Type)
		}
	}
	return ""
}

// RecordReason is the reason a record that failed with err is skipped. It
// never quotes the record's values.
func RecordReason(record json.RawMessage, err error) string {
	var re *RecordError
	if errors.As(err, &re) {
		if re.Field != "" && re.Got == "" {
			var fields map[string]json.RawMessage
			if json.Unmarshal(record, &fields) == nil {
				if raw, ok := fields[re.Field]; ok {
					c := *re
					c.Got = jsonKind(raw)
					return c.Error()
				}
			}
		}
		return re.Error()
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Type != nil && te.Field != "" {
		return (&RecordError{Field: te.Field, Got: article(te.Value), Want: goKind(te.Type)}).Error()
	}
	return reasonUnreadable
}

// RecordID returns the record's idKey field when it is a string or a
// number, else "".
func RecordID(record json.RawMessage, idKey string) string {
	var fields map[string]json.RawMessage
	if idKey == "" || json.Unmarshal(record, &fields) != nil {
		return ""
	}
	d := json.NewDecoder(bytes.NewReader(fields[idKey]))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return ""
	}
	var id string
	switch v := v.(type) {
	case string:
		id = strings.TrimSpace(v)
	case json.Number:
		id = v.String()
	}
	if len(id) > maxRecordID {
		return ""
	}
	return id
}

// jsonKind names the kind of a JSON value: "a string", "an object", ...
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// article names a json.UnmarshalTypeError's Value ("string", "bool",
// "number 1.5") as jsonKind does.
func article(value string) string {
	kind, _, _ := strings.Cut(value, " ")
	switch kind {
	case "bool":
		return "a boolean"
	case "array", "object":
		return "an " + kind
	case "string", "number":
		return "a " + kind
	}
	return "a value"
}

// goKind names what a Go type expects: "a boolean", "a number", ...
func goKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "a value of another type"
}
