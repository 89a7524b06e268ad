package eleapsim

import (
	"errors"
	"fmt"
)

// Seed is the simulator's initial data, readable with sigs.k8s.io/yaml.
type Seed struct {
	// APITokens are the valid api_token values.
	APITokens []string `json:"apiTokens"`
	// ForbiddenTokens are tokens of another subdomain: calls with them answer 403.
	ForbiddenTokens []string `json:"forbiddenTokens,omitempty"`
	// Users are the company's users.
	Users []SeedUser `json:"users,omitempty"`
	// UserGroups are the company's user groups.
	UserGroups []UserGroup `json:"userGroups,omitempty"`
	// Courses are the company's courses (the API cannot create them).
	Courses []Course `json:"courses,omitempty"`
	// LearningPaths are the company's learning paths.
	LearningPaths []LearningPath `json:"learningPaths,omitempty"`
	// CustomFields are the names of the company's user custom fields.
	CustomFields []string `json:"customFields,omitempty"`
	// Memberships put users in groups.
	Memberships []Membership `json:"memberships,omitempty"`
	// Assignments assign users and groups to courses and learning paths.
	Assignments []Assignment `json:"assignments,omitempty"`
	// Completions record progress and completions.
	Completions []Completion `json:"completions,omitempty"`
	// HTTPErrorStatus answers failures with a matching HTTP status instead
	// of HTTP 200 (the default, as eLeaP does in practice).
	HTTPErrorStatus bool `json:"httpErrorStatus,omitempty"`
	// UserActive adds "active" (1 or 0) to every user answer (users/,
	// users/get, users/find, */assigned_users). By default user answers carry
	// what the document's examples show: access_level, first_name,
	// middle_name, last_name, email, description and created (and the id,
	// which the Find method's text says the list holds), no active flag.
	UserActive bool `json:"userActive,omitempty"`
	// UserCustomFields adds "custom_fields" (an object, or [] when empty) to
	// every user answer, which the document's examples do not show.
	UserCustomFields bool `json:"userCustomFields,omitempty"`
	// AddUserAnswer is what users/add answers besides the success envelope:
	// AddUserAnswerEnvelope (or empty, the default) nothing, as the document
	// shows for add; AddUserAnswerID the new id in a top-level "id", as
	// usergroups/add does; AddUserAnswerUser the new user under "user", as
	// users/get answers it.
	AddUserAnswer string `json:"addUserAnswer,omitempty"`
}

// The values of Seed.AddUserAnswer.
const (
	AddUserAnswerEnvelope = "envelope"
	AddUserAnswerID       = "id"
	AddUserAnswerUser     = "user"
)

// A SeedUser is a User in a Seed; Active defaults to true.
type SeedUser struct {
	User
	// Active is whether the user is active; absent means true.
	Active *bool `json:"active,omitempty"`
}

// Validate reports the first inconsistency in s: an unknown AddUserAnswer,
// duplicate ids or emails, and
// memberships, assignments or completions naming what does not exist. New
// ignores such entries; callers that load a seed from a file should check it.
func (s Seed) Validate() error {
	switch s.AddUserAnswer {
	case "", AddUserAnswerEnvelope, AddUserAnswerID, AddUserAnswerUser:
	default:
		return fmt.Errorf("eLeaP seed: addUserAnswer %q is none of %q, %q, %q", s.AddUserAnswer,
			AddUserAnswerEnvelope, AddUserAnswerID, AddUserAnswerUser)
	}
	sim := New(Seed{Users: s.Users, UserGroups: s.UserGroups, Courses: s.Courses, LearningPaths: s.LearningPaths})
	if len(sim.st.users) != len(s.Users) {
		return errors.New("eLeaP seed: users have duplicate ids or emails")
	}
	for _, m := range s.Memberships {
		if sim.st.seedUser(m.UserID, m.Email) == nil || sim.st.groups[m.GroupID] == nil {
			return fmt.Errorf("eLeaP seed: membership %+v names an unknown user or group", m)
		}
	}
	for _, a := range s.Assignments {
		if err := sim.st.seedAssign(a); err != nil {
			return err
		}
	}
	for _, c := range s.Completions {
		if sim.st.seedUser(c.UserID, c.Email) == nil || sim.st.courses.items[c.CourseID] == nil {
			return fmt.Errorf("eLeaP seed: completion %+v names an unknown user or course", c)
		}
	}
	return nil
}

// load applies seed to the empty store st.
func (st *store) load(seed Seed) {
	for _, su := range seed.Users {
		u := su.User
		u.Active = su.Active == nil || *su.Active
		st.insertUser(&u)
	}
	for _, g := range seed.UserGroups {
		st.insertGroup(&g)
	}
	for _, c := range seed.Courses {
		st.courses.insert(&item{course: &c})
	}
	for _, p := range seed.LearningPaths {
		st.paths.insert(&item{path: &p})
	}
	st.loadRelations(seed)
}

// loadRelations applies the seed's memberships, assignments and completions,
// skipping those that name what does not exist.
func (st *store) loadRelations(seed Seed) {
	for _, m := range seed.Memberships {
		if u := st.seedUser(m.UserID, m.Email); u != nil && st.groups[m.GroupID] != nil {
			st.members[m.GroupID][u.ID] = true
		}
	}
	for _, a := range seed.Assignments {
		_ = st.seedAssign(a)
	}
	for _, c := range seed.Completions {
		if u := st.seedUser(c.UserID, c.Email); u != nil && st.courses.items[c.CourseID] != nil {
			c.UserID, c.Email = u.ID, ""
			st.progress[progressKey{u.ID, c.CourseID}] = &c
		}
	}
}

// seedUser finds a user by id, or else by email.
func (st *store) seedUser(id, email string) *User {
	if id != "" {
		return st.users[id]
	}
	return st.userByEmail(email)
}

// seedAssign applies one seeded assignment.
func (st *store) seedAssign(a Assignment) error {
	t := st.training(a.Target)
	if t == nil || t.items[a.TargetID] == nil {
		return fmt.Errorf("eLeaP seed: assignment %+v names an unknown target", a)
	}
	it := t.items[a.TargetID]
	if a.UserGroupID != "" {
		if st.groups[a.UserGroupID] == nil {
			return fmt.Errorf("eLeaP seed: assignment %+v names an unknown user group", a)
		}
		it.groups[a.UserGroupID] = true
		return nil
	}
	u := st.seedUser(a.UserID, a.Email)
	if u == nil {
		return fmt.Errorf("eLeaP seed: assignment %+v names an unknown user", a)
	}
	it.users[u.ID] = true
	return nil
}
