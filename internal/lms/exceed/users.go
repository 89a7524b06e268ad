package exceed

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// Error contexts of the user operations.
const (
	errList      = "list Exceed users"
	errLookup    = "look up Exceed user"
	errCreate    = "create Exceed user"
	errUpdate    = "update Exceed user"
	errSetActive = "set Exceed user active"
	errDelete    = "delete Exceed user"
)

// maxPages bounds List against a server that never answers an empty page.
const maxPages = 100_000

// usersAPI is what the user adapter needs of the wire client.
type usersAPI interface {
	listUsers(ctx context.Context, page int, fields string, filters url.Values) ([]userDTO, error)
	listUserRecords(ctx context.Context, page int, fields string, filters url.Values) ([]json.RawMessage, error)
	createUser(ctx context.Context, attrs map[string]any, password string) (userDTO, error)
	updateUser(ctx context.Context, id string, attrs map[string]any) error
	updateUserByCode(ctx context.Context, code string, attrs map[string]any) error
	deleteUser(ctx context.Context, id string) error
}

// userClient implements lms.UserClient over the wire client.
type userClient struct {
	api usersAPI
	// pageSize is the documented page size (UserPageSize): a shorter page is
	// the last, so an account of fewer users costs one call. Tests lower it to
	// match a simulator with small pages.
	pageSize int
}

var _ lms.UserClient = (*userClient)(nil)

// List returns every user, page by page with ListPage. Users seen on an
// earlier page (pages shift when users are deleted meanwhile) are skipped;
// a page holding only users already seen means the server ignored page=,
// and is a Transient error. Records that cannot be read are left out.
func (c *userClient) List(ctx context.Context) ([]lms.User, error) {
	users, err := lms.ListPages(ctx, c, opName(opListUsers), maxPages)
	return users, wrap(errList, err)
}

// Lookup finds a user by code (externalID), then by email, with the
// document's user[code] and user[email] list filters. Answers are checked
// against the wanted value (ignoring case), so a server that ignored a
// filter cannot make the operator adopt a stranger. Several users with the
// email is a KindInvalidRequest error: set spec.externalID to the code of
// the one to manage. A user found by email may carry another code (or none):
// the caller decides whether to adopt it.
func (c *userClient) Lookup(ctx context.Context, externalID, email string) (*lms.User, error) {
	email = lms.NormalizeEmail(email)
	if externalID == "" && email == "" {
		return nil, lms.NewError(lms.KindInvalidRequest, opName(opListUsers), "", "a lookup needs an externalID (code) or an email")
	}
	if externalID != "" {
		u, err := c.findOne(ctx, "code", externalID)
		if err == nil || !lms.IsNotFound(err) || email == "" {
			return u, wrap(errLookup, err)
		}
	}
	u, err := c.findOne(ctx, "email", email)
	return u, wrap(errLookup, err)
}

// findOne returns the only user whose attribute equals value, preferring
// exact matches to matches ignoring case; KindNotFound when none, and
// KindInvalidRequest when several.
func (c *userClient) findOne(ctx context.Context, attr, value string) (*lms.User, error) {
	dtos, err := c.api.listUsers(ctx, 1, userFields, url.Values{"user[" + attr + "]": {value}})
	if err != nil {
		return nil, err
	}
	var exact, folded []userDTO
	for _, d := range dtos {
		switch got := attrOf(d, attr); {
		case got == value:
			exact = append(exact, d)
		case strings.EqualFold(got, value):
			folded = append(folded, d)
		}
	}
	if len(exact) == 0 {
		exact = folded
	}
	switch len(exact) {
	case 0:
		return nil, lms.NewError(lms.KindNotFound, opName(opListUsers), "", fmt.Sprintf("no Exceed user has %s %q", attr, value))
	case 1:
		return ptr(toUser(exact[0])), nil
	}
	return nil, lms.NewError(lms.KindInvalidRequest, opName(opListUsers), "",
		fmt.Sprintf("%d Exceed users have %s %q: set spec.externalID to the code of the one to manage", len(exact), attr, value))
}

// attrOf returns the code or the normalized email of d.
func attrOf(d userDTO, attr string) string {
	if attr == "code" {
		return d.Code
	}
	return lms.NormalizeEmail(d.Email)
}

// Create adds the user: login = the lower-cased email (the externalID when
// there is no email), code = ExternalID, a random password, is_active =
// Active, and the custom fields. Lengths and required fields are checked
// first: a refusal makes no call. SendWelcomeEmail, MiddleName and
// Description have no Exceed attribute and are ignored. A 2xx answer that
// cannot be decoded is Transient: the retry's 422 then reports the user as
// existing, and the controller adopts it.
func (c *userClient) Create(ctx context.Context, u lms.User) (*lms.User, error) {
	attrs, err := createAttributes(u)
	if err != nil {
		return nil, wrap(errCreate, err)
	}
	password, err := newPassword()
	if err != nil {
		return nil, wrap(errCreate, err)
	}
	attrs["password"] = password
	dto, err := c.api.createUser(ctx, attrs, password)
	if err != nil {
		return nil, wrap(errCreate, err)
	}
	return ptr(toUser(dto)), nil
}

