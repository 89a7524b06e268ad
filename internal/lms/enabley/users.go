package enabley

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// defaultV3PageSize is assumed for Capabilities.UserPageSize until a v3 page
// tells the account's real page size.
const defaultV3PageSize = 100

// enableyRoles maps the operator's roles onto the document's possibleRoles.
// Enabley has no supervisor role.
var enableyRoles = map[lms.Role]string{
	lms.RoleLearner:    "LEARNER",
	lms.RoleInstructor: "INSTRUCTOR",
	lms.RoleManager:    "MANAGER",
}

// rolePrecedence picks one role from a user's possibleRoles: the highest wins.
var rolePrecedence = []lms.Role{lms.RoleManager, lms.RoleInstructor, lms.RoleLearner}

// usersAPI is what the user adapter needs of the wire client.
type usersAPI interface {
	listUsersV3(ctx context.Context, filter url.Values, key string) (page[json.RawMessage], error)
	listUsersV2(ctx context.Context, filter url.Values, start int) ([]json.RawMessage, error)
	getUser(ctx context.Context, id string) (userInfo, error)
	putUser(ctx context.Context, d userData) (*userInfo, error)
	setUserActive(ctx context.Context, id string, active bool) error
	deleteUser(ctx context.Context, id string) error
}

// userClient adapts Enabley users to lms.UserClient. The identifier is
// chosen by the caller: User.ID == User.ExternalID.
type userClient struct {
	api usersAPI
	// sub is the default sub-account: new users join it and List reads it.
	sub string
	// v2 is set once GET /api/v3/users answered 404 on a first page; the
	// client then lists with GET /api/v2/users for its lifetime.
	v2 atomic.Bool
	// pageSize is the last v3 page size seen.
	pageSize atomic.Int64
}

var _ lms.UserClient = (*userClient)(nil)

// List returns every user of the default sub-account (or of the account),
// page by page with ListPage. Records that cannot be read are left out.
func (c *userClient) List(ctx context.Context) ([]lms.User, error) {
	users, err := lms.ListPages(ctx, c, opName(opListUsersV3), maxPages)
	if err != nil {
		return nil, fmt.Errorf("list Enabley users: %w", err)
	}
	return users, nil
}

// pageSizeHint is the number of users one list call returns.
func (c *userClient) pageSizeHint() int {
	if c.v2.Load() {
		return v2PageLimit
	}
	if n := c.pageSize.Load(); n > 0 {
		return int(n)
	}
	return defaultV3PageSize
}

// Lookup finds the user by identifier (externalID), then, when Enabley
// says there is none (item_not_exists), by exact email.
func (c *userClient) Lookup(ctx context.Context, externalID, email string) (*lms.User, error) {
	if externalID != "" {
		in, err := c.api.getUser(ctx, externalID)
		if err == nil {
			u := toUser(in)
			u.ID, u.ExternalID = externalID, externalID
			return &u, nil
		}
		if !isMissing(err) || email == "" {
			return nil, fmt.Errorf("look up Enabley user %q: %w", externalID, err)
		}
	}
	return c.lookupByEmail(ctx, email)
}

