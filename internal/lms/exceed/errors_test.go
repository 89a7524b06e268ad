package exceed

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
	"github.com/lmsoperator/lms-operator/internal/lmssim/exceedsim"
)

// allOperations runs every client operation once and returns their errors by name.
func allOperations(ctx context.Context, c lms.Client) map[string]error {
	users := c.Users()
	u := lmsUser("5", "u5")
	errs := map[string]error{"Verify": c.Verify(ctx)}
	_, errs["List"] = users.List(ctx)
	_, errs["Lookup"] = users.Lookup(ctx, "u5", "u5@example.com")
	_, errs["Create"] = users.Create(ctx, u)
	_, errs["Update"] = users.Update(ctx, u, u)
	errs["SetActive"] = users.SetActive(ctx, u, false)
	errs["Delete"] = users.Delete(ctx, u)
	return errs
}

func TestEveryOperationNamesItsOperation(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{Users: seedUsers(5)})
	for name, err := range allOperations(context.Background(), e.client) {
		if err != nil && name != "Create" {
			t.Errorf("%s: %v", name, err)
		}
	}
	want := map[string]bool{"GET /api/v2/users": true, "POST /api/v2/users": true,
		"PUT /api/v2/users/{id}": true, "DELETE /api/v2/users/{id}": true}
	got := map[string]bool{}
	for _, op := range e.operations() {
		got[op] = true
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("operation names (-want +got):\n%s", diff)
	}
}

func TestStatusesMapOntoErrorKinds(t *testing.T) {
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	cases := map[string]struct {
		status     int
		header     map[string]string
		body       string
		kind       lms.ErrorKind
		retryAfter time.Duration
	}{
		"401":                  {401, nil, `{"errors": ["Invalid API key"]}`, lms.KindInvalidCredentials, 0},
		"403":                  {403, nil, ``, lms.KindForbidden, 0},
		"404":                  {404, nil, `{"errors": ["User not found"]}`, lms.KindNotFound, 0},
		"400":                  {400, nil, `{"errors": ["bad"]}`, lms.KindInvalidRequest, 0},
		"429 in seconds":       {429, map[string]string{"Retry-After": "120"}, ``, lms.KindRateLimited, 120 * time.Second},
		"429 as HTTP date":     {429, map[string]string{"Retry-After": date}, ``, lms.KindRateLimited, 90 * time.Second},
		"429 without header":   {429, nil, ``, lms.KindRateLimited, 0},
		"500":                  {500, nil, `oops`, lms.KindTransient, 0},
		"503":                  {503, nil, ``, lms.KindTransient, 0},
		"408":                  {408, nil, ``, lms.KindTransient, 0},
		"200, malformed JSON":  {200, nil, `[{"id": 1, "first_na`, lms.KindTransient, 0},
		"200, HTML":            {200, nil, `<html>maintenance</html>`, lms.KindTransient, 0},
		"200, empty body":      {200, nil, ``, lms.KindTransient, 0},
		"200, object not list": {200, nil, `{"id": 1}`, lms.KindTransient, 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, exceedsim.Seed{})
			e.answer(tc.status, tc.header, tc.body)
			_, err := e.users.List(context.Background())
			lmstest.ExpectKind(t, "", err, tc.kind)
			lmstest.ExpectNoSecret(t, err, testKey)
			got, _ := lms.RetryAfter(err)
			if diff := got - tc.retryAfter; diff < -2*time.Second || diff > 2*time.Second {
				t.Errorf("RetryAfter = %s, want about %s", got, tc.retryAfter)
			}
		})
	}
}

func TestCreateWithAMalformedAnswerIsTransient(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{})
	e.answer(201, nil, `{"id": "x", "password": "leaked?"`)
	_, err := e.users.Create(context.Background(), lmsUser("", "a"))
	lmstest.ExpectKind(t, "", err, lms.KindTransient)
}

