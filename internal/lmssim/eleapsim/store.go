package eleapsim

import (
	"maps"
	"slices"
	"strconv"
	"time"
)

// store is the simulator's data. The Sim's mutex guards it.
type store struct {
	users     map[string]*User
	groups    map[string]*UserGroup
	members   map[string]map[string]bool // group id -> user ids
	courses   *training
	paths     *training
	progress  map[progressKey]*Completion
	emails    []EmailSent
	nextUser  int
	nextGroup int
}

// progressKey names a user's progress in a course.
type progressKey struct{ userID, courseID string }

// newStore returns an empty store.
func newStore() *store {
	return &store{
		users:     map[string]*User{},
		groups:    map[string]*UserGroup{},
		members:   map[string]map[string]bool{},
		courses:   newTraining(TargetCourse, "course", "courses"),
		paths:     newTraining(TargetLearningPath, "learning path", "learning_paths"),
		progress:  map[progressKey]*Completion{},
		nextUser:  1,
		nextGroup: 1,
	}
}

// training returns the catalog of a target kind, or nil.
func (st *store) training(kind string) *training {
	switch kind {
	case TargetCourse:
		return st.courses
	case TargetLearningPath:
		return st.paths
	}
	return nil
}

// userByEmail finds a user by exact email.
func (st *store) userByEmail(email string) *User {
	for _, u := range st.users {
		if u.Email == email {
			return u
		}
	}
	return nil
}

// insertUser adds u, giving it an id when it has none. It refuses a
// duplicate id or email.
func (st *store) insertUser(u *User) bool {
	if u.ID == "" {
		u.ID = strconv.Itoa(st.nextUser)
	}
	if st.users[u.ID] != nil || st.userByEmail(u.Email) != nil {
		return false
	}
	st.nextUser = max(st.nextUser, numericID(u.ID)+1)
	u.CustomFields = maps.Clone(u.CustomFields)
	st.users[u.ID] = u
	return true
}

// removeUser deletes a user with its memberships, assignments and progress.
func (st *store) removeUser(id string) {
	delete(st.users, id)
	for _, m := range st.members {
		delete(m, id)
	}
	st.courses.forget(id, "")
	st.paths.forget(id, "")
	for k := range st.progress {
		if k.userID == id {
			delete(st.progress, k)
		}
	}
}

// insertGroup adds g, giving it an id when it has none.
func (st *store) insertGroup(g *UserGroup) bool {
	if g.ID == "" {
		g.ID = strconv.Itoa(st.nextGroup)
	}
	if st.groups[g.ID] != nil {
		return false
	}
	st.nextGroup = max(st.nextGroup, numericID(g.ID)+1)
	st.groups[g.ID] = g
	st.members[g.ID] = map[string]bool{}
	return true
}

// removeGroup deletes a group with its memberships and assignments.
func (st *store) removeGroup(id string) {
	delete(st.groups, id)
	delete(st.members, id)
	st.courses.forget("", id)
	st.paths.forget("", id)
}

// groupsOf returns the ids of the groups the user belongs to.
func (st *store) groupsOf(userID string) []string {
	var out []string
	for gid, m := range st.members {
		if m[userID] {
			out = append(out, gid)
		}
	}
	return out
}

// assignedToCourse reports whether the user is assigned to the course
// directly, through a group, or through a learning path holding it.
func (st *store) assignedToCourse(userID, courseID string) bool {
	groups := st.groupsOf(userID)
	if c := st.courses.items[courseID]; c != nil && c.reaches(userID, groups) {
		return true
	}
	for _, p := range st.paths.items {
		if slices.Contains(p.path.Courses, courseID) && p.reaches(userID, groups) {
			return true
		}
	}
	return false
}

// recentCompletions returns the completions in the 24 hours up to now, oldest first.
func (st *store) recentCompletions(now time.Time) []*Completion {
	var out []*Completion
	for _, c := range st.progress {
		if c.CompletedAt != nil && c.CompletedAt.After(now.Add(-24*time.Hour)) && !c.CompletedAt.After(now) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *Completion) int { return a.CompletedAt.Compare(*b.CompletedAt) })
	return out
}

// numericID returns id as a number, or 0 when it is not one.
func numericID(id string) int {
	n, err := strconv.Atoi(id)
	if err != nil {
		return 0
	}
	return n
}

// compareIDs orders ids numerically, then as strings.
func compareIDs(a, b string) int {
	if d := numericID(a) - numericID(b); d != 0 {
		return d
	}
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// sortedIDs returns the keys of m in id order.
func sortedIDs[V any](m map[string]V) []string {
	ids := slices.Collect(maps.Keys(m))
	slices.SortFunc(ids, compareIDs)
	return ids
}