// lookupByEmail searches by emailSubstring and keeps exact matches.
func (c *userClient) lookupByEmail(ctx context.Context, email string) (*lms.User, error) {
	if email == "" {
		return nil, lms.NewError(lms.KindNotFound, opName(opGetUser), "", "no identifier or email to look up")
	}
	email = lms.NormalizeEmail(email)
	users, err := lms.ListPages(ctx, c.pager(url.Values{"emailSubstring": {email}}), opName(opListUsersV3), maxPages)
	if err != nil {
		return nil, fmt.Errorf("look up Enabley user by email: %w", err)
	}
	var found []lms.User
	for _, u := range users {
		if u.Email == email {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 0:
		return nil, lms.NewError(lms.KindNotFound, opName(opListUsersV3), "", "no Enabley user has this email")
	case 1:
		return &found[0], nil
	}
	return nil, lms.NewError(lms.KindInvalidRequest, opName(opListUsersV3), "",
		fmt.Sprintf("%d Enabley users have this email; set externalID to choose one", len(found)))
}

// Create adds the user with identifier u.ExternalID (or u.ID) through the
// create-or-update call PUT /api/v2/users. The username is the email.
func (c *userClient) Create(ctx context.Context, u lms.User) (*lms.User, error) {
	id := userID(u)
	if id == "" {
		return nil, lms.NewError(lms.KindInvalidRequest, opName(opPutUser), "", "Enabley needs an identifier (externalID) for a new user")
	}
	role, err := enableyRole(u.Role)
	if err != nil {
		return nil, err
	}
	d := c.userData(id, u)
	username := d.Email
	if username == "" {
		username = id
	}
	d.Username, d.PossibleRoles = &username, []string{role}
	if len(u.CustomFields) > 0 {
		d.CustomAttributes = &u.CustomFields
	}
	return c.put(ctx, d, u, "create")
}

// Update writes u to the user as it is: the identifier it has
// (current.ID, else u's), which the operator never changes, so that
// status.externalID is always the identifier groups and channels use, even
// for a user adopted by email under another identifier. The username is
// left alone; possibleRoles is sent only when the role changed (so roles
// the operator does not manage, such as SITE_ADMIN, survive); custom
// attributes only when there are or were some.
func (c *userClient) Update(ctx context.Context, current, u lms.User) (*lms.User, error) {
	d := c.userData(cmp.Or(current.ID, userID(u)), u)
	if normRole(u.Role) != normRole(current.Role) {
		role, err := enableyRole(u.Role)
		if err != nil {
			return nil, err
		}
		d.PossibleRoles = []string{role}
	}
	if u.CustomFields != nil || len(current.CustomFields) > 0 {
		cf := u.CustomFields
		if cf == nil {
			cf = map[string]string{}
		}
		d.CustomAttributes = &cf
	}
	return c.put(ctx, d, u, "update")
}

// userData is the body common to create and update.
func (c *userClient) userData(id string, u lms.User) userData {
	return userData{Identifier: id, SubAccountName: c.sub, FirstName: u.FirstName, LastName: u.LastName,
		Email: lms.NormalizeEmail(u.Email), IsActive: u.Active}
}

// put sends d and returns the user as the answer (or, lacking one, u) says.
func (c *userClient) put(ctx context.Context, d userData, u lms.User, verb string) (*lms.User, error) {
	in, err := c.api.putUser(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("%s Enabley user %q: %w", verb, d.Identifier, taken(err))
	}
	if in != nil {
		out := toUser(*in)
		return &out, nil
	}
	u.ID, u.ExternalID, u.Email, u.SendWelcomeEmail = d.Identifier, d.Identifier, d.Email, false
	return &u, nil
}

// SetActive sends PUT /api/v2/users/{id}?isActive=.
func (c *userClient) SetActive(ctx context.Context, u lms.User, active bool) error {
	if err := c.api.setUserActive(ctx, userID(u), active); err != nil {
		return fmt.Errorf("set Enabley user %q active=%t: %w", userID(u), active, err)
	}
	return nil
}

// Delete removes the user; a missing user is not an error.
func (c *userClient) Delete(ctx context.Context, u lms.User) error {
	if err := ignoreMissing(c.api.deleteUser(ctx, userID(u))); err != nil {
		return fmt.Errorf("delete Enabley user %q: %w", userID(u), err)
	}
	return nil
}

// userID is the user's Enabley identifier: ID, else ExternalID.
func userID(u lms.User) string {
	if u.ID != "" {
		return u.ID
	}
	return u.ExternalID
}

// toUser converts a UserInfo. A missing isActive or customAttributes is
// left zero and named in Unobserved, never invented.
func toUser(in userInfo) lms.User {
	u := lms.User{
		ID:           in.Identifier,
		ExternalID:   in.Identifier,
		Email:        lms.NormalizeEmail(in.Email),
		FirstName:    in.FirstName,
		LastName:     in.LastName,
		Role:         roleOf(in.PossibleRoles),
		CustomFields: customFields(in.CustomAttributes),
	}
	if in.IsActive == nil {
		u.Unobserved |= lms.FieldActive
	} else {
		u.Active = *in.IsActive
	}
	if in.CustomAttributes == nil {
		u.Unobserved |= lms.FieldCustomFields
	}
	return u
}

// roleOf picks the operator role from possibleRoles; "" when none maps.
func roleOf(possible []string) lms.Role {
	for _, r := range rolePrecedence {
		for _, p := range possible {
			if strings.EqualFold(p, enableyRoles[r]) {
				return r
			}
		}
	}
	return ""
}

// normRole treats an empty role as Learner.
func normRole(r lms.Role) lms.Role {
	if r == "" {
		return lms.RoleLearner
	}
	return r
}

// enableyRole maps r (empty: Learner) to a possibleRoles value.
func enableyRole(r lms.Role) (string, error) {
	if v, ok := enableyRoles[normRole(r)]; ok {
		return v, nil
	}
	return "", lms.NewError(lms.KindUnsupported, opName(opPutUser), "",
		fmt.Sprintf("Enabley has no %s role (supported: Learner, Instructor, Manager)", r))
}

// customFields renders customAttributes as strings: strings as they are,
// other values as JSON; nulls are left out.
func customFields(attrs map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range attrs {
		switch x := v.(type) {
		case nil:
		case string:
			out[k] = x
		default:
			b, err := json.Marshal(x)
			if err == nil {
				out[k] = string(b)
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
