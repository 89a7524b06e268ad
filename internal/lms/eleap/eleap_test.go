package eleap

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/lmstest"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
)

func TestNewNeedsTheAPIToken(t *testing.T) {
	type want struct {
		kind     lms.ErrorKind
		namesKey bool
	}
	cases := map[string]struct {
		reason string
		creds  map[string][]byte
		want   want
	}{
		"MissingKey": {"a Secret without apiToken is refused, naming the key",
			map[string][]byte{"apikey": []byte("x")}, want{lms.KindInvalidCredentials, true}},
		"EmptyValue": {"an empty apiToken is no token",
			map[string][]byte{CredentialsKey: nil}, want{lms.KindInvalidCredentials, true}},
		"OnlyNewline": {"a token of white space (a file's newline) is no token",
			map[string][]byte{CredentialsKey: []byte("\n")}, want{lms.KindInvalidCredentials, true}},
		"TokenPresent": {"a token is all New needs",
			map[string][]byte{CredentialsKey: []byte("t")}, want{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := New(lms.Config{BaseURL: "https://acme.2leap.com/api", Credentials: tc.creds, HTTPClient: http.DefaultClient})
			got := want{kind: lms.KindOf(err), namesKey: err != nil && strings.Contains(err.Error(), `"apiToken"`)}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nNew (%v): -want +got:\n%s", tc.reason, err, diff)
			}
		})
	}
}

func TestCapabilities(t *testing.T) {
	e := newEnv(t, testSeed())
	want := lms.Capabilities{
		Groups: true, GroupMembers: true, Targets: []lms.TargetKind{lms.TargetCourse, lms.TargetLearningPath}, GroupEnrollment: true,
		Roles:        []lms.Role{lms.RoleLearner, lms.RoleInstructor, lms.RoleSupervisor, lms.RoleManager},
		CustomFields: true, MiddleName: true, Description: true, Progress: true, TargetDeadlines: true,
	}
	if diff := cmp.Diff(want, e.client.Capabilities()); diff != "" {
		t.Errorf("Capabilities (-want +got):\n%s", diff)
	}
	if e.client.Groups() == nil || e.client.Enrollments() == nil || e.client.Users() == nil {
		t.Errorf("eLeaP supports users, groups and enrollments: no client may be nil")
	}
}