func TestTransportErrors(t *testing.T) {
	budget := &lms.Error{Kind: lms.KindRateLimited, Op: "budget", Message: "no token", RetryAfter: 30 * time.Second}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := map[string]struct {
		ctx        context.Context
		rt         http.RoundTripper
		kind       lms.ErrorKind
		retryAfter time.Duration
		wraps      error
	}{
		"budget's RateLimited passes through": {context.Background(), lmstest.FailingTransport{Err: budget}, lms.KindRateLimited, 30 * time.Second, budget},
		"wrapped budget error":                {context.Background(), lmstest.FailingTransport{Err: fmt.Errorf("budget transport: %w", budget)}, lms.KindRateLimited, 30 * time.Second, budget},
		"error quoting the URL":               {context.Background(), lmstest.FailingTransport{}, lms.KindTransient, 0, nil},
		"connection refused":                  {context.Background(), http.DefaultTransport, lms.KindTransient, 0, nil},
		"cancelled context":                   {cancelled, http.DefaultTransport, lms.KindTransient, 0, context.Canceled},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, exceedsim.Seed{})
			base := e.base
			if name == "connection refused" {
				base = "http://127.0.0.1:1/api/v2"
			}
			c := e.newClient(t, base, testKey, tc.rt)
			for op, err := range allOperations(tc.ctx, c) {
				lmstest.ExpectKind(t, "", err, tc.kind)
				lmstest.ExpectNoSecret(t, err, testKey)
				if got, _ := lms.RetryAfter(err); got != tc.retryAfter {
					t.Errorf("%s: RetryAfter = %s, want %s", op, got, tc.retryAfter)
				}
				if tc.wraps != nil && !errors.Is(err, tc.wraps) {
					t.Errorf("%s: error %v does not wrap %v", op, err, tc.wraps)
				}
			}
		})
	}
}

func TestAPIKeyNeverAppearsInErrors(t *testing.T) {
	failures := map[string]func(e *env) lms.Client{
		"wrong key": func(e *env) lms.Client { return e.newClient(t, e.base, testKey+"x", http.DefaultTransport) },
		"server echoes the query": func(e *env) lms.Client {
			e.intercept = func(w http.ResponseWriter, r *http.Request) bool {
				w.WriteHeader(422)
				_, _ = fmt.Fprintf(w, `{"errors": ["bad request %s", "%s"]}`, r.URL.String(), r.URL.Query().Get("api_key"))
				return true
			}
			return e.client
		},
		"server echoes the body": func(e *env) lms.Client {
			e.intercept = func(w http.ResponseWriter, r *http.Request) bool {
				b := make([]byte, 4096)
				n, _ := r.Body.Read(b)
				w.WriteHeader(500)
				_, _ = fmt.Fprintf(w, `{"errors": [%q]}`, string(b[:n]))
				return true
			}
			return e.client
		},
		"transport quotes the URL": func(e *env) lms.Client { return e.newClient(t, e.base, testKey, lmstest.FailingTransport{}) },
		"unreachable": func(e *env) lms.Client {
			return e.newClient(t, "http://127.0.0.1:1/api/v2", testKey, http.DefaultTransport)
		},
	}
	for name, setup := range failures {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, exceedsim.Seed{Users: seedUsers(5)})
			c := setup(e)
			ctx := context.Background()
			errs := allOperations(ctx, c)
			_, errs["Create with password"] = c.Users().Create(ctx, lms.User{ExternalID: "new", Email: "new@example.com", FirstName: "F", LastName: "L"})
			for op, err := range errs {
				if err == nil {
					t.Errorf("%s succeeded, want a failure", op)
					continue
				}
				lmstest.ExpectNoSecret(t, err, testKey)
				for _, s := range []string{fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
					if strings.Contains(s, testKey) {
						t.Errorf("%s: formatted error %q holds the api_key", op, s)
					}
				}
			}
		})
	}
}

func TestGeneratedPasswordNeverAppearsInErrors(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{})
	var sent string
	e.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		b := make([]byte, 4096)
		n, _ := r.Body.Read(b)
		body := string(b[:n])
		i := strings.Index(body, `"password":"`)
		sent = body[i+len(`"password":"`):]
		sent = sent[:strings.Index(sent, `"`)]
		w.WriteHeader(422)
		_, _ = fmt.Fprintf(w, `{"errors": ["Password %s is too weak"]}`, sent)
		return true
	}
	_, err := e.users.Create(context.Background(), lmsUser("", "a"))
	lmstest.ExpectKind(t, "", err, lms.KindInvalidRequest)
	if sent == "" {
		t.Fatal("no password was sent")
	}
	lmstest.ExpectNoSecret(t, err, testKey, sent)
}

func TestStatusErrorClassifies(t *testing.T) {
	type args struct {
		status     int
		retryAfter string
		body       string
		secret     string
	}
	op := "exceed " + opCreateUser
	cases := map[string]struct {
		reason string
		args   args
		want   *lms.Error
	}{
		"Unauthorized": {"401 is InvalidCredentials and says the api_key was refused",
			args{status: 401, body: `{"errors": ["Invalid API key"]}`},
			&lms.Error{Kind: lms.KindInvalidCredentials, Op: op, Code: "401", Message: "Exceed refused the api_key: Invalid API key"}},
		"Taken": {"a 422 whose every reason says a value is taken is AlreadyExists",
			args{status: 422, body: `{"errors": ["Login has already been taken"]}`},
			&lms.Error{Kind: lms.KindAlreadyExists, Op: op, Code: "422", Message: "login already taken by another user: Login has already been taken"}},
		"Invalid": {"any other 422 is InvalidRequest with the reasons joined",
			args{status: 422, body: `{"errors": ["Email is invalid", "Zip is too long"]}`},
			&lms.Error{Kind: lms.KindInvalidRequest, Op: op, Code: "422", Message: "Email is invalid; Zip is too long"}},
		"Conflict": {"409 is AlreadyExists; without reasons the status text is the message",
			args{status: 409},
			&lms.Error{Kind: lms.KindAlreadyExists, Op: op, Code: "409", Message: "Conflict"}},
		"RateLimited": {"429 is RateLimited with its Retry-After",
			args{status: 429, retryAfter: "120"},
			&lms.Error{Kind: lms.KindRateLimited, Op: op, Code: "429", Message: "Too Many Requests", RetryAfter: 2 * time.Minute}},
		"Timeout": {"408 is Transient, not a refusal of the request",
			args{status: 408},
			&lms.Error{Kind: lms.KindTransient, Op: op, Code: "408", Message: "Request Timeout"}},
		"OtherClientError": {"another 4xx is InvalidRequest",
			args{status: 400, body: `["bad"]`},
			&lms.Error{Kind: lms.KindInvalidRequest, Op: op, Code: "400", Message: "bad"}},
		"Redacted": {"the api_key and the request's secret are redacted from the reasons",
			args{status: 422, body: `{"errors": ["key ` + testKey + ` and password pw-123456 refused"]}`, secret: "pw-123456"},
			&lms.Error{Kind: lms.KindInvalidRequest, Op: op, Code: "422", Message: "key [redacted] and password [redacted] refused"}},
	}
	w := &wireClient{apiKey: testKey}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.args.status, Header: http.Header{"Retry-After": {tc.args.retryAfter}}}
			got := lmstest.AsError(w.statusError(request{op: opCreateUser, secret: tc.args.secret}, resp, []byte(tc.args.body), false))
			lmstest.Check(t, tc.reason, "statusError", tc.want, got, lmstest.IgnoreCause)
		})
	}
}

func TestAnAnswerOverTheReadLimitIsAnError(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{Users: seedUsers(3)})
	e.client.(*client).wire.maxResponse = 64
	_, err := e.users.List(context.Background())
	lmstest.ExpectKind(t, "List of an answer over the read limit", err, lms.KindTransient)
	if msg := lms.Message(err); !strings.Contains(msg, "larger than") || !strings.Contains(msg, "64 bytes") {
		t.Errorf("message %q does not say the answer is over the 64 bytes the client reads", msg)
	}
}

func TestVendorMessagesAreBoundedAndRedacted(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{})
	e.answer(422, nil, `{"errors": ["bad request /api/v2/users?api_key=another-key&page=1", "`+strings.Repeat("and more ", 60)+`"]}`)
	_, err := e.users.Create(context.Background(), lmsUser("", "a"))
	msg := lms.Message(err)
	lmstest.ExpectNoSecretIn(t, "message", msg, testKey, "another-key")
	if n := utf8.RuneCountInString(msg); n > lms.MaxMessage || !strings.HasPrefix(msg, "bad request /api/v2/users?api_key=[redacted]&page=1; and more") {
		t.Errorf("message of %d characters %q: want at most %d, Exceed's reasons with the credential redacted", n, msg, lms.MaxMessage)
	}
}
