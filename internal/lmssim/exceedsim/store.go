package exceedsim

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrNotFound is returned (wrapped) by Go methods given an unknown user.
var ErrNotFound = errors.New("no such user")

// A ValidationError lists the reasons the API (or AddUser) refused a user,
// in the words of the 422 body.
type ValidationError struct {
	Reasons []string
}

// Error implements error.
func (e *ValidationError) Error() string {
	return "invalid Exceed user: " + strings.Join(e.Reasons, "; ")
}

// uniqueAttributes are the attributes no two users may share (ignoring case).
var uniqueAttributes = []string{"login", "email", "code"}

// requiredAttributes are the attributes that may not be blank.
var requiredAttributes = []string{"first_name", "last_name", "login"}

// fullName is full_name as the API computes it.
func fullName(u *User) string {
	return u.FirstName + " " + u.LastName
}

// sorted returns the users in id order. The caller holds s.mu.
func (s *Sim) sorted() []*User {
	out := make([]*User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b *User) int { return compareInt(a.ID, b.ID) })
	return out
}

// sortedDeletions returns a copy of the deletions in id order. The caller holds s.mu.
func (s *Sim) sortedDeletions() []Deletion {
	out := slices.Clone(s.deletions)
	slices.SortStableFunc(out, func(a, b Deletion) int { return compareInt(a.ID, b.ID) })
	return out
}

// compareInt orders two ids.
func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// copies returns deep copies of users.
func copies(users []*User) []User {
	out := make([]User, len(users))
	for i, u := range users {
		out[i] = u.clone()
	}
	return out
}

// found returns a copy of u and whether u is not nil.
func found(u *User) (User, bool) {
	if u == nil {
		return User{}, false
	}
	return u.clone(), true
}

// findBy returns the first user (by id) whose attribute equals value,
// ignoring case, or nil. An empty value finds nobody. The caller holds s.mu.
func (s *Sim) findBy(name, value string) *User {
	if value == "" {
		return nil
	}
	for _, u := range s.sorted() {
		if strings.EqualFold(u.get(name), value) {
			return u
		}
	}
	return nil
}

// validate returns the reasons u may not be stored (nil if it may), in
// Rails' words: blank required attributes, over-long strings, taken unique
// values. The caller holds s.mu.
func (s *Sim) validate(u *User, needPassword bool) []string {
	var reasons []string
	required := requiredAttributes
	if needPassword {
		required = append(slices.Clone(required), "password")
	}
	for _, name := range required {
		if strings.TrimSpace(u.get(name)) == "" {
			reasons = append(reasons, humanize(name)+" can't be blank")
		}
	}
	reasons = append(reasons, tooLong(u)...)
	return append(reasons, s.taken(u)...)
}

// tooLong returns a reason for every string attribute of u over its limit.
// full_name is checked as the API would compute it.
func tooLong(u *User) []string {
	var reasons []string
	for _, name := range attributeNames() {
		if k, _ := kindOf(name); k != kindString {
			continue
		}
		v := u.get(name)
		if name == "full_name" {
			v = fullName(u)
		}
		if limit := lengthLimit(name); utf8.RuneCountInString(v) > limit {
			reasons = append(reasons, fmt.Sprintf("%s is too long (maximum is %d characters)", humanize(name), limit))
		}
	}
	return reasons
}

// taken returns a reason for every unique attribute of u another user holds.
// The caller holds s.mu.
func (s *Sim) taken(u *User) []string {
	var reasons []string
	for _, name := range uniqueAttributes {
		if other := s.findBy(name, u.get(name)); other != nil && other.ID != u.ID {
			reasons = append(reasons, humanize(name)+" has already been taken")
		}
	}
	return reasons
}

// create validates and stores a user made by POST /api/v2/users.
// The caller holds s.mu.
func (s *Sim) create(p params) (*User, []string) {
	u := &User{IsActive: true, Authority: "student"}
	if reasons := apply(u, p, true); len(reasons) > 0 {
		return nil, reasons
	}
	u.FullName = fullName(u)
	if reasons := s.validate(u, true); len(reasons) > 0 {
		return nil, reasons
	}
	s.prepare(u)
	s.users[u.ID] = u
	return u, nil
}

// update validates and stores the changes of PUT /api/v2/users/{id} to u.
// The caller holds s.mu.
func (s *Sim) update(u *User, p params) []string {
	c := u.clone()
	if reasons := apply(&c, p, false); len(reasons) > 0 {
		return reasons
	}
	c.FullName = fullName(&c)
	if reasons := s.validate(&c, false); len(reasons) > 0 {
		return reasons
	}
	c.UpdatedOn = s.clock.Now().UTC().Truncate(time.Second)
	*u = c
	return nil
}

// apply sets the writable user[...] parameters on u and returns a reason
// for every value of the wrong type. Other attributes are ignored.
func apply(u *User, p params, create bool) []string {
	var reasons []string
	for _, name := range attributeNames() {
		v, ok := p.user[name]
		if !ok || !isWritable(name, create) {
			continue
		}
		if err := u.set(name, v); err != nil {
			reasons = append(reasons, humanize(name)+" is invalid")
		}
	}
	return reasons
}

// applyAny sets attributes given as JSON scalars (admin patches).
func applyAny(u *User, attrs map[string]any) error {
	_, hasFullName := attrs["full_name"]
	for name, v := range attrs {
		if name == "id" {
			return fmt.Errorf("the id cannot change")
		}
		if err := u.set(name, anyString(v)); err != nil {
			return err
		}
	}
	if !hasFullName {
		u.FullName = fullName(u)
	}
	return nil
}

// anyString returns the string form of a decoded JSON scalar.
func anyString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// remove deletes the user with the id and records the deletion; it reports
// whether there was one. The caller holds s.mu.
func (s *Sim) remove(id int64) bool {
	u := s.users[id]
	if u == nil {
		return false
	}
	delete(s.users, id)
	s.deletions = append(s.deletions, Deletion{
		ID:        u.ID,
		AccountID: u.AccountID,
		Code:      u.Code,
		DeletedAt: s.clock.Now(),
	})
	return true
}
