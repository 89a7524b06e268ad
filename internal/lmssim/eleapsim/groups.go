package eleapsim

import "slices"

// listGroups serves usergroups/.
func (s *Sim) listGroups(f form) (map[string]any, *apiError) {
	sign, e := f.order()
	if e != nil {
		return nil, e
	}
	var out []wireGroup
	for _, id := range sortedIDs(s.st.groups) {
		out = append(out, toWireGroup(s.st.groups[id]))
	}
	if sign < 0 {
		slices.Reverse(out)
	}
	if len(out) == 0 {
		return nil, failf(codeNotFound, msgNoData, "user groups")
	}
	return map[string]any{"usergroups": out}, nil
}

// groupArg finds the group named by the required id argument.
func (s *Sim) groupArg(f form) (*UserGroup, *apiError) {
	if e := f.require("id"); e != nil {
		return nil, e
	}
	g := s.st.groups[f.get("id")]
	if g == nil {
		return nil, fail(codeNotFound, msgGroupNotFound)
	}
	return g, nil
}

// findGroup serves usergroups/find.
func (s *Sim) findGroup(f form) (map[string]any, *apiError) {
	g, e := s.groupArg(f)
	if e != nil {
		return nil, e
	}
	return map[string]any{"usergroup": []wireGroup{toWireGroup(g)}}, nil
}

// groupUsers serves usergroups/assigned_users.
func (s *Sim) groupUsers(f form) (map[string]any, *apiError) {
	g, e := s.groupArg(f)
	if e != nil {
		return nil, e
	}
	return s.usersAnswer(s.st.members[g.ID])
}

// usersAnswer lists the users whose ids are in set, or fails with 4041 when none.
func (s *Sim) usersAnswer(set map[string]bool) (map[string]any, *apiError) {
	var out []wireUser
	for _, id := range sortedIDs(set) {
		out = append(out, s.wireUser(s.st.users[id]))
	}
	if len(out) == 0 {
		return nil, failf(codeNotFound, msgNoData, "assigned users")
	}
	return map[string]any{"users": out}, nil
}

// addGroup serves usergroups/add; the answer carries the new id.
func (s *Sim) addGroup(f form) (map[string]any, *apiError) {
	if e := f.require("name"); e != nil {
		return nil, e
	}
	active, e := f.flag("active", false)
	if e != nil {
		return nil, e
	}
	g := &UserGroup{Name: f.get("name"), Description: f.get("description"), Active: active, Created: s.Now()}
	s.st.insertGroup(g)
	return map[string]any{"id": g.ID}, nil
}

// editGroup serves usergroups/edit; an absent active is left unchanged.
func (s *Sim) editGroup(f form) (map[string]any, *apiError) {
	if e := f.require("id", "name"); e != nil {
		return nil, e
	}
	g, e := s.groupArg(f)
	if e != nil {
		return nil, e
	}
	active, e := f.flag("active", g.Active)
	if e != nil {
		return nil, e
	}
	g.Name, g.Active = f.get("name"), active
	if f.has("description") {
		g.Description = f.get("description")
	}
	return nil, nil
}

// removeGroup serves usergroups/remove.
func (s *Sim) removeGroup(f form) (map[string]any, *apiError) {
	g, e := s.groupArg(f)
	if e != nil {
		return nil, e
	}
	s.st.removeGroup(g.ID)
	return nil, nil
}

// groupAndUser finds the group (id) and the user (id_user) of a membership call.
func (s *Sim) groupAndUser(f form) (*UserGroup, *User, *apiError) {
	if e := f.require("id", "id_user"); e != nil {
		return nil, nil, e
	}
	g, e := s.groupArg(f)
	if e != nil {
		return nil, nil, e
	}
	u := s.st.users[f.get("id_user")]
	if u == nil {
		return nil, nil, fail(codeNotFound, msgUserNotFound)
	}
	return g, u, nil
}

// assignGroupUser serves usergroups/assign_user.
func (s *Sim) assignGroupUser(f form) (map[string]any, *apiError) {
	g, u, e := s.groupAndUser(f)
	if e != nil {
		return nil, e
	}
	if s.st.members[g.ID][u.ID] {
		return nil, failf(codeCustom, msgAlready, "user", "user group")
	}
	s.st.members[g.ID][u.ID] = true
	return nil, nil
}

// unassignGroupUser serves usergroups/unassign_user.
func (s *Sim) unassignGroupUser(f form) (map[string]any, *apiError) {
	g, u, e := s.groupAndUser(f)
	if e != nil {
		return nil, e
	}
	if !s.st.members[g.ID][u.ID] {
		return nil, failf(codeNotFound, msgNotAssigned, "user", "user group")
	}
	delete(s.st.members[g.ID], u.ID)
	return nil, nil
}
