package eleapsim

import (
	"slices"
	"strings"
)

// listTraining serves courses/ and learning_paths/. A company with exactly
// one course gets it as a bare object, as the document's example shows.
func (s *Sim) listTraining(t *training) handler {
	return func(f form) (map[string]any, *apiError) {
		sign, e := f.order()
		if e != nil {
			return nil, e
		}
		var out []any
		for _, id := range sortedIDs(t.items) {
			out = append(out, t.items[id].wire())
		}
		if sign < 0 {
			slices.Reverse(out)
		}
		switch {
		case len(out) == 0:
			return nil, failf(codeNotFound, msgNoData, t.listKey)
		case len(out) == 1 && t.kind == TargetCourse:
			return map[string]any{t.listKey: out[0]}, nil
		}
		return map[string]any{t.listKey: out}, nil
	}
}

// itemArg finds the course or learning path named by the required id argument.
func (s *Sim) itemArg(t *training, f form) (*item, *apiError) {
	if e := f.require("id"); e != nil {
		return nil, e
	}
	it := t.items[f.get("id")]
	if it == nil {
		return nil, failf(codeNotFound, msgItemNotFound, t.noun)
	}
	return it, nil
}

// findTraining serves courses/find and learning_paths/find.
func (s *Sim) findTraining(t *training) handler {
	return func(f form) (map[string]any, *apiError) {
		it, e := s.itemArg(t, f)
		if e != nil {
			return nil, e
		}
		return map[string]any{strings.TrimSuffix(t.listKey, "s"): []any{it.wire()}}, nil
	}
}

// trainingUsers serves */assigned_users: direct assignments only.
func (s *Sim) trainingUsers(t *training) handler {
	return func(f form) (map[string]any, *apiError) {
		it, e := s.itemArg(t, f)
		if e != nil {
			return nil, e
		}
		return s.usersAnswer(it.users)
	}
}

// trainingGroups serves */assigned_user_groups.
func (s *Sim) trainingGroups(t *training) handler {
	return func(f form) (map[string]any, *apiError) {
		it, e := s.itemArg(t, f)
		if e != nil {
			return nil, e
		}
		var out []wireGroup
		for _, id := range sortedIDs(it.groups) {
			out = append(out, toWireGroup(s.st.groups[id]))
		}
		if len(out) == 0 {
			return nil, failf(codeNotFound, msgNoData, "assigned user groups")
		}
		return map[string]any{"usergroups": out}, nil
	}
}

// pathCourses serves learning_paths/assigned_courses, in the path's order.
func (s *Sim) pathCourses(f form) (map[string]any, *apiError) {
	it, e := s.itemArg(s.st.paths, f)
	if e != nil {
		return nil, e
	}
	var out []any
	for _, id := range it.path.Courses {
		if c := s.st.courses.items[id]; c != nil {
			out = append(out, c.wire())
		}
	}
	if len(out) == 0 {
		return nil, failf(codeNotFound, msgNoData, "assigned courses")
	}
	return map[string]any{"courses": out}, nil
}

// itemAndUser finds the item (id) and the user (id_user) of an assignment call.
func (s *Sim) itemAndUser(t *training, f form) (*item, *User, *apiError) {
	if e := f.require("id", "id_user"); e != nil {
		return nil, nil, e
	}
	it, e := s.itemArg(t, f)
	if e != nil {
		return nil, nil, e
	}
	u := s.st.users[f.get("id_user")]
	if u == nil {
		return nil, nil, fail(codeNotFound, msgUserNotFound)
	}
	return it, u, nil
}

// assignUser serves */assign_user; without silent=1 it records an email.
func (s *Sim) assignUser(t *training) handler {
	return func(f form) (map[string]any, *apiError) {
		it, u, e := s.itemAndUser(t, f)
		if e != nil {
			return nil, e
		}
		if it.users[u.ID] {
			return nil, failf(codeCustom, msgAlready, "user", t.noun)
		}
		it.users[u.ID] = true
		s.notify(f, t.listKey+"/assign_user", u.ID)
		return nil, nil
	}
}

// unassignUser serves */unassign_user.
func (s *Sim) unassignUser(t *training) handler {
	return func(f form) (map[string]any, *apiError) {
		it, u, e := s.itemAndUser(t, f)
		if e != nil {
			return nil, e
		}
		if !it.users[u.ID] {
			return nil, failf(codeNotFound, msgNotAssigned, "user", t.noun)
		}
		delete(it.users, u.ID)
		return nil, nil
	}
}

// itemAndGroup finds the item (id) and the group (id_usergroup) of a group assignment call.
func (s *Sim) itemAndGroup(t *training, f form) (*item, *UserGroup, *apiError) {
	if e := f.require("id", "id_usergroup"); e != nil {
		return nil, nil, e
	}
	it, e := s.itemArg(t, f)
	if e != nil {
		return nil, nil, e
	}
	g := s.st.groups[f.get("id_usergroup")]
	if g == nil {
		return nil, nil, fail(codeNotFound, msgGroupNotFound)
	}
	return it, g, nil
}

// assignGroup serves */assign_user_group; without silent=1 every member gets an email.
func (s *Sim) assignGroup(t *training) handler {
	return func(f form) (map[string]any, *apiError) {
		it, g, e := s.itemAndGroup(t, f)
		if e != nil {
			return nil, e
		}
		if it.groups[g.ID] {
			return nil, failf(codeCustom, msgAlready, "user group", t.noun)
		}
		it.groups[g.ID] = true
		for _, uid := range sortedIDs(s.st.members[g.ID]) {
			s.notify(f, t.listKey+"/assign_user_group", uid)
		}
		return nil, nil
	}
}

// unassignGroup serves */unassign_user_group.
func (s *Sim) unassignGroup(t *training) handler {
	return func(f form) (map[string]any, *apiError) {
		it, g, e := s.itemAndGroup(t, f)
		if e != nil {
			return nil, e
		}
		if !it.groups[g.ID] {
			return nil, failf(codeNotFound, msgNotAssigned, "user group", t.noun)
		}
		delete(it.groups, g.ID)
		return nil, nil
	}
}

// notify records the assignment email unless silent=1.
func (s *Sim) notify(f form, ep, userID string) {
	if f.get("silent") == "1" {
		return
	}
	s.st.emails = append(s.st.emails, EmailSent{Kind: "assignment", Email: s.st.users[userID].Email, Endpoint: ep})
}
