package enableysim

import (
	"net/http"
	"slices"
	"strings"
)

// groupInfo is the document's GroupInfo.
type groupInfo struct {
	Created          string `json:"created"`
	Identifier       string `json:"identifier"`
	Modified         string `json:"modified"`
	Name             string `json:"name"`
	ParentIdentifier string `json:"parentIdentifier,omitempty"`
	SubAccountName   string `json:"subAccountName,omitempty"`
	Type             string `json:"type"`
}

// groupData is the document's GroupData, the body of PUT /api/v1/groups.
type groupData struct {
	Identifier       string `json:"identifier"`
	Name             string `json:"name"`
	ParentIdentifier string `json:"parentIdentifier"`
	SubAccountName   string `json:"subAccountName"`
	Type             string `json:"type"`
}

func toGroupInfo(g *Group) groupInfo {
	return groupInfo{
		Created:          g.Created.UTC().Format(timeLayout),
		Identifier:       g.Identifier,
		Modified:         g.Modified.UTC().Format(timeLayout),
		Name:             g.Name,
		ParentIdentifier: g.ParentIdentifier,
		SubAccountName:   g.SubAccountName,
		Type:             g.Type,
	}
}

// group returns the group id or item_not_exists.
func (st *state) group(id string) (*Group, error) {
	g, ok := st.groups[id]
	if !ok {
		return nil, fail(errItemNotExists, "Group with identifier %q does not exist", id)
	}
	return g, nil
}

// putGroup serves PUT /api/v1/groups: create (201) or update (200) the group
// with the body's identifier. The type must be a hierarchy name and the
// parent must exist.
func (s *Sim) putGroup(r *http.Request) (int, any, error) {
	var d groupData
	if err := decodeBody(r, &d); err != nil {
		return 0, nil, err
	}
	if err := s.st.validateGroup(d); err != nil {
		return 0, nil, err
	}
	now := s.now()
	g, exists := s.st.groups[d.Identifier]
	if !exists {
		g = &Group{Identifier: d.Identifier, Created: now}
	}
	g.Name, g.Type, g.ParentIdentifier, g.SubAccountName = d.Name, d.Type, d.ParentIdentifier, d.SubAccountName
	g.Modified = now
	s.st.putGroup(g)
	if exists {
		return http.StatusOK, toGroupInfo(g), nil
	}
	return http.StatusCreated, toGroupInfo(g), nil
}

// validateGroup checks the body of PUT /api/v1/groups.
func (st *state) validateGroup(d groupData) error {
	switch {
	case strings.TrimSpace(d.Identifier) == "":
		return fail(errInvalidRequest, "identifier is required")
	case strings.TrimSpace(d.Name) == "":
		return fail(errInvalidRequest, "name is required")
	case !slices.Contains(st.hierarchy, d.Type):
		return fail(errInvalidRequest, "Group type %q is not in the group hierarchy %v", d.Type, st.hierarchy)
	}
	if err := st.checkSubAccount(d.SubAccountName); err != nil {
		return err
	}
	return st.checkParent(d.Identifier, d.ParentIdentifier)
}

// checkParent answers invalid_request when parent does not exist or would
// make a cycle.
func (st *state) checkParent(id, parent string) error {
	for p := parent; p != ""; {
		g, ok := st.groups[p]
		if !ok {
			return fail(errInvalidRequest, "Parent group %q does not exist", parent)
		}
		if p == id {
			return fail(errInvalidRequest, "Group %q cannot be its own ancestor", id)
		}
		p = g.ParentIdentifier
	}
	return nil
}

// hierarchy serves GET /api/v1/groups/hierarchy.
func (s *Sim) hierarchy(*http.Request) (int, any, error) {
	return 0, nonNil(s.st.hierarchy), nil
}

// listGroups serves GET /api/v1/groups/list[?subAccountName=].
func (s *Sim) listGroups(r *http.Request) (int, any, error) {
	sub := r.URL.Query().Get("subAccountName")
	if err := s.st.checkSubAccount(sub); err != nil {
		return 0, nil, err
	}
	out := []groupInfo{}
	for _, g := range s.st.orderedGroups() {
		if sub == "" || g.SubAccountName == sub {
			out = append(out, toGroupInfo(g))
		}
	}
	return 0, out, nil
}

// getGroup serves GET /api/v1/groups/{id}[?subAccountName=].
func (s *Sim) getGroup(r *http.Request) (int, any, error) {
	g, err := s.st.group(r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	if sub := r.URL.Query().Get("subAccountName"); sub != "" && g.SubAccountName != sub {
		return 0, nil, fail(errItemNotExists, "Group with identifier %q does not exist in sub-account %q", g.Identifier, sub)
	}
	return 0, toGroupInfo(g), nil
}

// deleteGroup serves DELETE /api/v1/groups/{id}. A group with child groups
// cannot be deleted.
func (s *Sim) deleteGroup(r *http.Request) (int, any, error) {
	id := r.PathValue("id")
	if _, err := s.st.group(id); err != nil {
		return 0, nil, err
	}
	for _, g := range s.st.groups {
		if g.ParentIdentifier == id {
			return 0, nil, fail(errInvalidRequest, "Group %q has child group %q", id, g.Identifier)
		}
	}
	s.st.removeGroup(id)
	return 0, nil, nil
}

// removeGroup deletes the group and everything that refers to it.
func (st *state) removeGroup(id string) {
	delete(st.groups, id)
	delete(st.members, id)
	st.groupOrder = slices.DeleteFunc(st.groupOrder, func(x string) bool { return x == id })
	for _, c := range st.channels {
		c.Groups = slices.DeleteFunc(c.Groups, func(x ChannelGroup) bool { return x.Group == id })
	}
	st.entitled = slices.DeleteFunc(st.entitled, func(e Entitlement) bool {
		return e.EntityType == "GROUP" && e.EntityIdentifier == id
	})
}

// groupAndUser returns the path's group and user, or item_not_exists.
func (st *state) groupAndUser(r *http.Request) (*Group, *User, error) {
	g, err := st.group(r.PathValue("group"))
	if err != nil {
		return nil, nil, err
	}
	u, err := st.user(r.PathValue("user"))
	if err != nil {
		return nil, nil, err
	}
	return g, u, nil
}

// addGroupUser serves POST /api/v1/groups/{group}/users/{user}[?replace=true].
// With replace=true the user leaves every other group.
func (s *Sim) addGroupUser(r *http.Request) (int, any, error) {
	g, u, err := s.st.groupAndUser(r)
	if err != nil {
		return 0, nil, err
	}
	replace, err := boolParam(r, "replace", false)
	if err != nil {
		return 0, nil, err
	}
	if replace {
		for _, m := range s.st.members {
			delete(m, u.Identifier)
		}
	}
	s.st.addMember(g.Identifier, u.Identifier)
	return 0, nil, nil
}

// removeGroupUser serves DELETE /api/v1/groups/{group}/users/{user}.
func (s *Sim) removeGroupUser(r *http.Request) (int, any, error) {
	g, u, err := s.st.groupAndUser(r)
	if err != nil {
		return 0, nil, err
	}
	if !s.st.members[g.Identifier][u.Identifier] {
		return 0, nil, fail(errItemNotExists, "User %q is not a member of group %q", u.Identifier, g.Identifier)
	}
	delete(s.st.members[g.Identifier], u.Identifier)
	return 0, nil, nil
}
