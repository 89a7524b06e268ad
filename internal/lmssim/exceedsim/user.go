package exceedsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"
)

// Layouts of dates and datetimes.
const (
	dateLayout     = "2006-01-02"
	dateTimeLayout = "2006-01-02 15:04:05"
	// deletedAtLayout is the document's deleted_at format, 2019-05-07T10:54:45.669-04:00.
	deletedAtLayout = "2006-01-02T15:04:05.000Z07:00"
)

// A User is one Exceed user as the simulator stores it. Its JSON form is the
// vendor's flat attribute object ({"id": 5, "first_name": "tim", "custom_a":
// ...}), as in seeds and GET /_sim/exceed/state. Decoding from JSON or YAML
// defaults is_active to true and authority to "student"; a User built in Go
// gets what it says.
type User struct {
	// ID is the vendor's numeric id; 0 in a seed means "assign the next one".
	ID int64
	// AccountID is the account's id; the simulator sets it to Seed.AccountID.
	AccountID int64
	// Code is the caller-chosen key (unique, case-insensitive); empty means none.
	Code string
	// Login is the sign-in name (required, unique, case-insensitive).
	Login string
	// Password is stored and returned as given, as the document's examples show.
	Password string
	// Email is unique (case-insensitive) when set.
	Email string
	// FirstName and LastName are required, at most 100 characters each.
	FirstName string
	LastName  string
	// FullName is first_name + " " + last_name, kept up to date by the API.
	FullName string
	// Authority is the user's role ("student" for users made by the API).
	Authority string
	// IsActive is false for a deactivated user.
	IsActive bool
	// IsInstructor, IsAccountOwner and IsPassResetRequired are the
	// document's flags of the same names.
	IsInstructor        bool
	IsAccountOwner      bool
	IsPassResetRequired bool
	// Attributes holds every other documented attribute by its vendor name
	// (custom_a to custom_u, city, hired_on, manager_id, ...), as strings.
	Attributes map[string]string
	// CreatedOn and UpdatedOn are set by the simulator.
	CreatedOn time.Time
	UpdatedOn time.Time
}

// clone returns a deep copy of u.
func (u *User) clone() User {
	c := *u
	c.Attributes = maps.Clone(u.Attributes)
	return c
}

// strField returns the typed string field holding name, or nil.
func (u *User) strField(name string) *string {
	switch name {
	case "code":
		return &u.Code
	case "login":
		return &u.Login
	case "password":
		return &u.Password
	case "email":
		return &u.Email
	case "first_name":
		return &u.FirstName
	case "last_name":
		return &u.LastName
	case "full_name":
		return &u.FullName
	case "authority":
		return &u.Authority
	}
	return nil
}

// boolField returns the typed bool field holding name, or nil.
func (u *User) boolField(name string) *bool {
	switch name {
	case "is_active":
		return &u.IsActive
	case "is_instructor":
		return &u.IsInstructor
	case "is_account_owner":
		return &u.IsAccountOwner
	case "is_pass_reset_required":
		return &u.IsPassResetRequired
	}
	return nil
}

// timeField returns the typed time field holding name, or nil.
func (u *User) timeField(name string) *time.Time {
	switch name {
	case "created_on":
		return &u.CreatedOn
	case "updated_on":
		return &u.UpdatedOn
	}
	return nil
}

// intField returns the typed int field holding name, or nil.
func (u *User) intField(name string) *int64 {
	switch name {
	case "id":
		return &u.ID
	case "account_id":
		return &u.AccountID
	}
	return nil
}

// set sets the named attribute from its string form; "" clears it.
func (u *User) set(name, value string) error {
	k, ok := kindOf(name)
	if !ok {
		return fmt.Errorf("unknown attribute %q", name)
	}
	if err := checkKind(k, value); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	switch {
	case u.strField(name) != nil:
		*u.strField(name) = value
	case u.boolField(name) != nil:
		*u.boolField(name) = parseBool(value)
	case u.timeField(name) != nil:
		*u.timeField(name), _ = parseTime(value)
	case u.intField(name) != nil:
		*u.intField(name), _ = strconv.ParseInt(value, 10, 64)
	default:
		u.setAttribute(name, normalize(k, value))
	}
	return nil
}

