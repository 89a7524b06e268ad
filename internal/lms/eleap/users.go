package eleap

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"strings"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// The user adapter's messages.
const (
	msgNoIdentity  = "neither an email nor an eLeaP id to look the user up by"
	msgNoUserID    = "the user has no eLeaP id"
	msgEmptyAnswer = "eLeaP answered success without a user"
	msgUnknownRole = "role %q has no eLeaP access level"
	roleUnknownFmt = "eLeaP access level %d"
	opLookup       = "eleap users/get"
	opUserIdentity = "eleap users"
)

// usersAPI is what the user adapter needs of the wire client.
type usersAPI interface {
	listUserRecords(ctx context.Context) ([]json.RawMessage, error)
	getUser(ctx context.Context, email string) ([]userDTO, error)
	findUser(ctx context.Context, id string) ([]userDTO, error)
	addUser(ctx context.Context, args url.Values) (addAnswer, error)
	editUser(ctx context.Context, args url.Values) error
	setUserActive(ctx context.Context, email string, active bool) error
	removeUser(ctx context.Context, email string) error
}

// userClient manages eLeaP users. The email is the identity key of get,
// edit, remove, activate and deactivate; User.ID is eLeaP's internal id.
type userClient struct {
	api usersAPI
}

var _ lms.UserClient = (*userClient)(nil)

// List returns every user with one users/ call (ListPage); records that
// cannot be read are left out.
func (c *userClient) List(ctx context.Context) ([]lms.User, error) {
	return lms.ListPages(ctx, c, opName("users/"), 1)
}

// Lookup finds a user by email with users/get, or by eLeaP id with
// users/find when there is no email. eLeaP has no caller-chosen id: an
// externalID is taken as eLeaP's id.
func (c *userClient) Lookup(ctx context.Context, externalID, email string) (*lms.User, error) {
	endpoint, dtos, err := c.lookup(ctx, externalID, lms.NormalizeEmail(email))
	if err != nil {
		return nil, fmt.Errorf("look up eLeaP user: %w", err)
	}
	if len(dtos) == 0 {
		return nil, lms.NewError(lms.KindNotFound, opName(endpoint), "", msgEmptyAnswer)
	}
	u := toUser(dtos[0])
	return &u, nil
}

// lookup calls users/get for the email, else users/find for the id, and
// names the endpoint it called.
func (c *userClient) lookup(ctx context.Context, id, email string) (string, []userDTO, error) {
	switch {
	case email != "":
		dtos, err := c.api.getUser(ctx, email)
		return "users/get", dtos, err
	case id != "":
		dtos, err := c.api.findUser(ctx, id)
		return "users/find", dtos, err
	}
	return "", nil, lms.NewError(lms.KindInvalidRequest, opLookup, "", msgNoIdentity)
}

// Create adds the user with users/add (silent=1 unless SendWelcomeEmail)
// and deactivates it when u.Active is false. It costs one call (two for an
// inactive user): the new id is taken from the answer when it carries one
// (a top-level id, or a user object); else (as documented, add answers the
// bare envelope) the user is returned with an empty ID, which the caller
// learns from the next users/ list.
func (c *userClient) Create(ctx context.Context, u lms.User) (*lms.User, error) {
	args, err := userArgs(u, nil)
	if err != nil {
		return nil, fmt.Errorf("add eLeaP user: %w", err)
	}
	if !u.SendWelcomeEmail {
		args.Set("silent", "1")
	}
	ans, err := c.api.addUser(ctx, args)
	if err != nil {
		return nil, fmt.Errorf("add eLeaP user: %w", err)
	}
	u.ID = newUserID(ans)
	if !u.Active {
		if err := c.SetActive(ctx, u, false); err != nil {
			return nil, fmt.Errorf("deactivate new eLeaP user: %w", err)
		}
	}
	return written(u), nil
}

// newUserID returns the id users/add answered: a top-level id, else the id
// of the user object, else "".
func newUserID(ans addAnswer) string {
	if id := strings.TrimSpace(string(ans.ID)); id != "" {
		return id
	}
	for _, d := range ans.User {
		if id := strings.TrimSpace(string(d.ID)); id != "" {
			return id
		}
	}
	return ""
}

// Update writes u with users/edit. It always sends the eLeaP id when known,
// which eLeaP needs to change the email and which finds the user even if
// its stored email differs in case. Custom fields present in current but not
// in u are cleared. An Active change is written with activate/deactivate,
// when current's active flag was read (eLeaP's documented answers carry
// none: the caller then decides whether to call SetActive).
func (c *userClient) Update(ctx context.Context, current, u lms.User) (*lms.User, error) {
	args, err := userArgs(u, current.CustomFields)
	if err != nil {
		return nil, fmt.Errorf("edit eLeaP user: %w", err)
	}
	u.ID = cmp.Or(u.ID, current.ID)
	if u.ID != "" {
		args.Set("id", u.ID)
	}
	if err := c.api.editUser(ctx, args); err != nil {
		return nil, fmt.Errorf("edit eLeaP user: %w", err)
	}
	if u.Active != current.Active && !current.Unobserved.Has(lms.FieldActive) {
		if err := c.SetActive(ctx, u, u.Active); err != nil {
			return nil, fmt.Errorf("edit eLeaP user: %w", err)
		}
	}
	return written(u), nil
}

