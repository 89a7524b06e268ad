package exceed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// userBody is the JSON body of create and update: {"user": {...}}.
type userBody struct {
	User map[string]any `json:"user"`
}

// userDTO is a user as the API answers it, reduced to what the adapter reads.
type userDTO struct {
	ID        int64
	Code      string
	Email     string
	FirstName string
	LastName  string
	Login     string
	// IsActive is true when the answer says so.
	IsActive bool
	// Custom holds the non-empty custom_a to custom_u values.
	Custom map[string]string
	// Unobserved names what the answer did not carry: is_active (absent or
	// null), the custom fields (none of custom_a to custom_u), and always
	// the role (authority is neither requested nor mapped).
	Unobserved lms.UserFields
}

// Limits of the reason decoder, against hostile or broken bodies.
const (
	maxReasons     = 20
	maxReasonLen   = 300
	maxReasonDepth = 4
)

// errNoID is the decode error of a user object without a positive id.
var errNoID = &lms.RecordError{Reason: "user has no positive id"}

// wantScalar is what a user's text attributes hold.
const wantScalar = "a string, a number or a boolean"

// fieldError is the error of attribute name, which should hold want: a
// *lms.RecordError (so that a list skips the record with this reason)
// wrapping err, which quotes none of the attribute's value.
func fieldError(name, want string, err error) error {
	return fmt.Errorf("%w (%w)", &lms.RecordError{Field: name, Want: want}, err)
}

// decodeUsers decodes a list answer: a JSON array of user objects, each
// bare (as the document's example) or wrapped as {"user": {...}}.
func decodeUsers(body []byte) ([]userDTO, error) {
	raw, err := decodeRecords(body)
	if err != nil {
		return nil, err
	}
	return decodeAll(raw)
}

// decodeRecords splits a list answer into its records, left undecoded.
func decodeRecords(body []byte) ([]json.RawMessage, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("decode user list: %w", err)
	}
	return raw, nil
}

// decodeAll decodes every record; the first that cannot be read fails all.
func decodeAll(raw []json.RawMessage) ([]userDTO, error) {
	out := make([]userDTO, 0, len(raw))
	for i, item := range raw {
		u, err := decodeUser(item, false)
		if err != nil {
			return nil, fmt.Errorf("decode user list: item %d: %w", i, err)
		}
		out = append(out, u)
	}
	return out, nil
}

// decodeUser decodes one user object: JSON, bare or wrapped as
// {"user": {...}}, or, when asXML, the document's <user> XML. Unknown
// attributes (password among them) are ignored.
func decodeUser(body []byte, asXML bool) (userDTO, error) {
	obj, err := userObject(body)
	if asXML {
		obj, err = xmlUserObject(body)
	}
	if err != nil {
		return userDTO{}, err
	}
	u := userDTO{Unobserved: lms.FieldRole}
	if u.ID, err = idOf(obj["id"]); err != nil {
		return userDTO{}, err
	}
	for name, dst := range map[string]*string{"code": &u.Code, "email": &u.Email,
		"first_name": &u.FirstName, "last_name": &u.LastName, "login": &u.Login} {
		if *dst, err = scalar(obj[name]); err != nil {
			return userDTO{}, fmt.Errorf("decode user: %w", fieldError(name, wantScalar, err))
		}
	}
	if u.IsActive, err = boolOf(obj["is_active"]); err != nil {
		return userDTO{}, fmt.Errorf("decode user: %w", fieldError("is_active", "a boolean", err))
	}
	u.Unobserved |= unobserved(obj)
	u.Custom, err = customOf(obj)
	return u, err
}

// unobserved names the optional fields obj does not carry: is_active
// (absent or null) and the custom fields (none of custom_a to custom_u).
func unobserved(obj map[string]json.RawMessage) lms.UserFields {
	var out lms.UserFields
	if v, ok := obj["is_active"]; !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		out |= lms.FieldActive
	}
	out |= lms.FieldCustomFields
	for name := range obj {
		if isCustomField(name) {
			return out &^ lms.FieldCustomFields
		}
	}
	return out
}

// userObject returns the attributes of a user object, unwrapping {"user": {...}}.
func userObject(body []byte) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, fmt.Errorf("decode user: %w", err)
	}
	if obj == nil {
		return nil, fmt.Errorf("decode user: null")
	}
	if inner, ok := obj["user"]; ok && len(obj) == 1 {
		return userObject(inner)
	}
	return obj, nil
}

// idOf reads a positive id, given as a JSON number or a numeric string.
func idOf(msg json.RawMessage) (int64, error) {
	s, err := scalar(msg)
	if err != nil {
		return 0, fmt.Errorf("decode user: %w", fieldError("id", "a number", err))
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errNoID
	}
	return id, nil
}

