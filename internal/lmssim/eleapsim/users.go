package eleapsim

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// listUsers serves users/: every user, optionally filtered by custom fields.
func (s *Sim) listUsers(f form) (map[string]any, *apiError) {
	sign, e := f.order()
	if e != nil {
		return nil, e
	}
	filter, e := s.customFieldsArg(f)
	if e != nil {
		return nil, e
	}
	var out []wireUser
	for _, id := range sortedIDs(s.st.users) {
		if u := s.st.users[id]; matchesFields(u, filter) {
			out = append(out, s.wireUser(u))
		}
	}
	if sign < 0 {
		slices.Reverse(out)
	}
	if len(out) == 0 {
		return nil, failf(codeNotFound, msgNoData, "users")
	}
	return map[string]any{"users": out}, nil
}

// matchesFields reports whether u has every custom field value in filter.
func matchesFields(u *User, filter map[string]string) bool {
	for k, v := range filter {
		if u.CustomFields[k] != v {
			return false
		}
	}
	return true
}

// getUser serves users/get: one user by exact email.
func (s *Sim) getUser(f form) (map[string]any, *apiError) {
	if e := f.require("email"); e != nil {
		return nil, e
	}
	u := s.st.userByEmail(f.get("email"))
	if u == nil {
		return nil, fail(codeNotFound, msgUserNotFound)
	}
	return map[string]any{"user": []wireUser{s.wireUser(u)}}, nil
}

// findUser serves users/find: one user by id.
func (s *Sim) findUser(f form) (map[string]any, *apiError) {
	if e := f.require("id"); e != nil {
		return nil, e
	}
	u := s.st.users[f.get("id")]
	if u == nil {
		return nil, fail(codeNotFound, msgUserNotFound)
	}
	return map[string]any{"user": []wireUser{s.wireUser(u)}}, nil
}

// addUser serves users/add.
func (s *Sim) addUser(f form) (map[string]any, *apiError) {
	if e := f.require("first_name", "last_name", "email"); e != nil {
		return nil, e
	}
	u := User{Active: true, Created: s.Now()}
	if e := s.applyUserArgs(&u, f, nil); e != nil {
		return nil, e
	}
	s.st.insertUser(&u)
	if f.get("silent") != "1" {
		s.st.emails = append(s.st.emails, EmailSent{Kind: "activation", Email: u.Email, Endpoint: "users/add"})
	}
	return s.addAnswerOf(&u), nil
}

// addAnswerOf is the answer of users/add besides the envelope
// (Seed.AddUserAnswer).
func (s *Sim) addAnswerOf(u *User) map[string]any {
	switch s.addAnswer {
	case AddUserAnswerID:
		return map[string]any{"id": u.ID}
	case AddUserAnswerUser:
		return map[string]any{"user": []wireUser{s.wireUser(u)}}
	}
	return nil
}

// editUser serves users/edit: by id when given (which may change the
// email), else by email.
func (s *Sim) editUser(f form) (map[string]any, *apiError) {
	if e := f.require("first_name", "last_name", "email"); e != nil {
		return nil, e
	}
	cur := s.st.userByEmail(f.get("email"))
	if f.get("id") != "" {
		cur = s.st.users[f.get("id")]
	}
	if cur == nil {
		return nil, fail(codeNotFound, msgUserNotFound)
	}
	u := *cur
	u.CustomFields = maps.Clone(cur.CustomFields)
	if e := s.applyUserArgs(&u, f, cur); e != nil {
		return nil, e
	}
	*cur = u
	return nil, nil
}

// applyUserArgs writes the arguments of users/add or users/edit onto u,
// validating them. self is the user being edited (nil on add): its own email
// is no duplicate. Absent optional arguments leave u's values alone.
func (s *Sim) applyUserArgs(u *User, f form, self *User) *apiError {
	u.FirstName, u.LastName, u.Email = f.get("first_name"), f.get("last_name"), f.get("email")
	if !validEmail(u.Email) {
		return failf(codeCustom, msgBadArg, "email", "not a valid email address")
	}
	if other := s.st.userByEmail(u.Email); other != nil && other != self {
		return failf(codeCustom, msgDuplicate, u.Email)
	}
	if f.has("middle_name") {
		u.MiddleName = f.get("middle_name")
	}
	if f.has("description") {
		u.Description = f.get("description")
	}
	if e := applyAccessLevel(u, f); e != nil {
		return e
	}
	return s.applyCustomFields(u, f)
}