func TestVerify(t *testing.T) {
	cases := map[string]struct {
		mutate func(*eleapsim.Seed)
		want   lms.ErrorKind
	}{
		"valid token":                      {func(*eleapsim.Seed) {}, ""},
		"no custom fields (4041) is valid": {func(s *eleapsim.Seed) { s.CustomFields = nil }, ""},
		"unknown token":                    {func(s *eleapsim.Seed) { s.APITokens = []string{"other"} }, lms.KindInvalidCredentials},
		"token of another subdomain":       {func(s *eleapsim.Seed) { s.ForbiddenTokens = []string{testToken} }, lms.KindForbidden},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			seed := testSeed()
			tc.mutate(&seed)
			e := newEnv(t, seed)
			err := e.client.Verify(e.ctx)
			if got := lms.KindOf(err); got != tc.want {
				t.Errorf("Verify = %v (kind %q), want kind %q", err, got, tc.want)
			}
			if diff := cmp.Diff([]string{"users/custom_fields"}, e.rec.ops()); diff != "" {
				t.Errorf("Verify must make one cheap call (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEveryCallPostsTheTokenInTheBody(t *testing.T) {
	e := newEnv(t, testSeed())
	if _, err := e.client.Users().Lookup(e.ctx, "", "Jane@Example.com"); err != nil {
		t.Fatal(err)
	}
	c := e.rec.last()
	got := []string{c.Op, c.Path, c.Form.Get("api_token"), c.Form.Get("email")}
	want := []string{"users/get", "/api/users/get", testToken, "jane@example.com"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("operation, path, api_token, email (-want +got):\n%s", diff)
	}
}

// wrongURL is what the client adds to eLeaP's words for a 404.
const wrongURL = ": eLeaP has no such API call, the URL is wrong; check spec.endpoint (eLeaP's is https://<subdomain>.2leap.com/api)"

// errorCases are answers the simulator is made to give, and the error each must become.
func errorCases() map[string]struct {
	failure   eleapsim.Failure
	wantKind  lms.ErrorKind
	wantCode  string
	wantMsg   string
	wantRetry time.Duration
} {
	return map[string]struct {
		failure   eleapsim.Failure
		wantKind  lms.ErrorKind
		wantCode  string
		wantMsg   string
		wantRetry time.Duration
	}{
		"401 missing token": {eleapsim.Failure{Code: 401}, lms.KindInvalidCredentials, "401", "Request missing api token", 0},
		"4011 invalid key":  {eleapsim.Failure{Code: 4011}, lms.KindInvalidCredentials, "4011", "Invalid API Key", 0},
		"403 forbidden":     {eleapsim.Failure{Code: 403}, lms.KindForbidden, "403", "You don't have permission for this resource", 0},
		"404 invalid call":  {eleapsim.Failure{Code: 404}, lms.KindInvalidRequest, "404", "Invalid API call" + wrongURL, 0},
		"4040 custom message": {eleapsim.Failure{Code: 4040, Message: "Cannot add users. Account limits reached"},
			lms.KindInvalidRequest, "4040", "Cannot add users. Account limits reached", 0},
		"4040 duplicate email": {eleapsim.Failure{Code: 4040, Message: "A user with the email address 'a@b.c' already exists"},
			lms.KindAlreadyExists, "4040", "A user with the email address 'a@b.c' already exists", 0},
		"4041 not found": {eleapsim.Failure{Code: 4041}, lms.KindNotFound, "4041", "Requested item(s) not found", 0},
		"429 retry after seconds": {eleapsim.Failure{HTTPStatus: 429, RetryAfter: "120"},
			lms.KindRateLimited, "429", msgRateLimited, 2 * time.Minute},
		"429 retry after HTTP date": {eleapsim.Failure{HTTPStatus: 429, RetryAfter: testNow.Add(90 * time.Second).Format(http.TimeFormat)},
			lms.KindRateLimited, "429", msgRateLimited, 90 * time.Second},
		"429 without retry after": {eleapsim.Failure{HTTPStatus: 429}, lms.KindRateLimited, "429", msgRateLimited, 0},
		"429 in a 200 body":       {eleapsim.Failure{Code: 429, HTTPStatus: 200}, lms.KindRateLimited, "429", "Too many connections", 0},
		"500":                     {eleapsim.Failure{HTTPStatus: 500, Body: "<html>oops</html>"}, lms.KindTransient, "500", "eLeaP answered HTTP 500", 0},
		"503 with envelope":       {eleapsim.Failure{HTTPStatus: 503}, lms.KindTransient, "503", "eLeaP answered HTTP 503", 0},
		"malformed JSON":          {eleapsim.Failure{Body: `{"response":{"status":"succ`}, lms.KindTransient, "", msgMalformed, 0},
		"document's broken success example": {eleapsim.Failure{Body: `"response":{"status":"success","code":"200","message":"OK"}}`},
			lms.KindTransient, "", msgMalformed, 0},
		"no envelope":       {eleapsim.Failure{Body: `{"user":[]}`}, lms.KindTransient, "", msgNoEnvelope, 0},
		"odd status":        {eleapsim.Failure{Body: `{"response":{"status":"maybe"}}`}, lms.KindTransient, "", `eLeaP's answer has status "maybe", neither success nor fail`, 0},
		"undocumented code": {eleapsim.Failure{Code: 4999, Message: "boom", HTTPStatus: 200}, lms.KindTransient, "4999", msgUnknownCode + ": boom", 0},
		"HTML 401 page":     {eleapsim.Failure{HTTPStatus: 401, Body: "<html>denied</html>"}, lms.KindInvalidCredentials, "401", "Unauthorized", 0},
		"HTML 404 page":     {eleapsim.Failure{HTTPStatus: 404, Body: "<html>no such page</html>"}, lms.KindInvalidRequest, "404", "Not Found" + wrongURL, 0},
	}
}

func TestErrorsAreClassifiedFromBodyAndStatus(t *testing.T) {
	for _, mode := range []string{"HTTP 200 with fail body", "matching HTTP status"} {
		for name, tc := range errorCases() {
			t.Run(mode+"/"+name, func(t *testing.T) {
				seed := testSeed()
				seed.HTTPErrorStatus = mode == "matching HTTP status"
				e := newEnv(t, seed)
				e.sim.FailNext(tc.failure)
				_, err := e.client.Users().Lookup(e.ctx, "", "jane@example.com")
				var le *lms.Error
				if !errors.As(err, &le) {
					t.Fatalf("Lookup = %v, want an *lms.Error", err)
				}
				got := []any{le.Kind, le.Code, le.Message, le.RetryAfter, le.Op}
				want := []any{tc.wantKind, tc.wantCode, tc.wantMsg, tc.wantRetry, "eleap users/get"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("kind, code, message, retry after, op (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestRealFailuresInBothModes(t *testing.T) {
	for _, httpStatus := range []bool{false, true} {
		t.Run(fmt.Sprintf("httpErrorStatus=%v", httpStatus), func(t *testing.T) {
			seed := testSeed()
			seed.HTTPErrorStatus = httpStatus
			e := newEnv(t, seed)
			_, err := e.client.Users().Lookup(e.ctx, "", "nobody@example.com")
			if !lms.IsNotFound(err) {
				t.Errorf("Lookup of an unknown email = %v, want NotFound", err)
			}
			_, err = e.client.Users().Create(e.ctx, lms.User{FirstName: "J", LastName: "D", Email: "jane@example.com", Active: true})
			if !lms.IsAlreadyExists(err) {
				t.Errorf("Create of a taken email = %v, want AlreadyExists", err)
			}
			_, err = e.client.Users().Create(e.ctx, lms.User{FirstName: "J", LastName: "D", Email: "not-an-email", Active: true})
			if lms.KindOf(err) != lms.KindInvalidRequest || !strings.Contains(lms.Message(err), "email") {
				t.Errorf("Create with a bad email = %v, want InvalidRequest naming the email", err)
			}
		})
	}
}

func TestTransportErrors(t *testing.T) {
	budget := &lms.Error{Kind: lms.KindRateLimited, Op: "budget", RetryAfter: 42 * time.Second}
	cases := map[string]struct {
		err       error
		wantKind  lms.ErrorKind
		wantRetry time.Duration
	}{
		"budget refusal keeps its kind": {fmt.Errorf("budget: %w", budget), lms.KindRateLimited, 42 * time.Second},
		"connection refused":            {errors.New("dial tcp: connection refused"), lms.KindTransient, 0},
		"timeout":                       {context.DeadlineExceeded, lms.KindTransient, 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cl, err := New(lms.Config{BaseURL: "https://acme.2leap.com/api/", Credentials: map[string][]byte{CredentialsKey: []byte(testToken)},
				HTTPClient: &http.Client{Transport: lmstest.FailingTransport{Err: tc.err}}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = cl.Users().List(context.Background())
			retry, _ := lms.RetryAfter(err)
			if diff := cmp.Diff([]any{tc.wantKind, tc.wantRetry}, []any{lms.KindOf(err), retry}); diff != "" {
				t.Errorf("kind, retry after of %v (-want +got):\n%s", err, diff)
			}
			lmstest.ExpectNoSecret(t, err, testToken)
		})
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	e := newEnv(t, testSeed())
	e.sim.FailNext(eleapsim.Failure{Code: 4040, Message: "bad api_token " + testToken})
	err := e.client.Verify(e.ctx)
	if err == nil {
		t.Fatal("Verify succeeded, want the failure forced on it")
	}
	lmstest.ExpectNoSecret(t, err, testToken)
}

func TestAnAnswerOverTheReadLimitIsAnError(t *testing.T) {
	e := newEnv(t, testSeed())
	e.client.(*client).wire.maxAnswer = 64
	_, err := e.client.Users().List(e.ctx)
	lmstest.ExpectKind(t, "List of an answer over the read limit", err, lms.KindTransient)
	if msg := lms.Message(err); !strings.Contains(msg, "larger than") || !strings.Contains(msg, "64 bytes") {
		t.Errorf("message %q does not say the answer is over the 64 bytes the client reads", msg)
	}
}

// pauses records the calls of a Config.Pause that lasts for.
type pauses struct {
	asked []time.Duration
	lasts time.Duration
}

// config sets p as the Config's Pause.
func (p *pauses) config(c *lms.Config) {
	c.Pause = func(d time.Duration) time.Duration {
		p.asked = append(p.asked, d)
		return p.lasts
	}
}

func TestARateLimitInTheBodyPausesTheConnection(t *testing.T) {
	type want struct {
		asked []time.Duration
		retry time.Duration
		kind  lms.ErrorKind
	}
	cases := map[string]struct {
		reason  string
		failure eleapsim.Failure
		noPause bool
		want    want
	}{
		"CodeInA200Body": {"a fail body with code 429 and HTTP 200 pauses the connection for the budget's backoff (0 asked)",
			eleapsim.Failure{Code: 429, HTTPStatus: 200}, false,
			want{asked: []time.Duration{0}, retry: 7 * time.Minute, kind: lms.KindRateLimited}},
		"WithRetryAfter": {"its Retry-After is what the pause is asked for",
			eleapsim.Failure{Code: 429, HTTPStatus: 200, RetryAfter: "120"}, false,
			want{asked: []time.Duration{2 * time.Minute}, retry: 7 * time.Minute, kind: lms.KindRateLimited}},
		"HTTP429": {"an HTTP 429 that reaches the client (no budget transport in front) pauses too",
			eleapsim.Failure{HTTPStatus: 429, RetryAfter: "30"}, false,
			want{asked: []time.Duration{30 * time.Second}, retry: 7 * time.Minute, kind: lms.KindRateLimited}},
		"NoPause": {"without Config.Pause the error carries the Retry-After",
			eleapsim.Failure{Code: 429, HTTPStatus: 200, RetryAfter: "120"}, true,
			want{retry: 2 * time.Minute, kind: lms.KindRateLimited}},
		"OtherFailure": {"another failure pauses nothing",
			eleapsim.Failure{Code: 4040, HTTPStatus: 200}, false,
			want{kind: lms.KindInvalidRequest}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := &pauses{lasts: 7 * time.Minute}
			var opts []func(*lms.Config)
			if !tc.noPause {
				opts = append(opts, p.config)
			}
			e := newEnv(t, testSeed(), opts...)
			e.sim.FailNext(tc.failure)
			_, err := e.client.Users().List(e.ctx)
			retry, _ := lms.RetryAfter(err)
			got := want{asked: p.asked, retry: retry, kind: lms.KindOf(err)}
			lmstest.Check(t, tc.reason, "List", tc.want, got, cmp.AllowUnexported(want{}))
		})
	}
}

func TestVendorMessagesAreBoundedAndRedacted(t *testing.T) {
	e := newEnv(t, testSeed())
	e.sim.FailNext(eleapsim.Failure{Code: 4040, Message: "Sent data failed: POST /api/users/add?api_token=leaked-1234&email=a@b.c with " +
		testToken + " " + strings.Repeat("and more ", 60)})
	_, err := e.client.Users().Create(e.ctx, lms.User{Email: "a@example.com", FirstName: "A", LastName: "B"})
	msg := lms.Message(err)
	lmstest.ExpectNoSecretIn(t, "message", msg, testToken, "leaked-1234")
	if n := utf8.RuneCountInString(msg); n > lms.MaxMessage || !strings.HasPrefix(msg, "Sent data failed: POST /api/users/add?api_token=[redacted]&email") {
		t.Errorf("message of %d characters %q: want at most %d, eLeaP's words with the credential redacted", n, msg, lms.MaxMessage)
	}
}
