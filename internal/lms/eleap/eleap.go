// Package eleap is the eLeaP vendor client: it implements lms.Client over
// eLeaP's API (https://{company}.2leap.com/api/, document v2).
//
// Its layout is the one of every vendor package (as the external-secrets
// providers): eleap.go is the lms.Client facade and its factory New;
// wire.go the HTTP layer (form-encoded POSTs with api_token in the body,
// one method per endpoint); dto.go the DTOs, lenient about eLeaP's mixed
// strings and numbers; errors.go the classification of answers into
// *lms.Error; and one adapter per resource (users.go, groups.go,
// enrollments.go with progress.go), each over a narrow interface of the
// wire client.
//
// eLeaP reports failures in the body, often with HTTP 200: every answer's
// "response" object is read, whatever the HTTP status. Codes map to kinds:
// 401 and 4011 InvalidCredentials, 403 Forbidden, 404 ("Invalid API call":
// a wrong URL, so spec.endpoint must change) InvalidRequest, 4041 (no data)
// NotFound, 4040 InvalidRequest with eLeaP's message (or AlreadyExists when
// the message says the email exists or the assignment is made already),
// 429 (an HTTP status or a code in the body) RateLimited, after pausing the
// whole connection (lms.Config.Pause) for the Retry-After, 5xx, timeouts and
// malformed answers Transient. Since eLeaP answers 4041 for an empty list, list calls take
// 4041 as "none"; deletes and unassignments take 4041 (never 404) as done.
//
// The token is sent only in request bodies and never appears in errors.
// Emails are sent as lms.NormalizeEmail makes them (eLeaP's SAML SSO needs
// them lower-cased).
package eleap

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// CredentialsKey is the key of the API token in the credentials Secret.
const CredentialsKey = "apiToken"

// The factory's messages.
const (
	msgMissingKey    = "credentials key %q is missing or empty"
	msgNoHTTPClient  = "eLeaP client: Config.HTTPClient is required"
	msgNoBaseURL     = "eLeaP client: Config.BaseURL is required"
	opFactory        = "eleap"
	defaultURLFormat = "https://%s.2leap.com/api"
)

// DefaultBaseURL returns the API base URL of an eLeaP company subdomain.
func DefaultBaseURL(subdomain string) string {
	return fmt.Sprintf(defaultURLFormat, subdomain)
}

// New builds an eLeaP client (an lms.Factory). It needs the credentials key
// apiToken and makes no call.
func New(cfg lms.Config) (lms.Client, error) {
	token := strings.TrimSpace(string(cfg.Credentials[CredentialsKey]))
	if token == "" {
		return nil, lms.NewError(lms.KindInvalidCredentials, opFactory, "", fmt.Sprintf(msgMissingKey, CredentialsKey))
	}
	if cfg.HTTPClient == nil {
		return nil, errors.New(msgNoHTTPClient)
	}
	base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if base == "" {
		return nil, errors.New(msgNoBaseURL)
	}
	w := &wireClient{baseURL: base, token: token, http: cfg.HTTPClient, now: time.Now, maxAnswer: maxAnswer, pause: cfg.Pause}
	return &client{wire: w, Resources: lms.Resources{
		UserClient:       &userClient{api: w},
		GroupClient:      &groupClient{api: w},
		EnrollmentClient: &enrollmentClient{api: w},
	}}, nil
}

var _ lms.Factory = New

// client is one connection's eLeaP client: users, user groups, and
// courses and learning paths.
type client struct {
	lms.Resources
	wire *wireClient
}

var _ lms.Client = (*client)(nil)

// Capabilities describes eLeaP: groups without types, courses and learning
// paths assignable to users and groups, four roles, custom fields, progress,
// and every user in one list call.
func (c *client) Capabilities() lms.Capabilities {
	return lms.Capabilities{
		Groups:          true,
		GroupMembers:    true,
		GroupTypes:      false,
		Targets:         []lms.TargetKind{lms.TargetCourse, lms.TargetLearningPath},
		GroupEnrollment: true,
		Roles:           []lms.Role{lms.RoleLearner, lms.RoleInstructor, lms.RoleSupervisor, lms.RoleManager},
		CustomFields:    true,
		MiddleName:      true,
		Description:     true,
		Progress:        true,
		UserPageSize:    0,
		TargetDeadlines: true,
	}
}

// Verify checks the token with users/custom_fields, the cheapest call; a
// company without custom fields (4041) still proves the token valid.
func (c *client) Verify(ctx context.Context) error {
	if err := ignoreNoData(c.wire.customFields(ctx)); err != nil {
		return fmt.Errorf("verify eLeaP credentials: %w", err)
	}
	return nil
}
