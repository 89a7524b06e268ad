package eleap

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// The group adapter's messages.
const (
	msgNoGroupID    = "eLeaP did not answer the new group's id and no group named %q was found"
	msgGroupMissing = "eLeaP answered success without a user group"
	opGroups        = "eleap usergroups"
)

// groupClient manages eLeaP user groups, identified by eLeaP's id.
type groupClient struct {
	api *apiClient
}

var _ lms.GroupClient = (*groupClient)(nil)

// List returns every user group; eLeaP's 4041 is no groups.
func (c *groupClient) List(ctx context.Context) ([]lms.Group, error) {
	var ans groupsAnswer
	if err := c.api.call(ctx, "usergroups/", nil, &ans); err != nil {
		if isNoData(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("list eLeaP user groups: %w", err)
	}
	out := make([]lms.Group, 0, len(ans.UserGroups))
	for _, d := range ans.UserGroups {
		out = append(out, toGroup(d))
	}
	return out, nil
}

// Get returns the group with usergroups/find, or a NotFound error.
func (c *groupClient) Get(ctx context.Context, id string) (*lms.Group, error) {
	var ans groupAnswer
	if err := c.api.call(ctx, "usergroups/find", url.Values{"id": {id}}, &ans); err != nil {
		return nil, fmt.Errorf("find eLeaP user group %s: %w", id, err)
	}
	if len(ans.UserGroup) == 0 {
		return nil, lms.NewError(lms.KindNotFound, opName("usergroups/find"), "", msgGroupMissing)
	}
	g := toGroup(ans.UserGroup[0])
	return &g, nil
}

// Create adds the group with usergroups/add. eLeaP chooses the id and
// answers it; should it not, the newest group of that name is taken.
func (c *groupClient) Create(ctx context.Context, g lms.Group) (*lms.Group, error) {
	var ans addAnswer
	if err := c.api.call(ctx, "usergroups/add", groupArgs(g), &ans); err != nil {
		return nil, fmt.Errorf("add eLeaP user group: %w", err)
	}
	g.ID = strings.TrimSpace(string(ans.ID))
	if g.ID == "" {
		id, err := c.newestNamed(ctx, g.Name)
		if err != nil {
			return nil, fmt.Errorf("add eLeaP user group: %w", err)
		}
		g.ID = id
	}
	return &g, nil
}

// newestNamed returns the id of the last listed group named name.
func (c *groupClient) newestNamed(ctx context.Context, name string) (string, error) {
	groups, err := c.List(ctx)
	if err != nil {
		return "", err
	}
	for i := len(groups) - 1; i >= 0; i-- {
		if groups[i].Name == name {
			return groups[i].ID, nil
		}
	}
	return "", lms.NewError(lms.KindTransient, opGroups, "", fmt.Sprintf(msgNoGroupID, name))
}

// Update writes the group with usergroups/edit.
func (c *groupClient) Update(ctx context.Context, g lms.Group) (*lms.Group, error) {
	args := groupArgs(g)
	args.Set("id", g.ID)
	if err := c.api.call(ctx, "usergroups/edit", args, nil); err != nil {
		return nil, fmt.Errorf("edit eLeaP user group %s: %w", g.ID, err)
	}
	return &g, nil
}

// Delete removes the group; a group eLeaP does not know (4041) is removed already.
func (c *groupClient) Delete(ctx context.Context, id string) error {
	if err := c.api.call(ctx, "usergroups/remove", url.Values{"id": {id}}, nil); err != nil && !isNoData(err) {
		return fmt.Errorf("remove eLeaP user group %s: %w", id, err)
	}
	return nil
}

// Members returns the ids of the group's users (usergroups/assigned_users).
// eLeaP answers 4041 both for a group without members and for an unknown
// group: both come back as no members.
func (c *groupClient) Members(ctx context.Context, groupID string) ([]string, error) {
	var ans usersAnswer
	if err := c.api.call(ctx, "usergroups/assigned_users", url.Values{"id": {groupID}}, &ans); err != nil {
		if isNoData(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("list members of eLeaP user group %s: %w", groupID, err)
	}
	return idList(ans.Users), nil
}

// AddMember assigns the user to the group; a member already is no error.
func (c *groupClient) AddMember(ctx context.Context, groupID string, u lms.User) error {
	err := c.member(ctx, "usergroups/assign_user", groupID, u)
	if err != nil && !lms.IsAlreadyExists(err) {
		return fmt.Errorf("add user %s to eLeaP user group %s: %w", u.ID, groupID, err)
	}
	return nil
}

// RemoveMember unassigns the user from the group; a user who is not a
// member (4041) is no error.
func (c *groupClient) RemoveMember(ctx context.Context, groupID string, u lms.User) error {
	if err := c.member(ctx, "usergroups/unassign_user", groupID, u); err != nil && !isNoData(err) {
		return fmt.Errorf("remove user %s from eLeaP user group %s: %w", u.ID, groupID, err)
	}
	return nil
}

// member calls a membership endpoint with the group id and the user's id.
func (c *groupClient) member(ctx context.Context, endpoint, groupID string, u lms.User) error {
	if u.ID == "" {
		return lms.NewError(lms.KindInvalidRequest, opName(endpoint), "", msgNoUserID)
	}
	return c.api.call(ctx, endpoint, url.Values{"id": {groupID}, "id_user": {u.ID}}, nil)
}

// groupArgs are the arguments of usergroups/add and usergroups/edit.
func groupArgs(g lms.Group) url.Values {
	return url.Values{"name": {g.Name}, "description": {g.Description}, "active": {flag(g.Active)}}
}

// toGroup converts a user group.
func toGroup(d groupDTO) lms.Group {
	return lms.Group{
		ID:          strings.TrimSpace(string(d.ID)),
		Name:        string(d.Name),
		Description: string(d.Description),
		Active:      bool(d.Active),
	}
}

// flag is eLeaP's 1/0 for a boolean.
func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
