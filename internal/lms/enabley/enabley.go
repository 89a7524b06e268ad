// Package enabley is the operator's client of the Enabley (formerly Time To
// Know) API, as documented in enabley-api.txt.
//
// Its layout is the one of every vendor package: enabley.go is the
// lms.Client facade and its factory New; wire.go the HTTP layer, which
// sends calls with a Bearer token from POST /api/v1/token (token.go keeps
// it, renewed shortly before expires_in, in milliseconds, and once on a
// 401) and has one method per endpoint; dto.go the document's JSON shapes;
// errors.go the classification of answers into *lms.Error, from the
// document's error values, and the redaction of credentials; and one
// adapter per resource (users.go, groups.go, enrollments.go), each over a
// narrow interface of the wire client. Credentials and tokens never appear
// in errors.
package enabley

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"k8s.io/utils/clock"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// DefaultBaseURL is Enabley's production API, used when Config.BaseURL is empty.
const DefaultBaseURL = "https://api.prod.timetoknow.com"

// The credential keys of an Enabley connection's Secret.
const (
	CredentialClientKey = "clientKey"
	CredentialSecret    = "secret"
)

// client is one connection's view of Enabley: users, groups and channels.
type client struct {
	lms.Resources
	wire *wireClient
	// users is Resources.UserClient, which knows the account's page size.
	users *userClient
}

var _ lms.Client = (*client)(nil)

// New builds an Enabley client from cfg. It is an lms.Factory: it checks
// that the clientKey and secret credentials are present and makes no call.
func New(cfg lms.Config) (lms.Client, error) {
	return NewWithClock(cfg, clock.RealClock{})
}

// NewWithClock is New with the clock that times token expiry and
// Retry-After dates, for tests.
func NewWithClock(cfg lms.Config, clk clock.PassiveClock) (lms.Client, error) {
	key, secret, err := credentials(cfg.Credentials)
	if err != nil {
		return nil, err
	}
	base, err := baseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.HTTPClient == nil {
		return nil, fmt.Errorf("enabley: Config.HTTPClient is required")
	}
	w := newWire(base, cfg.HTTPClient, key, secret, clk)
	users := &userClient{api: w, sub: cfg.SubAccountName}
	return &client{wire: w, users: users, Resources: lms.Resources{
		UserClient:       users,
		GroupClient:      &groupClient{api: w, sub: cfg.SubAccountName},
		EnrollmentClient: &enrollmentClient{api: w},
	}}, nil
}

// credentials reads the clientKey and secret, or names the missing one.
func credentials(creds map[string][]byte) (string, string, error) {
	var vals [2]string
	for i, k := range []string{CredentialClientKey, CredentialSecret} {
		vals[i] = strings.TrimSpace(string(creds[k]))
		if vals[i] == "" {
			return "", "", lms.NewError(lms.KindInvalidCredentials, "enabley credentials", "",
				fmt.Sprintf("the Secret has no %q key (Enabley needs %q and %q)", k, CredentialClientKey, CredentialSecret))
		}
	}
	return vals[0], vals[1], nil
}

// baseURL checks raw (default DefaultBaseURL) and drops a trailing slash.
func baseURL(raw string) (string, error) {
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", lms.NewError(lms.KindInvalidRequest, "enabley endpoint", "",
			fmt.Sprintf("endpoint %q is not an http(s) URL", raw))
	}
	return strings.TrimRight(raw, "/"), nil
}

// Capabilities describes Enabley: groups with types and parents, channel
// targets with group assignment, Learner/Instructor/Manager users with
// custom attributes and caller-chosen identifiers, progress by channel.
func (c *client) Capabilities() lms.Capabilities {
	return lms.Capabilities{
		Groups:             true,
		GroupTypes:         true,
		Targets:            []lms.TargetKind{lms.TargetChannel},
		GroupEnrollment:    true,
		Roles:              []lms.Role{lms.RoleLearner, lms.RoleInstructor, lms.RoleManager},
		EnrollmentRoles:    []lms.Role{lms.RoleLearner, lms.RoleInstructor},
		CustomFields:       true,
		CallerChosenUserID: true,
		Progress:           true,
		TargetProgress:     true,
		UserPageSize:       c.users.pageSizeHint(),
	}
}

// Verify checks the credentials with one token call (POST /api/v1/token),
// and keeps the token for the calls that follow.
func (c *client) Verify(ctx context.Context) error {
	if err := c.wire.tokens.refresh(ctx); err != nil {
		return fmt.Errorf("verify Enabley credentials: %w", err)
	}
	return nil
}