// Update writes first_name, last_name, email, is_active and the custom
// fields in u.CustomFields (an empty value clears one; fields left out are
// left alone) to the user u.ID (else current.ID; else, by code, to the user
// current.ExternalID or u.ExternalID). The login is never changed, nor the
// code, which Exceed cannot update: the user returned carries the code
// current holds when current was observed.
func (c *userClient) Update(ctx context.Context, current, u lms.User) (*lms.User, error) {
	attrs, err := updateAttributes(u)
	if err != nil {
		return nil, wrap(errUpdate, err)
	}
	id := firstNonEmpty(u.ID, current.ID)
	if err := c.write(ctx, id, firstNonEmpty(current.ExternalID, u.ExternalID), attrs); err != nil {
		return nil, wrap(errUpdate, err)
	}
	out := normalized(u)
	out.ID = id
	if current.ID != "" {
		out.ExternalID = current.ExternalID
	}
	return &out, nil
}

// SetActive writes is_active to the user u.ID (by code when u has no ID).
func (c *userClient) SetActive(ctx context.Context, u lms.User, active bool) error {
	err := c.write(ctx, u.ID, u.ExternalID, map[string]any{"is_active": active})
	return wrap(errSetActive, err)
}

// write sends an update to the user with the id, or with the code when id
// is empty.
func (c *userClient) write(ctx context.Context, id, code string, attrs map[string]any) error {
	switch {
	case id != "":
		if err := checkID(id, opUpdateUser); err != nil {
			return err
		}
		return c.api.updateUser(ctx, id, attrs)
	case code != "":
		return c.api.updateUserByCode(ctx, code, attrs)
	}
	return lms.NewError(lms.KindInvalidRequest, opName(opUpdateUser), "", "the user has neither an id nor a code")
}

// Delete removes the user u.ID; without an ID, the user whose code is
// u.ExternalID (never found by email: deleting the wrong user is worse than
// not deleting). A missing user is not an error.
func (c *userClient) Delete(ctx context.Context, u lms.User) error {
	id := u.ID
	if id == "" {
		if u.ExternalID == "" {
			return wrap(errDelete, lms.NewError(lms.KindInvalidRequest, opName(opDeleteUser), "", "the user has neither an id nor a code"))
		}
		found, err := c.findOne(ctx, "code", u.ExternalID)
		if lms.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return wrap(errDelete, err)
		}
		id = found.ID
	}
	if err := checkID(id, opDeleteUser); err != nil {
		return wrap(errDelete, err)
	}
	if err := c.api.deleteUser(ctx, id); err != nil && !lms.IsNotFound(err) {
		return wrap(errDelete, err)
	}
	return nil
}

// checkID refuses an id that is not an Exceed id (a positive integer), so
// that it never reaches a URL path.
func checkID(id, op string) error {
	if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 {
		return lms.NewError(lms.KindInvalidRequest, opName(op), "", fmt.Sprintf("user id %q is not an Exceed id", id))
	}
	return nil
}

// toUser converts a DTO into an lms.User. The role is never read (Exceed
// users are all Learners to the operator) and is unobserved, as are the
// fields the answer did not carry.
func toUser(d userDTO) lms.User {
	return lms.User{
		ID:           strconv.FormatInt(d.ID, 10),
		ExternalID:   d.Code,
		Email:        lms.NormalizeEmail(d.Email),
		FirstName:    d.FirstName,
		LastName:     d.LastName,
		Active:       d.IsActive,
		CustomFields: d.Custom,
		Unobserved:   d.Unobserved,
	}
}

// normalized returns u as Exceed holds it once written: normalized email,
// no fields Exceed lacks, no empty custom fields, and the role (never
// written) unobserved, as a list would report it.
func normalized(u lms.User) lms.User {
	out := lms.User{ID: u.ID, ExternalID: u.ExternalID, Email: lms.NormalizeEmail(u.Email),
		FirstName: u.FirstName, LastName: u.LastName, Active: u.Active, Unobserved: lms.FieldRole}
	for k, v := range u.CustomFields {
		if v == "" {
			continue
		}
		if out.CustomFields == nil {
			out.CustomFields = map[string]string{}
		}
		out.CustomFields[k] = v
	}
	return out
}

// wrap adds context to a non-nil error.
func wrap(context string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", context, err)
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }
