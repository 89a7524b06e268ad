// Package exceed is the client of the Exceed LMS (Intellum) users API
// (https://{subdomain}.exceedlms.com/api/v2/).
//
// Its layout is the one of every vendor package: exceed.go is the
// lms.Client facade and its factory New; wire.go the HTTP layer (api_key in
// the query string, data as JSON bodies, one method per endpoint); dto.go
// the DTOs it decodes; errors.go the classification of answers into
// *lms.Error and the redaction of the api_key; and users.go the user
// adapter, over a narrow interface of the wire client, with its helpers
// validate.go (the document's limits) and password.go.
//
// Only users are supported. Intellum's groups and enrollments have no
// publicly documented write endpoints, so Groups and Enrollments return nil
// and Capabilities reports them unsupported rather than guessing.
//
// Choices where the document leaves room (see the vendor README):
//   - The identity key is the user's code (lms.User.ExternalID); Lookup
//     falls back to the documented user[email] list filter.
//   - Create sends login = the lower-cased email (the externalID when there
//     is no email): both are limited to 100 characters, and a sign-in name
//     that is the email is what SSO set-ups expect. Update never changes the
//     login, which the account may have set otherwise.
//   - Create sends a random password from crypto/rand, never logged or kept:
//     users sign in through SSO or a password reset.
//   - Roles: the document neither sets nor enumerates authority, so only
//     Learner is supported; a user's role is never read (it is unobserved,
//     lms.FieldRole) and the client never writes authority, leaving an
//     adopted administrator's rights alone.
//   - What an answer does not carry (is_active, every custom field) is
//     named in lms.User.Unobserved, never invented.
//   - A 422 whose reasons all say a login, email or code is taken is
//     KindAlreadyExists (the controller then adopts the user through
//     Lookup); any other 422 is KindInvalidRequest with the reasons joined.
package exceed

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// CredentialKey is the key of the Secret's data that holds the api_key.
const CredentialKey = "apiKey"

// UserPageSize is the number of users one list call returns, as documented.
const UserPageSize = 1000

// Compile-time checks.
var (
	_ lms.Factory = New
	_ lms.Client  = (*client)(nil)
)

// client is one connection's view of Exceed.
type client struct {
	wire  *wireClient
	users *userClient
}

// New builds an Exceed client from cfg (an lms.Factory). It makes no call.
// A missing or empty apiKey credential is a KindInvalidCredentials error
// naming the key; a BaseURL that is not an absolute http(s) URL is a
// KindInvalidRequest error.
func New(cfg lms.Config) (lms.Client, error) {
	key := string(cfg.Credentials[CredentialKey])
	if key == "" {
		return nil, lms.NewError(lms.KindInvalidCredentials, "exceed", "",
			fmt.Sprintf("the credentials Secret has no %q key", CredentialKey))
	}
	if cfg.HTTPClient == nil {
		return nil, fmt.Errorf("exceed: Config.HTTPClient is required")
	}
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	w := &wireClient{base: base, apiKey: key, http: cfg.HTTPClient, maxResponse: maxResponse}
	return &client{wire: w, users: &userClient{api: w, pageSize: UserPageSize}}, nil
}

// parseBaseURL checks that raw is an absolute http(s) URL and drops a
// trailing slash.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, lms.NewError(lms.KindInvalidRequest, "exceed", "",
			fmt.Sprintf("base URL %q is not an absolute http(s) URL", raw))
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// Capabilities reports users only: Learner role, custom_a to custom_u, a
// caller-chosen code, 1,000 users a page; no groups, targets or progress.
func (c *client) Capabilities() lms.Capabilities {
	return lms.Capabilities{
		Roles:              []lms.Role{lms.RoleLearner},
		CustomFields:       true,
		CallerChosenUserID: true,
		UserPageSize:       UserPageSize,
	}
}

// Verify checks the api_key with one cheap call: a list filtered on an id
// no user has, with only the id field.
func (c *client) Verify(ctx context.Context) error {
	if _, err := c.wire.listUsers(ctx, 1, "id", url.Values{"user[id]": {"0"}}); err != nil {
		return fmt.Errorf("verify Exceed credentials: %w", err)
	}
	return nil
}

// Users returns the user client.
func (c *client) Users() lms.UserClient { return c.users }

// Groups returns nil: Exceed group writes are not publicly documented.
func (c *client) Groups() lms.GroupClient { return nil }

// Enrollments returns nil: Exceed enrollment writes are not publicly documented.
func (c *client) Enrollments() lms.EnrollmentClient { return nil }
