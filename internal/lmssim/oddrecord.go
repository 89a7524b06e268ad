package lmssim

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
)

// oddValue is what FaultOddRecord puts in the field it changes: an object,
// which no vendor's document allows for a scalar field.
var oddValue = json.RawMessage(`{"odd":true}`)

// idKeys are the fields FaultOddRecord leaves alone, so that the client
// can still name the record it skips.
var idKeys = map[string]bool{"id": true, "identifier": true}

// serveOddRecord lets v handle r, then sends v's answer with one field of
// the first record of its list (a top-level array, or the first array of
// objects in the top-level object, such as "items" or "users") changed
// into an object: the first scalar field in key order that is not an id.
// An answer with no list of records is sent unchanged.
func serveOddRecord(v Vendor, w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	v.ServeHTTP(rec, r)
	for k, vals := range rec.Header() {
		w.Header()[k] = vals
	}
	body := oddFirstRecord(rec.Body.Bytes())
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// oddFirstRecord returns body with its first record's field changed, or
// body itself when it has no list of records.
func oddFirstRecord(body []byte) []byte {
	var list []json.RawMessage
	if json.Unmarshal(body, &list) == nil {
		if !oddRecordOf(list) {
			return body
		}
		return marshalOr(list, body)
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return body
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if json.Unmarshal(obj[k], &list) == nil && oddRecordOf(list) {
			obj[k] = marshalOr(list, obj[k])
			return marshalOr(obj, body)
		}
	}
	return body
}

// oddRecordOf changes the first record of list, if it is an object with a
// scalar field that is not an id; it reports whether it did.
func oddRecordOf(list []json.RawMessage) bool {
	if len(list) == 0 {
		return false
	}
	var first map[string]json.RawMessage
	if json.Unmarshal(list[0], &first) != nil || first == nil {
		return false
	}
	for _, k := range slices.Sorted(maps.Keys(first)) {
		v := bytes.TrimSpace(first[k])
		if idKeys[k] || len(v) == 0 || v[0] == '{' || v[0] == '[' || v[0] == 'n' {
			continue
		}
		first[k] = oddValue
		list[0] = marshalOr(first, list[0])
		return true
	}
	return false
}

// marshalOr returns v as JSON, or fallback if it does not marshal.
func marshalOr(v any, fallback []byte) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return fallback
	}
	return b
}
