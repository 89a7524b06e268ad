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

// groupsAPI is what the group adapter needs of the wire client.
type groupsAPI interface {
	listGroups(ctx context.Context) ([]groupDTO, error)
	findGroup(ctx context.Context, id string) ([]groupDTO, error)
	addGroup(ctx context.Context, args url.Values) (addAnswer, error)
	editGroup(ctx context.Context, args url.Values) error
	removeGroup(ctx context.Context, id string) error
	groupUsers(ctx context.Context, id string) ([]userDTO, error)
	setGroupUser(ctx context.Context, group, user string, member bool) error
}

// groupClient manages eLeaP user groups, identified by eLeaP's id.
type groupClient struct {
	api groupsAPI
}

var _ lms.GroupClient = (*groupClient)(nil)

// List returns every user group; eLeaP's 4041 is no groups.
func (c *groupClient) List(ctx context.Context) ([]lms.Group, error) {
	dtos, err := c.api.listGroups(ctx)
	if err := ignoreNoData(err); err != nil {
		return nil, fmt.Errorf("list eLeaP user groups: %w", err)
	}
	return toGroups(dtos), nil
}

// Get returns the group with usergroups/find, or a NotFound error.
func (c *groupClient) Get(ctx context.Context, id string) (*lms.Group, error) {
	dtos, err := c.api.findGroup(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("find eLeaP user group %s: %w", id, err)
	}
	if len(dtos) == 0 {
		return nil, lms.NewError(lms.KindNotFound, opName("usergroups/find"), "", msgGroupMissing)
	}
	g := toGroup(dtos[0])
	return &g, nil
}

// Create adds the group with usergroups/add. eLeaP chooses the id and
// answers it; should it not, the newest group of that name is taken.
func (c *groupClient) Create(ctx context.Context, g lms.Group) (*lms.Group, error) {
	ans, err := c.api.addGroup(ctx, groupArgs(g))
	if err != nil {
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
	if err := c.api.editGroup(ctx, args); err != nil {
		return nil, fmt.Errorf("edit eLeaP user group %s: %w", g.ID, err)
	}
	return &g, nil
}

// Delete removes the group; a group eLeaP does not know (4041) is removed already.
func (c *groupClient) Delete(ctx context.Context, id string) error {
	if err := ignoreNoData(c.api.removeGroup(ctx, id)); err != nil {
		return fmt.Errorf("remove eLeaP user group %s: %w", id, err)
	}
	return nil
}

// Members returns the ids of the group's users (usergroups/assigned_users).
// eLeaP answers 4041 both for a group without members and for an unknown
// group: both come back as no members.
func (c *groupClient) Members(ctx context.Context, groupID string) ([]string, error) {
	dtos, err := c.api.groupUsers(ctx, groupID)
	if err := ignoreNoData(err); err != nil {
		return nil, fmt.Errorf("list members of eLeaP user group %s: %w", groupID, err)
	}
	return idList(dtos), nil
}

// AddMember assigns the user to the group; a member already is no error.
func (c *groupClient) AddMember(ctx context.Context, groupID string, u lms.User) error {
	err := c.member(ctx, groupID, u, true)
	if err != nil && !lms.IsAlreadyExists(err) {
		return fmt.Errorf("add user %s to eLeaP user group %s: %w", u.ID, groupID, err)
	}
	return nil
}

// RemoveMember unassigns the user from the group; a user who is not a
// member (4041) is no error.
func (c *groupClient) RemoveMember(ctx context.Context, groupID string, u lms.User) error {
	if err := ignoreNoData(c.member(ctx, groupID, u, false)); err != nil {
		return fmt.Errorf("remove user %s from eLeaP user group %s: %w", u.ID, groupID, err)
	}
	return nil
}

// member assigns (member true) or unassigns the user, by its eLeaP id.
func (c *groupClient) member(ctx context.Context, groupID string, u lms.User, member bool) error {
	if u.ID == "" {
		endpoint := "usergroups/unassign_user"
		if member {
			endpoint = "usergroups/assign_user"
		}
		return lms.NewError(lms.KindInvalidRequest, opName(endpoint), "", msgNoUserID)
	}
	return c.api.setGroupUser(ctx, groupID, u.ID, member)
}

// groupArgs are the arguments of usergroups/add and usergroups/edit.
func groupArgs(g lms.Group) url.Values {
	return url.Values{"name": {g.Name}, "description": {g.Description}, "active": {flag(g.Active)}}
}

// toGroups converts user groups; nil when there are none.
func toGroups(dtos []groupDTO) []lms.Group {
	var out []lms.Group
	for _, d := range dtos {
		out = append(out, toGroup(d))
	}
	return out
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
