package eleap

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The DTOs below decode eLeaP's answers leniently: the document shows ids
// and codes both as strings and as numbers, "active" as 1/0 or "yes"/"no",
// and lists both as arrays and as a bare object (the "Courses list" example).

// envelope is the "response" object every answer carries.
type envelope struct {
	Response *status `json:"response"`
}

// status is the answer's outcome: success codes are strings ("200"), fail
// codes numbers (4011).
type status struct {
	Status  string     `json:"status"`
	Code    flexString `json:"code"`
	Message flexString `json:"message"`
}

// userDTO is a user as users/, users/get and */assigned_users answer it.
// AccessLevel, Active and CustomFields are nil when the answer has none
// (the document's examples carry no active and no custom_fields).
type userDTO struct {
	ID           flexString   `json:"id"`
	AccessLevel  *flexInt     `json:"access_level"`
	FirstName    flexString   `json:"first_name"`
	MiddleName   flexString   `json:"middle_name"`
	LastName     flexString   `json:"last_name"`
	Email        flexString   `json:"email"`
	Description  flexString   `json:"description"`
	Active       *flexBool    `json:"active"`
	CustomFields customFields `json:"custom_fields"`
	Created      flexString   `json:"created"`
}

// usersAnswer is the answer of users/ and */assigned_users.
type usersAnswer struct {
	Users list[userDTO] `json:"users"`
}

// userAnswer is the answer of users/get and users/find: a one-element list.
type userAnswer struct {
	User list[userDTO] `json:"user"`
}

// addAnswer is the answer of an add call: usergroups/add carries the new
// id (documented); users/add answers the bare envelope as documented, and
// may carry the id, or the new user, as eLeaP's other answers do.
type addAnswer struct {
	ID   flexString    `json:"id"`
	User list[userDTO] `json:"user"`
}

// groupDTO is a user group.
type groupDTO struct {
	ID          flexString `json:"id"`
	Name        flexString `json:"name"`
	Description flexString `json:"description"`
	Active      flexBool   `json:"active"`
}

// groupsAnswer is the answer of usergroups/ and */assigned_user_groups.
type groupsAnswer struct {
	UserGroups list[groupDTO] `json:"usergroups"`
}

// groupAnswer is the answer of usergroups/find.
type groupAnswer struct {
	UserGroup list[groupDTO] `json:"usergroup"`
}

// targetDTO is a course or a learning path. Courses carry their deadline:
// deadline is "date" (deadline_date) or "relative" (deadline_relative
// deadline_relative_unit, "days" or "months", after the assignment).
type targetDTO struct {
	ID                   flexString `json:"id"`
	Name                 flexString `json:"name"`
	Active               flexBool   `json:"active"`
	Deadline             flexString `json:"deadline"`
	DeadlineDate         flexString `json:"deadline_date"`
	DeadlineRelative     flexString `json:"deadline_relative"`
	DeadlineRelativeUnit flexString `json:"deadline_relative_unit"`
}

// coursesAnswer is the answer of courses/ and learning_paths/assigned_courses.
type coursesAnswer struct {
	Courses list[targetDTO] `json:"courses"`
}

// pathsAnswer is the answer of learning_paths/.
type pathsAnswer struct {
	LearningPaths list[targetDTO] `json:"learning_paths"`
}

// completionDTO is one entry of users/recent_completions (not documented;
// the names follow the simulator and eLeaP's argument names).
type completionDTO struct {
	IDUser    flexString `json:"id_user"`
	Email     flexString `json:"email"`
	IDCourse  flexString `json:"id_course"`
	Completed flexString `json:"completed"`
	Score     flexFloat  `json:"score"`
}

// completionsAnswer is the answer of users/recent_completions.
type completionsAnswer struct {
	Completions list[completionDTO] `json:"completions"`
}

// activityDTO is a user's status in a course (users/activity; not documented).
type activityDTO struct {
	IDCourse  flexString `json:"id_course"`
	Status    flexString `json:"status"`
	Progress  flexInt    `json:"progress"`
	Score     flexFloat  `json:"score"`
	Completed flexString `json:"completed"`
}

// activityAnswer is the answer of users/activity.
type activityAnswer struct {
	Activity list[activityDTO] `json:"activity"`
}

// errNotScalar is returned when a scalar field holds an object or array.
var errNotScalar = errors.New("not a string, number or boolean")

// flexString is a string sent as a string, a number, a boolean or null.
type flexString string

// UnmarshalJSON implements json.Unmarshaler. It reads the one scalar b
// holds without a json.Decoder: users/ answers carry a dozen of these per
// user, and a decoder's buffer for each was most of what reading 10,000
// users allocated.
func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return fmt.Errorf("flexString: %w", io.ErrUnexpectedEOF)
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
	case string(b) == "null":
		*s = ""
	case string(b) == "true", string(b) == "false":
		*s = flexString(b)
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		if !json.Valid(b) {
			return fmt.Errorf("flexString: %q is not a number", b)
		}
		*s = flexString(b) // a number as its literal, as json.Number keeps it
	default:
		return fmt.Errorf("flexString: %w", errNotScalar)
	}
	return nil
}

