package exceed

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// The document's length limits, in characters, of the attributes the
// client checks. code and custom fields are not in its list: the document's
// default of 255 applies.
var lengthLimits = map[string]int{
	"first_name": 100,
	"last_name":  100,
	"login":      100,
	"email":      100,
	"code":       255,
}

// Other limits of the document.
const (
	fullNameLimit = 200 // full_name = first_name + " " + last_name
	customLimit   = 255 // custom_a to custom_u
)

// createAttributes returns the user[...] attributes of a create (without the
// password), or a KindInvalidRequest (or KindUnsupported) error that no call
// should be made.
func createAttributes(u lms.User) (map[string]any, error) {
	if err := checkRole(u, opCreateUser); err != nil {
		return nil, err
	}
	email := lms.NormalizeEmail(u.Email)
	login := firstNonEmpty(email, u.ExternalID)
	if login == "" {
		return nil, invalid(opCreateUser, "an Exceed user needs an email or an externalID to use as its login")
	}
	attrs := map[string]any{"first_name": u.FirstName, "last_name": u.LastName, "login": login, "is_active": u.Active}
	if email != "" {
		attrs["email"] = email
	}
	if u.ExternalID != "" {
		attrs["code"] = u.ExternalID
	}
	return attrs, checkAttributes(attrs, u.CustomFields, opCreateUser)
}

// updateAttributes returns the user[...] attributes of an update, or a
// KindInvalidRequest (or KindUnsupported) error that no call should be made.
func updateAttributes(u lms.User) (map[string]any, error) {
	if err := checkRole(u, opUpdateUser); err != nil {
		return nil, err
	}
	attrs := map[string]any{"first_name": u.FirstName, "last_name": u.LastName, "is_active": u.Active,
		"email": nullIfEmpty(lms.NormalizeEmail(u.Email))}
	return attrs, checkAttributes(attrs, u.CustomFields, opUpdateUser)
}

// checkRole refuses roles other than Learner: Exceed's document has no way
// to set one.
func checkRole(u lms.User, op string) error {
	if u.Role == "" || u.Role == lms.RoleLearner {
		return nil
	}
	return lms.NewError(lms.KindUnsupported, opName(op), "", fmt.Sprintf("Exceed users can only be Learners, not %s", u.Role))
}

// checkAttributes checks required names and lengths, then adds the custom
// fields to attrs (an empty value as null, which clears it).
func checkAttributes(attrs map[string]any, custom map[string]string, op string) error {
	for _, name := range []string{"first_name", "last_name"} {
		if s, _ := attrs[name].(string); strings.TrimSpace(s) == "" {
			return invalid(op, name+" is required by Exceed")
		}
	}
	for _, name := range []string{"first_name", "last_name", "email", "code", "login"} {
		if s, ok := attrs[name].(string); ok {
			if err := checkLength(op, name, s, lengthLimits[name]); err != nil {
				return err
			}
		}
	}
	if err := checkFullName(attrs, op); err != nil {
		return err
	}
	return addCustom(attrs, custom, op)
}

// checkFullName checks the full_name Exceed computes from the two names.
func checkFullName(attrs map[string]any, op string) error {
	first, _ := attrs["first_name"].(string)
	last, _ := attrs["last_name"].(string)
	if n := utf8.RuneCountInString(first) + 1 + utf8.RuneCountInString(last); n > fullNameLimit {
		return invalid(op, fmt.Sprintf("first_name and last_name make a full_name of %d characters; Exceed allows at most %d", n, fullNameLimit))
	}
	return nil
}

// addCustom checks the custom fields' names and lengths and adds them to attrs.
func addCustom(attrs map[string]any, custom map[string]string, op string) error {
	names := make([]string, 0, len(custom))
	for name := range custom {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !isCustomField(name) {
			return invalid(op, fmt.Sprintf("custom field %q is not an Exceed custom field (custom_a to custom_u)", name))
		}
		if err := checkLength(op, name, custom[name], customLimit); err != nil {
			return err
		}
		attrs[name] = nullIfEmpty(custom[name])
	}
	return nil
}

// checkLength refuses a value over the limit, naming the attribute.
func checkLength(op, name, value string, limit int) error {
	if n := utf8.RuneCountInString(value); n > limit {
		return invalid(op, fmt.Sprintf("%s is %d characters; Exceed allows at most %d", name, n, limit))
	}
	return nil
}

// invalid returns a KindInvalidRequest error of the client's own.
func invalid(op, msg string) error {
	return lms.NewError(lms.KindInvalidRequest, opName(op), "", msg)
}

// nullIfEmpty returns nil (JSON null) for "", else s.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
