package enabley

import (
	"context"
	"fmt"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// groupsAPI is what the group adapter needs of the wire client.
type groupsAPI interface {
	hierarchy(ctx context.Context) ([]string, error)
	listGroups(ctx context.Context, sub string) ([]groupInfo, error)
	getGroup(ctx context.Context, id string) (groupInfo, error)
	putGroup(ctx context.Context, d groupData) error
	deleteGroup(ctx context.Context, id string) error
	addGroupUser(ctx context.Context, group, user string) error
	removeGroupUser(ctx context.Context, group, user string) error
	userGroups(ctx context.Context, id string) ([]groupInfo, error)
}

// groupClient adapts Enabley groups to lms.GroupClient. Identifiers are
// chosen by the caller (Group.ID); Type is a name from the account's group
// hierarchy and ParentID an existing group. Enabley groups have no
// description and no active flag: they read back as active.
type groupClient struct {
	api groupsAPI
	// sub is the default sub-account: List reads it, new groups join it.
	sub string
}

var _ lms.GroupClient = (*groupClient)(nil)

// List returns the groups of the default sub-account (or of the account).
func (c *groupClient) List(ctx context.Context) ([]lms.Group, error) {
	infos, err := c.api.listGroups(ctx, c.sub)
	if err != nil {
		return nil, fmt.Errorf("list Enabley groups: %w", err)
	}
	out := make([]lms.Group, 0, len(infos))
	for _, in := range infos {
		if in.Identifier != "" {
			out = append(out, toGroup(in))
		}
	}
	return out, nil
}

// Get returns the group, or a NotFound error.
func (c *groupClient) Get(ctx context.Context, id string) (*lms.Group, error) {
	in, err := c.api.getGroup(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get Enabley group %q: %w", id, err)
	}
	g := toGroup(in)
	g.ID = id
	return &g, nil
}

// Create adds the group g.ID through the create-or-update call PUT /api/v1/groups.
func (c *groupClient) Create(ctx context.Context, g lms.Group) (*lms.Group, error) {
	return c.put(ctx, g, "create")
}

// Update writes g to the group g.ID through PUT /api/v1/groups.
func (c *groupClient) Update(ctx context.Context, g lms.Group) (*lms.Group, error) {
	return c.put(ctx, g, "update")
}

// put writes g with PUT /api/v1/groups and returns it as Enabley holds it.
func (c *groupClient) put(ctx context.Context, g lms.Group, verb string) (*lms.Group, error) {
	if g.ID == "" {
		return nil, lms.NewError(lms.KindInvalidRequest, opName(opPutGroup), "", "Enabley needs an identifier for a group")
	}
	d := groupData{Identifier: g.ID, Name: g.Name, ParentIdentifier: g.ParentID, SubAccountName: c.sub, Type: g.Type}
	if err := c.api.putGroup(ctx, d); err != nil {
		return nil, fmt.Errorf("%s Enabley group %q: %w", verb, g.ID, err)
	}
	out := lms.Group{ID: g.ID, Name: g.Name, Active: true, Type: g.Type, ParentID: g.ParentID}
	return &out, nil
}

// Delete removes the group; a missing group is not an error.
func (c *groupClient) Delete(ctx context.Context, id string) error {
	if err := ignoreMissing(c.api.deleteGroup(ctx, id)); err != nil {
		return fmt.Errorf("delete Enabley group %q: %w", id, err)
	}
	return nil
}

// Members is Unsupported: Enabley documents no call that lists a group's
// members (only a user's groups, see UserGroups).
func (c *groupClient) Members(context.Context, string) ([]string, error) {
	return nil, lms.NewError(lms.KindUnsupported, "enabley groups/members", "",
		"Enabley has no API to list a group's members")
}

// AddMember adds the user to the group with replace=false, so that the
// user's other groups are left alone.
func (c *groupClient) AddMember(ctx context.Context, groupID string, u lms.User) error {
	if err := c.api.addGroupUser(ctx, groupID, userID(u)); err != nil {
		return fmt.Errorf("add Enabley user %q to group %q: %w", userID(u), groupID, err)
	}
	return nil
}

// RemoveMember removes the user from the group; a user not in the group is
// not an error.
func (c *groupClient) RemoveMember(ctx context.Context, groupID string, u lms.User) error {
	if err := ignoreMissing(c.api.removeGroupUser(ctx, groupID, userID(u))); err != nil {
		return fmt.Errorf("remove Enabley user %q from group %q: %w", userID(u), groupID, err)
	}
	return nil
}

// UserGroups returns the identifiers of the groups the user belongs to
// (GET /api/v1/users/{id}/groups): the one membership read Enabley has.
func (c *groupClient) UserGroups(ctx context.Context, userID string) ([]string, error) {
	infos, err := c.api.userGroups(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("list groups of Enabley user %q: %w", userID, err)
	}
	out := make([]string, 0, len(infos))
	for _, in := range infos {
		out = append(out, in.Identifier)
	}
	return out, nil
}

// Hierarchy returns the account's group type names, top level first.
func (c *groupClient) Hierarchy(ctx context.Context) ([]string, error) {
	h, err := c.api.hierarchy(ctx)
	if err != nil {
		return nil, fmt.Errorf("read Enabley group hierarchy: %w", err)
	}
	return h, nil
}

// toGroup converts a GroupInfo; Enabley groups have no active flag and read as active.
func toGroup(in groupInfo) lms.Group {
	return lms.Group{ID: in.Identifier, Name: in.Name, Active: true, Type: in.Type, ParentID: in.ParentIdentifier}
}