// boolOf reads a boolean given as true/false, "true"/"false", "1"/"0" or
// 1/0; absent or null is false (and unobserved: see unobserved).
func boolOf(msg json.RawMessage) (bool, error) {
	s, err := scalar(msg)
	if err != nil {
		return false, err
	}
	switch strings.ToLower(s) {
	case "true", "1", "t":
		return true, nil
	case "", "false", "0", "f":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean")
}

// customOf returns the non-empty custom_a to custom_u values of obj, or nil.
func customOf(obj map[string]json.RawMessage) (map[string]string, error) {
	var out map[string]string
	for name, msg := range obj {
		if !isCustomField(name) {
			continue
		}
		v, err := scalar(msg)
		if err != nil {
			return nil, fmt.Errorf("decode user: %w", fieldError(name, wantScalar, err))
		}
		if v == "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[name] = v
	}
	return out, nil
}

// scalar returns a JSON scalar's string form: a string as it is, a number
// as written, a boolean as "true"/"false"; absent and null are "".
func scalar(msg json.RawMessage) (string, error) {
	msg = bytes.TrimSpace(msg)
	if len(msg) == 0 || bytes.Equal(msg, []byte("null")) {
		return "", nil
	}
	switch msg[0] {
	case '"':
		var s string
		err := json.Unmarshal(msg, &s)
		return s, err
	case '{', '[':
		return "", fmt.Errorf("want a string, number or boolean")
	case 't', 'f':
		var b bool
		if err := json.Unmarshal(msg, &b); err != nil {
			return "", err
		}
		return strconv.FormatBool(b), nil
	}
	var n json.Number
	if err := json.Unmarshal(msg, &n); err != nil {
		return "", err
	}
	return n.String(), nil
}

// decodeReasons reads the reasons of an error answer. The document says only
// "a list of error reasons in JSON or XML format", so it accepts the shapes
// Rails applications write: {"errors": [...]}, a bare list of strings, a
// list of [attribute, message] pairs, an {attribute: [messages]} object,
// {"error": "..."} or {"message": "..."}, and, when asXML,
// <errors><error>...</error></errors>. It returns nil for anything else,
// and at most maxReasons reasons of at most maxReasonLen bytes.
func decodeReasons(body []byte, asXML bool) []string {
	if asXML {
		return xmlReasons(body)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil
	}
	var out []string
	collectReasons(v, "", 0, &out)
	return out
}

// collectReasons adds the reasons found in v to out; field is the attribute
// the reasons are about, if known.
func collectReasons(v any, field string, depth int, out *[]string) {
	if depth > maxReasonDepth || len(*out) >= maxReasons {
		return
	}
	switch v := v.(type) {
	case string:
		addReason(out, field, v)
	case []any:
		collectList(v, field, depth, out)
	case map[string]any:
		collectObject(v, depth, out)
	}
}

// collectList adds the reasons of a JSON array: strings, [attribute,
// message] pairs, or nested objects.
func collectList(list []any, field string, depth int, out *[]string) {
	if len(list) == 2 && field == "" {
		attr, ok1 := list[0].(string)
		msg, ok2 := list[1].(string)
		if ok1 && ok2 && isAttributeName(attr) {
			addReason(out, attr, msg)
			return
		}
	}
	for _, item := range list {
		collectReasons(item, field, depth+1, out)
	}
}

// collectObject adds the reasons of a JSON object: its "errors", "error" or
// "message" member, else every member as attribute: messages.
func collectObject(obj map[string]any, depth int, out *[]string) {
	for _, key := range []string{"errors", "error", "message"} {
		if v, ok := obj[key]; ok {
			collectReasons(v, "", depth+1, out)
			return
		}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		collectReasons(obj[k], k, depth+1, out)
	}
}

// addReason appends "Attribute message" (or the message alone) to out.
func addReason(out *[]string, field, msg string) {
	msg = strings.TrimSpace(msg)
	if msg == "" || len(*out) >= maxReasons {
		return
	}
	if field != "" && field != "base" {
		msg = humanize(field) + " " + msg
	}
	*out = append(*out, truncate(msg, maxReasonLen))
}

// isAttributeName reports whether s looks like an attribute name
// ("first_name"), not a sentence.
func isAttributeName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r != '_' && !unicode.IsLower(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// humanize writes an attribute name as Rails' messages do: "first_name"
// becomes "First name".
func humanize(name string) string {
	s := []rune(strings.ReplaceAll(name, "_", " "))
	s[0] = unicode.ToUpper(s[0])
	return string(s)
}

// isCustomField reports whether name is one of custom_a to custom_u.
func isCustomField(name string) bool {
	return len(name) == len("custom_a") && strings.HasPrefix(name, "custom_") &&
		name[7] >= 'a' && name[7] <= 'u'
}
