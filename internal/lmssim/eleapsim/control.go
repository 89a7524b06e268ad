package eleapsim

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
)

// Users returns a copy of every user, in id order.
func (s *Sim) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users()
}

// users copies every user in id order; the mutex is held.
func (s *Sim) users() []User {
	out := make([]User, 0, len(s.st.users))
	for _, id := range sortedIDs(s.st.users) {
		out = append(out, copyUser(s.st.users[id]))
	}
	return out
}

// completions copies every progress record, by user id then course id; the mutex is held.
func (s *Sim) completions() []Completion {
	var out []Completion
	for k, c := range s.st.progress {
		cc := *c
		cc.UserID, cc.Email = k.userID, s.st.users[k.userID].Email
		out = append(out, cc)
	}
	slices.SortFunc(out, func(a, b Completion) int {
		return cmp.Or(compareIDs(a.UserID, b.UserID), compareIDs(a.CourseID, b.CourseID))
	})
	return out
}

// copyUser returns a copy of u that shares no map.
func copyUser(u *User) User {
	c := *u
	c.CustomFields = maps.Clone(u.CustomFields)
	return c
}

// UserByEmail returns a copy of the user with exactly this email.
func (s *Sim) UserByEmail(email string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.userByEmail(email)
	if u == nil {
		return User{}, false
	}
	return copyUser(u), true
}

// CreateUser adds a user directly, as if created in the eLeaP UI (active
// unless p.Active says otherwise). p.Email is required.
func (s *Sim) CreateUser(p UserPatch) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := User{Active: true, Created: s.Now()}
	if err := s.patch(&u, p); err != nil {
		return User{}, err
	}
	s.st.insertUser(&u)
	return copyUser(&u), nil
}

// PatchUser changes the user with this email behind the operator's back.
func (s *Sim) PatchUser(email string, p UserPatch) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.st.userByEmail(email)
	if cur == nil {
		return User{}, fmt.Errorf("patch %q: %w", email, ErrUnknownUser)
	}
	u := copyUser(cur)
	if err := s.patch(&u, p); err != nil {
		return User{}, err
	}
	*cur = u
	return copyUser(cur), nil
}

// patch applies p to u, checking the email and access level; the mutex is held.
func (s *Sim) patch(u *User, p UserPatch) error {
	setIf(&u.FirstName, p.FirstName)
	setIf(&u.MiddleName, p.MiddleName)
	setIf(&u.LastName, p.LastName)
	setIf(&u.Description, p.Description)
	setIf(&u.AccessLevel, p.AccessLevel)
	setIf(&u.Active, p.Active)
	if u.AccessLevel < 0 || u.AccessLevel > 3 {
		return fmt.Errorf("access level %d: %w", u.AccessLevel, ErrInvalidUser)
	}
	if len(p.CustomFields) > 0 {
		u.CustomFields = maps.Clone(u.CustomFields)
		if u.CustomFields == nil {
			u.CustomFields = map[string]string{}
		}
		maps.Copy(u.CustomFields, p.CustomFields)
	}
	return s.patchEmail(u, p.Email)
}

// patchEmail sets u's email when email is not nil, refusing invalid and taken ones.
func (s *Sim) patchEmail(u *User, email *string) error {
	if email == nil {
		if u.Email == "" {
			return fmt.Errorf("email is required: %w", ErrInvalidUser)
		}
		return nil
	}
	if !validEmail(*email) {
		return fmt.Errorf("email %q: %w", *email, ErrInvalidUser)
	}
	if other := s.st.userByEmail(*email); other != nil && other.ID != u.ID {
		return fmt.Errorf("email %q is taken: %w", *email, ErrInvalidUser)
	}
	u.Email = *email
	return nil
}

// setIf sets *dst to *src when src is not nil.
func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// DeleteUser removes the user with this email behind the operator's back.
func (s *Sim) DeleteUser(email string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.userByEmail(email)
	if u == nil {
		return fmt.Errorf("delete %q: %w", email, ErrUnknownUser)
	}
	s.st.removeUser(u.ID)
	return nil
}

// Complete records the user's progress in a course: percent 100 (or more)
// completes it at Now with score (may be nil); less records progress and
// clears any completion.
func (s *Sim) Complete(email, courseID string, percent int, score *float64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.userByEmail(email)
	if u == nil {
		return fmt.Errorf("complete %q: %w", email, ErrUnknownUser)
	}
	if s.st.courses.items[courseID] == nil {
		return fmt.Errorf("complete %q: %w", courseID, ErrUnknownCourse)
	}
	c := &Completion{UserID: u.ID, CourseID: courseID, Percent: min(max(percent, 0), 100), Score: score}
	if percent >= 100 {
		now := s.Now()
		c.CompletedAt = &now
	}
	s.st.progress[progressKey{u.ID, courseID}] = c
	return nil
}