// applyAccessLevel reads access_level (0 to 3) when present.
func applyAccessLevel(u *User, f form) *apiError {
	if f.get("access_level") == "" {
		return nil
	}
	n, err := strconv.Atoi(f.get("access_level"))
	if err != nil || n < 0 || n > 3 {
		return failf(codeCustom, msgBadArg, "access_level", "must be 0, 1, 2 or 3")
	}
	u.AccessLevel = n
	return nil
}

// applyCustomFields merges the custom_fields argument into u's.
func (s *Sim) applyCustomFields(u *User, f form) *apiError {
	cf, e := s.customFieldsArg(f)
	if e != nil || len(cf) == 0 {
		return e
	}
	if u.CustomFields == nil {
		u.CustomFields = map[string]string{}
	}
	maps.Copy(u.CustomFields, cf)
	return nil
}

// customFieldsArg parses the optional custom_fields argument.
func (s *Sim) customFieldsArg(f form) (map[string]string, *apiError) {
	if f.get("custom_fields") == "" {
		return nil, nil
	}
	return parseCustomFields(f.get("custom_fields"), s.customFields)
}

// validEmail is a plain check: one @, text on both sides, a dot in the domain, no spaces.
func validEmail(e string) bool {
	local, domain, ok := strings.Cut(e, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(domain, "@") &&
		!strings.ContainsAny(e, " \t\r\n") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// userByEmailArg finds the user named by the required email argument.
func (s *Sim) userByEmailArg(f form) (*User, *apiError) {
	if e := f.require("email"); e != nil {
		return nil, e
	}
	u := s.st.userByEmail(f.get("email"))
	if u == nil {
		return nil, fail(codeNotFound, msgUserNotFound)
	}
	return u, nil
}

// removeUser serves users/remove.
func (s *Sim) removeUser(f form) (map[string]any, *apiError) {
	u, e := s.userByEmailArg(f)
	if e != nil {
		return nil, e
	}
	s.st.removeUser(u.ID)
	return nil, nil
}

// setActive serves users/activate (active true) and users/deactivate.
func (s *Sim) setActive(active bool) handler {
	return func(f form) (map[string]any, *apiError) {
		u, e := s.userByEmailArg(f)
		if e != nil {
			return nil, e
		}
		u.Active = active
		return nil, nil
	}
}

// listCustomFields serves users/custom_fields.
func (s *Sim) listCustomFields(form) (map[string]any, *apiError) {
	if len(s.customFields) == 0 {
		return nil, fail(codeNotFound, msgCompanyFields)
	}
	return map[string]any{"custom_fields": slices.Clone(s.customFields)}, nil
}

// recentCompletions serves users/recent_completions: courses completed in
// the 24 hours before Now.
func (s *Sim) recentCompletions(form) (map[string]any, *apiError) {
	var out []wireCompletion
	for _, c := range s.st.recentCompletions(s.Now()) {
		u, course := s.st.users[c.UserID], s.st.courses.items[c.CourseID]
		out = append(out, wireCompletion{
			IDUser: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
			IDCourse: course.id(), CourseName: course.name(),
			Completed: formatTime(*c.CompletedAt), Score: formatScore(c.Score),
		})
	}
	if len(out) == 0 {
		return nil, fail(codeNotFound, msgNoCompletions)
	}
	return map[string]any{"completions": out}, nil
}

// activity serves users/activity: a user's status in a course.
func (s *Sim) activity(f form) (map[string]any, *apiError) {
	if e := f.require("id", "id_course"); e != nil {
		return nil, e
	}
	u, course := s.st.users[f.get("id")], s.st.courses.items[f.get("id_course")]
	if u == nil {
		return nil, fail(codeNotFound, msgUserNotFound)
	}
	if course == nil {
		return nil, failf(codeNotFound, msgItemNotFound, "course")
	}
	p := s.st.progress[progressKey{u.ID, course.id()}]
	if p == nil && !s.st.assignedToCourse(u.ID, course.id()) {
		return nil, fail(codeNotFound, msgNoActivity)
	}
	return map[string]any{"activity": []wireActivity{toWireActivity(u.ID, course, p)}}, nil
}
