package exceedsim

import (
	"slices"
	"strings"
	"unicode"
)

// kind is the type of a user attribute on the wire.
type kind int

// The attribute kinds.
const (
	kindString kind = iota
	kindInt
	kindBool
	kindDate     // YYYY-MM-DD
	kindDateTime // RFC 3339 on output; YYYY-MM-DD HH:MM:SS in filters
)

// catalogue is every user attribute the document names (in its XML examples,
// list filters, create parameters and length limits), except custom_a to
// custom_u, which isCustom recognises.
var catalogue = map[string]kind{
	"account_id": kindInt, "address_one": kindString, "address_two": kindString,
	"authority": kindString, "city": kindString, "code": kindString,
	"country": kindString, "created_on": kindDateTime, "email": kindString,
	"external_avatar_url": kindString, "facebook_id": kindString,
	"first_name": kindString, "full_name": kindString, "hide_welcome_page": kindBool,
	"hired_on": kindDate, "id": kindInt, "integration_id": kindInt,
	"is_account_owner": kindBool, "is_active": kindBool, "is_instructor": kindBool,
	"is_pass_reset_required": kindBool, "last_login_at": kindDateTime,
	"last_name": kindString, "locale": kindString, "login": kindString,
	"manager_id": kindInt, "password": kindString, "phone_fax": kindString,
	"phone_home": kindString, "phone_mobile": kindString, "phone_work": kindString,
	"picture_id": kindInt, "position_id": kindInt, "position_name": kindString,
	"provider": kindString, "registration_id": kindString,
	"remember_me_token": kindString, "state": kindString, "tzid": kindString,
	"uid": kindString, "updated_by": kindString, "updated_on": kindDateTime,
	"zip": kindString,
}

// lengthLimits are the document's limits in characters; every other string
// attribute is limited to 255.
var lengthLimits = map[string]int{
	"full_name": 200, "first_name": 100, "last_name": 100, "login": 100,
	"email": 100, "phone_work": 20, "phone_mobile": 20, "phone_fax": 20,
	"phone_home": 20, "address_one": 100, "address_two": 100, "city": 50,
	"state": 50, "zip": 10,
}

// defaultLengthLimit is the limit of string attributes the document does not list.
const defaultLengthLimit = 255

// writable are the attributes create and update accept (the document's
// parameter lists); code is writable on create only.
var writable = map[string]bool{
	"first_name": true, "last_name": true, "login": true, "password": true,
	"code": true, "email": true, "hired_on": true, "position_id": true,
	"position_name": true, "address_one": true, "address_two": true,
	"country": true, "city": true, "is_active": true,
	"is_pass_reset_required": true, "manager_id": true, "phone_fax": true,
	"phone_home": true, "phone_mobile": true, "phone_work": true,
	"state": true, "zip": true, "facebook_id": true,
}

// unfilterable are attributes a list filter may not name.
var unfilterable = map[string]bool{"password": true, "remember_me_token": true}

// isCustom reports whether name is one of custom_a to custom_u.
func isCustom(name string) bool {
	return len(name) == len("custom_a") && strings.HasPrefix(name, "custom_") &&
		name[7] >= 'a' && name[7] <= 'u'
}

// kindOf returns the kind of the named attribute and whether it exists.
func kindOf(name string) (kind, bool) {
	if isCustom(name) {
		return kindString, true
	}
	k, ok := catalogue[name]
	return k, ok
}

// isWritable reports whether create (or update, when !create) accepts name.
func isWritable(name string, create bool) bool {
	if name == "code" {
		return create
	}
	return writable[name] || isCustom(name)
}

// lengthLimit returns the most characters the string attribute may hold.
func lengthLimit(name string) int {
	if l, ok := lengthLimits[name]; ok {
		return l
	}
	return defaultLengthLimit
}

// attributeNames returns every attribute name, sorted.
func attributeNames() []string {
	names := make([]string, 0, len(catalogue)+21)
	for n := range catalogue {
		names = append(names, n)
	}
	for c := 'a'; c <= 'u'; c++ {
		names = append(names, "custom_"+string(c))
	}
	slices.Sort(names)
	return names
}

// humanize writes an attribute name the way Rails' error messages do:
// "first_name" becomes "First name".
func humanize(name string) string {
	s := []rune(strings.ReplaceAll(name, "_", " "))
	if len(s) > 0 {
		s[0] = unicode.ToUpper(s[0])
	}
	return string(s)
}