// normalize returns the canonical string form of a valid value of kind k.
func normalize(k kind, value string) string {
	if value == "" {
		return ""
	}
	switch k {
	case kindBool:
		return strconv.FormatBool(parseBool(value))
	case kindInt:
		n, _ := strconv.ParseInt(value, 10, 64)
		return strconv.FormatInt(n, 10)
	case kindDateTime:
		t, _ := parseTime(value)
		return formatTime(t)
	}
	return value
}

// setAttribute sets or clears an entry of u.Attributes.
func (u *User) setAttribute(name, value string) {
	if value == "" {
		delete(u.Attributes, name)
		return
	}
	if u.Attributes == nil {
		u.Attributes = map[string]string{}
	}
	u.Attributes[name] = value
}

// checkKind reports whether value is a valid string form of kind k.
func checkKind(k kind, value string) error {
	if value == "" {
		return nil
	}
	var err error
	switch k {
	case kindInt:
		_, err = strconv.ParseInt(value, 10, 64)
	case kindDate:
		_, err = time.Parse(dateLayout, value)
	case kindDateTime:
		_, err = parseTime(value)
	}
	if err != nil {
		return fmt.Errorf("%q is not a valid value", value)
	}
	return nil
}

// parseBool reads a boolean as Rails does: "", "0", "f", "false", "off" and
// "no" (any case) are false; anything else is true.
func parseBool(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "f", "false", "off", "no":
		return false
	}
	return true
}

// parseTime reads an RFC 3339 datetime, a "YYYY-MM-DD HH:MM:SS" one (UTC) or a date.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, dateTimeLayout, dateLayout} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date or datetime", s)
}

// get returns the named attribute in its string form ("" when unset).
func (u *User) get(name string) string {
	switch {
	case u.strField(name) != nil:
		return *u.strField(name)
	case u.boolField(name) != nil:
		return strconv.FormatBool(*u.boolField(name))
	case u.timeField(name) != nil:
		return formatTime(*u.timeField(name))
	case u.intField(name) != nil:
		return strconv.FormatInt(*u.intField(name), 10)
	}
	return u.Attributes[name]
}

// formatTime writes t as RFC 3339 in UTC, or "" for the zero time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// wireValue returns the named attribute as the API writes it in JSON:
// numbers and booleans typed, unset values null.
func (u *User) wireValue(name string) any {
	v := u.get(name)
	k, _ := kindOf(name)
	if k == kindBool {
		return v == "true"
	}
	if v == "" {
		return nil
	}
	if k == kindInt {
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return v
}

// wire returns every attribute of u as the API writes it.
func (u *User) wire() map[string]any {
	out := map[string]any{}
	for _, name := range attributeNames() {
		out[name] = u.wireValue(name)
	}
	return out
}

// MarshalJSON writes u as the vendor's flat attribute object.
func (u User) MarshalJSON() ([]byte, error) {
	return json.Marshal(u.wire())
}

// UnmarshalJSON reads u from a flat attribute object. Unknown attributes and
// values of the wrong type are errors; is_active defaults to true and
// authority to "student".
func (u *User) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("decode Exceed user: %w", err)
	}
	v := User{IsActive: true, Authority: "student"}
	for name, msg := range raw {
		s, err := scalarString(msg)
		if err != nil {
			return fmt.Errorf("decode Exceed user: %s: %w", name, err)
		}
		if err := v.set(name, s); err != nil {
			return fmt.Errorf("decode Exceed user: %w", err)
		}
	}
	*u = v
	return nil
}

// scalarString returns a JSON scalar's string form: strings as they are,
// numbers as written, booleans as "true"/"false" and null as "".
func scalarString(msg json.RawMessage) (string, error) {
	msg = bytes.TrimSpace(msg)
	switch {
	case len(msg) == 0:
		return "", fmt.Errorf("empty value")
	case msg[0] == '"':
		var s string
		err := json.Unmarshal(msg, &s)
		return s, err
	case bytes.Equal(msg, []byte("null")):
		return "", nil
	case msg[0] == '{' || msg[0] == '[':
		return "", fmt.Errorf("want a string, number or boolean, not an object or array")
	}
	var n json.Number
	if err := json.Unmarshal(msg, &n); err == nil {
		return n.String(), nil
	}
	var b bool
	if err := json.Unmarshal(msg, &b); err != nil {
		return "", fmt.Errorf("invalid JSON value %s", msg)
	}
	return strconv.FormatBool(b), nil
}
