package enabley

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/lmstest"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
)

func TestNewNamesTheMissingCredential(t *testing.T) {
	cases := map[string]struct {
		creds   map[string][]byte
		wantKey string
	}{
		"no secret":      {map[string][]byte{"clientKey": []byte("k")}, `"secret"`},
		"no clientKey":   {map[string][]byte{"secret": []byte("s")}, `"clientKey"`},
		"blank":          {map[string][]byte{"clientKey": []byte("  "), "secret": []byte("s")}, `"clientKey"`},
		"no credentials": {nil, `"clientKey"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := New(lms.Config{Credentials: tc.creds, HTTPClient: http.DefaultClient})
			lmstest.RequireKind(t, "New", err, lms.KindInvalidCredentials)
			if !strings.Contains(err.Error(), tc.wantKey) {
				t.Errorf("error %q does not name %s", err, tc.wantKey)
			}
		})
	}
}

func TestNewRefusesBadEndpoint(t *testing.T) {
	creds := map[string][]byte{"clientKey": []byte("k"), "secret": []byte("s")}
	for _, base := range []string{"ftp://x", "::nope", "https://"} {
		_, err := New(lms.Config{BaseURL: base, Credentials: creds, HTTPClient: http.DefaultClient})
		lmstest.RequireKind(t, base, err, lms.KindInvalidRequest)
	}
	if _, err := New(lms.Config{Credentials: creds}); err == nil {
		t.Error("New without HTTPClient succeeded")
	}
	if _, err := New(lms.Config{Credentials: creds, HTTPClient: http.DefaultClient}); err != nil {
		t.Errorf("New with the default endpoint: %v", err)
	}
}

func TestCapabilities(t *testing.T) {
	e := newEnv(t, testSeed())
	want := lms.Capabilities{
		Groups: true, GroupTypes: true, Targets: []lms.TargetKind{lms.TargetChannel}, GroupEnrollment: true,
		Roles:           []lms.Role{lms.RoleLearner, lms.RoleInstructor, lms.RoleManager},
		EnrollmentRoles: []lms.Role{lms.RoleLearner, lms.RoleInstructor},
		CustomFields:    true, CallerChosenUserID: true, Progress: true, TargetProgress: true, UserPageSize: defaultV3PageSize,
	}
	if d := cmp.Diff(want, e.client.Capabilities()); d != "" {
		t.Errorf("before any list (-want +got):\n%s", d)
	}
	if _, err := e.client.Users().List(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got := e.client.Capabilities().UserPageSize; got != 2 {
		t.Errorf("UserPageSize after a v3 list = %d, want the page size the account reported, 2", got)
	}
	if e.client.Groups() == nil || e.client.Enrollments() == nil || e.client.Users() == nil {
		t.Error("a sub-client is nil")
	}
}

func TestVerifyMakesOneTokenCall(t *testing.T) {
	e := newEnv(t, testSeed())
	if err := e.client.Verify(ctx(t)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if d := cmp.Diff([]string{opToken}, e.rec.sequence()); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
	if _, err := e.client.Users().Lookup(ctx(t), "u1", ""); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{opGetUser}, e.rec.sequence()); d != "" {
		t.Errorf("Verify's token was not reused (-want +got):\n%s", d)
	}
}

func TestWrongCredentialsAreInvalidCredentials(t *testing.T) {
	e := newEnv(t, testSeed(), withCredentials(testKey, "sk-wrong-secret"))
	err := e.client.Verify(ctx(t))
	lmstest.RequireKind(t, "Verify", err, lms.KindInvalidCredentials)
	var le *lms.Error
	if errors.As(err, &le); le.Code != "invalid_client" {
		t.Errorf("code %q, want invalid_client", le.Code)
	}
	_, err = e.client.Users().List(ctx(t))
	lmstest.RequireKind(t, "List", err, lms.KindInvalidCredentials)
	lmstest.ExpectNoSecretIn(t, "error", err.Error(), secrets...)
	if strings.Contains(err.Error(), "sk-wrong-secret") {
		t.Errorf("error leaks the wrong secret: %v", err)
	}
}

func TestTokenIsCachedUntilShortlyBeforeExpiry(t *testing.T) {
	seed := testSeed()
	seed.TokenTTL = enableysim.Duration(10 * time.Minute)
	e := newEnv(t, seed)
	lookup := func() {
		t.Helper()
		if _, err := e.client.Users().Lookup(ctx(t), "u1", ""); err != nil {
			t.Fatal(err)
		}
	}
	lookup()
	e.clock.Step(8 * time.Minute)
	lookup()
	if got := e.calls(opToken); got != 1 {
		t.Errorf("token calls within the lifetime: %d, want 1", got)
	}
	e.clock.Step(time.Minute + time.Second) // inside the last tenth of the lifetime
	lookup()
	want := []string{opToken, opGetUser, opGetUser, opToken, opGetUser}
	if d := cmp.Diff(want, e.rec.sequence()); d != "" {
		t.Errorf("the token was not renewed before it expired (-want +got):\n%s", d)
	}
}

func TestExpiredTokenIsRefreshedOnceOn401(t *testing.T) {
	e := newEnv(t, testSeed())
	if _, err := e.client.Users().Lookup(ctx(t), "u1", ""); err != nil {
		t.Fatal(err)
	}
	e.rec.sequence()
	e.sim.ExpireTokens()
	if _, err := e.client.Users().Lookup(ctx(t), "u2", ""); err != nil {
		t.Fatalf("after ExpireTokens: %v", err)
	}
	if d := cmp.Diff([]string{opGetUser, opToken, opGetUser}, e.rec.sequence()); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
}

func TestRepeated401IsInvalidCredentials(t *testing.T) {
	e := newEnv(t, testSeed())
	e.sim.InjectFault(enableysim.Fault{Endpoint: opGetUser, Error: "invalid_client", Description: "Access token expired", Times: 2})
	_, err := e.client.Users().Lookup(ctx(t), "u1", "")
	lmstest.RequireKind(t, "Lookup", err, lms.KindInvalidCredentials)
	if d := cmp.Diff([]string{opToken, opGetUser, opToken, opGetUser}, e.rec.sequence()); d != "" {
		t.Errorf("want exactly one refresh and one retry (-want +got):\n%s", d)
	}
}

func TestRefreshRefusedIsInvalidCredentials(t *testing.T) {
	e := newEnv(t, testSeed())
	if err := e.client.Verify(ctx(t)); err != nil {
		t.Fatal(err)
	}
	e.sim.ExpireTokens()
	e.sim.InjectFault(enableysim.Fault{Endpoint: opToken, Error: "invalid_client", Description: "Bad client credentials"})
	_, err := e.client.Users().Lookup(ctx(t), "u1", "")
	lmstest.RequireKind(t, "Lookup", err, lms.KindInvalidCredentials)
}

func TestConcurrentCallersShareOneTokenFetch(t *testing.T) {
	const callers = 16
	e := newEnv(t, testSeed())
	var started atomic.Int32
	e.rec.before = func(r *http.Request) {
		if e.sim.Endpoint(r) != opToken {
			return
		}
		// Hold the token call until every caller has started, then a little
		// longer so that all of them join it.
		for deadline := time.Now().Add(5 * time.Second); started.Load() < callers && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Add(1)
			if _, err := e.client.Users().Lookup(ctx(t), "u1", ""); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := e.calls(opToken); got != 1 {
		t.Errorf("token calls: %d, want 1 shared by all callers", got)
	}
	if got := e.calls(opGetUser); got != callers {
		t.Errorf("user calls: %d, want %d", got, callers)
	}
}

func TestErrorValuesMapToKinds(t *testing.T) {
	cases := map[string]struct {
		fault    enableysim.Fault
		wantKind lms.ErrorKind
		wantCode string
	}{
		"invalid_request":     {enableysim.Fault{Error: "invalid_request", Description: "Bad input"}, lms.KindInvalidRequest, "invalid_request"},
		"invalid_client":      {enableysim.Fault{Error: "invalid_client", Description: "Bad token", Times: 2}, lms.KindInvalidCredentials, "invalid_client"},
		"not_found":           {enableysim.Fault{Error: "not_found", Description: "Nothing"}, lms.KindNotFound, "not_found"},
		"access_denied":       {enableysim.Fault{Error: "access_denied", Description: "Access is denied"}, lms.KindForbidden, "access_denied"},
		"general_error":       {enableysim.Fault{Error: "general_error", Description: "Oops"}, lms.KindTransient, "general_error"},
		"item_exists":         {enableysim.Fault{Error: "item_exists", Description: "Exists"}, lms.KindAlreadyExists, "item_exists"},
		"item_not_exists":     {enableysim.Fault{Error: "item_not_exists", Description: "Gone"}, lms.KindNotFound, "item_not_exists"},
		"service_unavailable": {enableysim.Fault{Error: "service_unavailable", Description: "Down"}, lms.KindTransient, "service_unavailable"},
		"unknown value 400":   {enableysim.Fault{Error: "weird", Status: 400, Description: "Huh"}, lms.KindInvalidRequest, "weird"},
		"unknown value 502":   {enableysim.Fault{Error: "weird", Status: 502, Description: "Huh"}, lms.KindTransient, "weird"},
		"unknown value 409":   {enableysim.Fault{Error: "weird", Status: 409, Description: "Huh"}, lms.KindAlreadyExists, "weird"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, testSeed())
			tc.fault.Endpoint = opGetUser
			e.sim.InjectFault(tc.fault)
			_, err := e.client.Users().Lookup(ctx(t), "u1", "")
			var le *lms.Error
			if !errors.As(err, &le) {
				t.Fatalf("error %v is not an *lms.Error", err)
			}
			got := []string{string(le.Kind), le.Code, le.Message, le.Op}
			want := []string{string(tc.wantKind), tc.wantCode, tc.fault.Description, "enabley " + opGetUser}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("kind, code, message, op (-want +got):\n%s", d)
			}
		})
	}
}

func TestRateLimitedCarriesRetryAfter(t *testing.T) {
	cases := map[string]struct {
		header string
		want   time.Duration
	}{
		"seconds":   {"120", 2 * time.Minute},
		"HTTP date": {"Sat, 01 Mar 2025 09:05:00 GMT", 5 * time.Minute},
		"absent":    {"", 0},
		"garbage":   {"soon", 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, testSeed())
			e.sim.InjectFault(enableysim.Fault{Endpoint: opListUsersV3, Error: "rate_limited", Status: 429, RetryAfter: tc.header})
			_, err := e.client.Users().List(ctx(t))
			lmstest.RequireKind(t, "List", err, lms.KindRateLimited)
			if got, ok := lms.RetryAfter(err); !ok || got != tc.want {
				t.Errorf("RetryAfter = %v, %v; want %v", got, ok, tc.want)
			}
		})
	}
}

func TestBudgetErrorFromTheTransportIsWrapped(t *testing.T) {
	budget := &lms.Error{Kind: lms.KindRateLimited, Op: "budget", Message: "no token", RetryAfter: 30 * time.Second}
	e := newEnv(t, testSeed(), withTransportError(opGetUser, budget))
	_, err := e.client.Users().Lookup(ctx(t), "u1", "")
	var le *lms.Error
	if !errors.As(err, &le) || le != budget {
		t.Fatalf("error %v does not wrap the transport's *lms.Error", err)
	}
	if d, _ := lms.RetryAfter(err); d != 30*time.Second {
		t.Errorf("RetryAfter = %v, want 30s", d)
	}
}

func TestTransportErrorsHideTheURLAndSecrets(t *testing.T) {
	e := newEnv(t, testSeed(), withTransportError(opToken, errors.New("connection reset")))
	err := e.client.Verify(ctx(t))
	lmstest.RequireKind(t, "Verify", err, lms.KindTransient)
	lmstest.ExpectNoSecretIn(t, "transport error", err.Error(), secrets...)
	if strings.Contains(err.Error(), "http://") || strings.Contains(err.Error(), "?") || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("error %q should keep the cause and drop the URL", err)
	}
}

func TestVendorMessagesAreRedacted(t *testing.T) {
	e := newEnv(t, testSeed())
	e.sim.InjectFault(enableysim.Fault{Endpoint: opToken, Error: "invalid_client",
		Description: "client " + testKey + " with secret " + testSecret + " is locked"})
	err := e.client.Verify(ctx(t))
	lmstest.RequireKind(t, "Verify", err, lms.KindInvalidCredentials)
	lmstest.ExpectNoSecretIn(t, "vendor message", err.Error(), secrets...)
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("error %q lost the rest of the vendor's message", err)
	}
}

func TestMalformedAnswerIsTransient(t *testing.T) {
	e := newEnv(t, testSeed())
	e.rec.answers = map[string]string{opGetUser: `{"identifier": 12}`}
	_, err := e.client.Users().Lookup(ctx(t), "u1", "")
	lmstest.RequireKind(t, "Lookup", err, lms.KindTransient)
}

func TestEmptyErrorBodyIsClassifiedByStatus(t *testing.T) {
	cases := map[int]lms.ErrorKind{
		400: lms.KindInvalidRequest, 403: lms.KindForbidden, 404: lms.KindNotFound,
		409: lms.KindAlreadyExists, 500: lms.KindTransient, 503: lms.KindTransient,
	}
	for status, want := range cases {
		got := httpError(opGetUser, status, http.Header{}, nil, time.Now(), func(s string) string { return s })
		if got.Kind != want || got.Code != strconv.Itoa(status) {
			t.Errorf("status %d: kind %q code %q, want %q and the status as code", status, got.Kind, got.Code, want)
		}
	}
}

func TestAnAnswerOverTheReadLimitIsAnError(t *testing.T) {
	e := newEnv(t, testSeed())
	if err := e.client.Verify(ctx(t)); err != nil {
		t.Fatal(err)
	}
	e.client.(*client).wire.maxAnswer = 64
	_, err := e.client.Users().Lookup(ctx(t), "u5", "")
	lmstest.ExpectKind(t, "Lookup of an answer over the read limit", err, lms.KindTransient)
	if msg := lms.Message(err); !strings.Contains(msg, "larger than") || !strings.Contains(msg, "64 bytes") {
		t.Errorf("message %q does not say the answer is over the 64 bytes the client reads", msg)
	}
}

func TestVendorMessagesAreBoundedAndRedacted(t *testing.T) {
	e := newEnv(t, testSeed())
	e.sim.InjectFault(enableysim.Fault{Endpoint: opGetUser, Error: "invalid_request",
		Description: "bad GET /api/v1/token?clientKey=other-client&secret=other-secret " + url.QueryEscape(testSecret) + strings.Repeat(" and more", 60)})
	_, err := e.client.Users().Lookup(ctx(t), "u1", "")
	msg := lms.Message(err)
	lmstest.ExpectNoSecretIn(t, "message", msg, testKey, testSecret)
	lmstest.ExpectNoSecretIn(t, "message", msg, "other-client", "other-secret")
	if n := utf8.RuneCountInString(msg); n > lms.MaxMessage || !strings.HasPrefix(msg, "bad GET /api/v1/token?clientKey=[redacted]&secret=[redacted] [redacted]") {
		t.Errorf("message of %d characters %q: want at most %d, Enabley's words with the credentials redacted", n, msg, lms.MaxMessage)
	}
}