// SetActive activates or deactivates the user by email.
func (c *userClient) SetActive(ctx context.Context, u lms.User, active bool) error {
	if err := c.api.setUserActive(ctx, u.Email, active); err != nil {
		return fmt.Errorf("%s eLeaP user: %w", activeVerb(active), err)
	}
	return nil
}

// activeVerb names the call that sets active.
func activeVerb(active bool) string {
	if active {
		return "activate"
	}
	return "deactivate"
}

// Delete removes the user by email; a user eLeaP does not know (4041) is
// removed already.
func (c *userClient) Delete(ctx context.Context, u lms.User) error {
	if err := ignoreNoData(c.api.removeUser(ctx, u.Email)); err != nil {
		return fmt.Errorf("remove eLeaP user: %w", err)
	}
	return nil
}

// userArgs are the arguments of users/add and users/edit. Custom fields in
// previous but not in u are sent empty, so that edit clears them.
func userArgs(u lms.User, previous map[string]string) (url.Values, error) {
	level, err := accessLevel(u.Role)
	if err != nil {
		return nil, err
	}
	args := url.Values{
		"first_name":   {u.FirstName},
		"middle_name":  {u.MiddleName},
		"last_name":    {u.LastName},
		"email":        {lms.NormalizeEmail(u.Email)},
		"access_level": {level},
		"description":  {u.Description},
	}
	if fields := customFieldArg(u.CustomFields, previous); fields != "" {
		args.Set("custom_fields", fields)
	}
	return args, nil
}

// customFieldArg is the custom_fields JSON, or "" when there is nothing to send.
func customFieldArg(fields, previous map[string]string) string {
	all := maps.Clone(fields)
	for k := range previous {
		if _, ok := all[k]; !ok {
			if all == nil {
				all = map[string]string{}
			}
			all[k] = ""
		}
	}
	if len(all) == 0 {
		return ""
	}
	b, _ := json.Marshal(all) // a map of strings always marshals
	return string(b)
}

// accessLevel maps a role to eLeaP's access_level; empty is Learner.
func accessLevel(r lms.Role) (string, error) {
	switch r {
	case "", lms.RoleLearner:
		return "0", nil
	case lms.RoleInstructor:
		return "1", nil
	case lms.RoleSupervisor:
		return "2", nil
	case lms.RoleManager:
		return "3", nil
	}
	return "", lms.NewError(lms.KindUnsupported, opUserIdentity, "", fmt.Sprintf(msgUnknownRole, r))
}

// roleOf maps eLeaP's access_level to a role; an undocumented level is
// reported as such, so that it shows as drift.
func roleOf(level int) lms.Role {
	switch level {
	case 0:
		return lms.RoleLearner
	case 1:
		return lms.RoleInstructor
	case 2:
		return lms.RoleSupervisor
	case 3:
		return lms.RoleManager
	}
	return lms.Role(fmt.Sprintf(roleUnknownFmt, level))
}

// toUsers converts users, skipping entries without an id or email.
func toUsers(dtos []userDTO) []lms.User {
	var out []lms.User
	for _, d := range dtos {
		if d.ID != "" || d.Email != "" {
			out = append(out, toUser(d))
		}
	}
	return out
}

// toUser converts a user. A field the answer does not carry (active and
// custom_fields, which the document's examples lack; access_level) is left
// zero and named in Unobserved, never invented; empty custom field values
// are dropped.
func toUser(d userDTO) lms.User {
	u := lms.User{
		ID:          strings.TrimSpace(string(d.ID)),
		Email:       lms.NormalizeEmail(string(d.Email)),
		FirstName:   string(d.FirstName),
		MiddleName:  string(d.MiddleName),
		LastName:    string(d.LastName),
		Description: string(d.Description),
	}
	if d.AccessLevel == nil {
		u.Unobserved |= lms.FieldRole
	} else {
		u.Role = roleOf(int(*d.AccessLevel))
	}
	if d.Active == nil {
		u.Unobserved |= lms.FieldActive
	} else {
		u.Active = bool(*d.Active)
	}
	if d.CustomFields == nil {
		u.Unobserved |= lms.FieldCustomFields
	}
	u.CustomFields = nonEmpty(d.CustomFields)
	return u
}

// nonEmpty returns the entries of m whose value is not empty, or nil.
func nonEmpty(m map[string]string) map[string]string {
	var out map[string]string
	for k, v := range m {
		if v != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}

// written returns u as written: email normalized, role defaulted, and
// SendWelcomeEmail (write-only) cleared.
func written(u lms.User) *lms.User {
	u.Email = lms.NormalizeEmail(u.Email)
	if u.Role == "" {
		u.Role = lms.RoleLearner
	}
	u.SendWelcomeEmail = false
	u.CustomFields = nonEmpty(u.CustomFields)
	return &u
}

// idList returns the ids of users, in order.
func idList(users []userDTO) []string {
	var out []string
	for _, u := range users {
		if id := strings.TrimSpace(string(u.ID)); id != "" {
			out = append(out, id)
		}
	}
	return out
}