// flexInt is an integer sent as a number or a numeric string; "" and null are 0.
type flexInt int

// UnmarshalJSON implements json.Unmarshaler.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	f, err := parseNumber(string(s))
	if err != nil {
		return fmt.Errorf("flexInt: %w", err)
	}
	*n = flexInt(f)
	return nil
}

// flexFloat is an optional number sent as a number or a numeric string; ""
// and null leave it unset.
type flexFloat struct {
	Value float64
	Set   bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (x *flexFloat) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if strings.TrimSpace(string(s)) == "" {
		*x = flexFloat{}
		return nil
	}
	f, err := parseNumber(string(s))
	if err != nil {
		return fmt.Errorf("flexFloat: %w", err)
	}
	*x = flexFloat{Value: f, Set: true}
	return nil
}

// ptr returns the value, or nil when unset.
func (x flexFloat) ptr() *float64 {
	if !x.Set {
		return nil
	}
	v := x.Value
	return &v
}

// parseNumber parses a finite number; "" is 0.
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f || f > 1e15 || f < -1e15 {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return f, nil
}

// flexBool is a boolean sent as true/false, 1/0, "1"/"0", "yes"/"no" or
// "active"/"inactive"; null and "" are false.
type flexBool bool

// UnmarshalJSON implements json.Unmarshaler.
func (x *flexBool) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	switch strings.ToLower(strings.TrimSpace(string(s))) {
	case "1", "true", "yes", "y", "active", "on":
		*x = true
	case "", "0", "false", "no", "n", "inactive", "off":
		*x = false
	default:
		return fmt.Errorf("flexBool: %q is not a boolean", string(s))
	}
	return nil
}

// customFields are a user's custom field values: an object, or [] when
// empty (PHP), or a list of {"name","value"} objects. Values are stringified.
type customFields map[string]string

// UnmarshalJSON implements json.Unmarshaler.
func (c *customFields) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		return c.unmarshalList(b)
	}
	var m map[string]flexString
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("custom_fields: %w", err)
	}
	*c = customFields{}
	for k, v := range m {
		(*c)[k] = string(v)
	}
	return nil
}

// unmarshalList reads custom fields sent as a list of name/value objects.
func (c *customFields) unmarshalList(b []byte) error {
	var items []struct {
		Name  flexString `json:"name"`
		Value flexString `json:"value"`
	}
	if err := json.Unmarshal(b, &items); err != nil {
		return fmt.Errorf("custom_fields: %w", err)
	}
	*c = customFields{}
	for _, it := range items {
		if it.Name != "" {
			(*c)[string(it.Name)] = string(it.Value)
		}
	}
	return nil
}

// list is a list sent as an array, as a single bare object, as an object
// keyed by id, or as null or false (empty).
type list[T any] []T

// UnmarshalJSON implements json.Unmarshaler.
func (l *list[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0, bytes.Equal(b, []byte("null")), bytes.Equal(b, []byte("false")), bytes.Equal(b, []byte(`""`)):
		*l = nil
		return nil
	case b[0] == '[':
		var xs []T
		err := json.Unmarshal(b, &xs)
		*l = xs
		return err
	case b[0] == '{':
		return l.unmarshalObject(b)
	}
	return fmt.Errorf("list: want an array or an object, got %.20q", b)
}

// unmarshalObject reads an object that is either one element or a map of
// elements by key (when every value is an object, or it is no element).
func (l *list[T]) unmarshalObject(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if len(m) == 0 {
		*l = nil
		return nil
	}
	var one T
	if !allObjects(m) && json.Unmarshal(b, &one) == nil {
		*l = list[T]{one}
		return nil
	}
	return l.unmarshalMap(m)
}

// unmarshalMap reads the values of m as elements, in key order.
func (l *list[T]) unmarshalMap(m map[string]json.RawMessage) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareKeys)
	out := make(list[T], 0, len(m))
	for _, k := range keys {
		var x T
		if err := json.Unmarshal(m[k], &x); err != nil {
			return fmt.Errorf("list element %q: %w", k, err)
		}
		out = append(out, x)
	}
	*l = out
	return nil
}

// allObjects reports whether every value of m is a JSON object.
func allObjects(m map[string]json.RawMessage) bool {
	for _, v := range m {
		v = bytes.TrimSpace(v)
		if len(v) == 0 || v[0] != '{' {
			return false
		}
	}
	return true
}

// compareKeys orders numeric keys numerically, then the rest as strings.
func compareKeys(a, b string) int {
	x, errA := strconv.Atoi(a)
	y, errB := strconv.Atoi(b)
	if errA == nil && errB == nil && x != y {
		return cmp.Compare(x, y)
	}
	return strings.Compare(a, b)
}

// timeLayout is eLeaP's timestamp format ("2011-01-31 09:41:30").
const timeLayout = "2006-01-02 15:04:05"

// parseTime reads an eLeaP timestamp, taken as UTC (the document names no
// zone), or RFC 3339; it returns nil for "" and for what it cannot read.
func parseTime(s string) *time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{timeLayout, time.RFC3339, time.DateOnly} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return &t
		}
	}
	return nil
}
