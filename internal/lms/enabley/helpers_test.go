package enabley

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
)

// The test credentials: long enough to be redacted wherever they appear.
const (
	testKey    = "ck-test-7f3a9e"
	testSecret = "sk-test-b41c2d8e"
)

// secrets are what no error may show: the credentials, and the query
// parameters that carry them.
var secrets = []string{testKey, testSecret, "clientKey=", "secret="}

// testSeed is an account with five users (page size 2: three pages), a
// Company > Department hierarchy and two channels.
func testSeed() enableysim.Seed {
	var users []enableysim.User
	for i := 1; i <= 5; i++ {
		id := fmt.Sprintf("u%d", i)
		users = append(users, enableysim.User{Identifier: id, Email: id + "@example.com", Username: id + "@example.com",
			FirstName: "First" + id, LastName: "Last" + id, PossibleRoles: []string{"LEARNER"}, IsActive: true,
			SubAccountNames: []string{"emea"}})
	}
	users[2].SubAccountNames = []string{"apac"}
	users[3].PossibleRoles = []string{"LEARNER", "SITE_ADMIN"}
	users[4].CustomAttributes = map[string]any{"site": "Lyon", "level": 3}
	return enableysim.Seed{
		Clients:        []enableysim.ClientCredential{{ClientKey: testKey, Secret: testSecret}},
		PageSize:       2,
		SubAccounts:    []string{"emea", "apac"},
		Users:          users,
		GroupHierarchy: []string{"Company", "Department"},
		Groups: []enableysim.Group{
			{Identifier: "acme", Name: "Acme", Type: "Company", Members: []string{"u1"}},
		},
		Channels: []enableysim.Channel{
			{Identifier: "c1", Name: "Safety"},
			{Identifier: "c2", Name: "Ethics"},
			{Identifier: "c3", Name: "Privacy"},
		},
	}
}

// An env is a client talking over HTTP to a simulator, on a fake clock
// shared by both, with every request recorded.
type env struct {
	t      *testing.T
	sim    *enableysim.Sim
	clock  *clocktesting.FakeClock
	rec    *recorder
	client lms.Client
}

// envOption changes the Config or the recorder before the client is built.
type envOption func(*lms.Config, *recorder)

func withSubAccount(sub string) envOption {
	return func(c *lms.Config, _ *recorder) { c.SubAccountName = sub }
}

func withCredentials(key, secret string) envOption {
	return func(c *lms.Config, _ *recorder) {
		c.Credentials = map[string][]byte{CredentialClientKey: []byte(key), CredentialSecret: []byte(secret)}
	}
}

// withTransportError makes the transport fail every call to endpoint with err.
func withTransportError(endpoint string, err error) envOption {
	return func(_ *lms.Config, r *recorder) { r.failEndpoint, r.failErr = endpoint, err }
}

func newEnv(t *testing.T, seed enableysim.Seed, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, sim: enableysim.New(seed), clock: clocktesting.NewFakeClock(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))}
	e.sim.Now = e.clock.Now
	srv := httptest.NewServer(e.sim)
	t.Cleanup(srv.Close)
	e.rec = &recorder{t: t, sim: e.sim, next: srv.Client().Transport}
	cfg := lms.Config{
		BaseURL:     srv.URL,
		Credentials: map[string][]byte{CredentialClientKey: []byte(testKey), CredentialSecret: []byte(testSecret)},
		HTTPClient:  &http.Client{Transport: e.rec},
	}
	for _, o := range opts {
		o(&cfg, e.rec)
	}
	c, err := NewWithClock(cfg, e.clock)
	if err != nil {
		t.Fatalf("NewWithClock: %v", err)
	}
	e.client = c
	return e
}

// calls returns how many requests went to endpoint since the last reset.
func (e *env) calls(endpoint string) int { return e.rec.count(endpoint) }

// A recorder is the HTTP transport of the tests: it checks that every
// request's operation name is the simulator's endpoint name, counts
// requests by endpoint, and can fail an endpoint or replace its answers.
type recorder struct {
	t    *testing.T
	sim  *enableysim.Sim
	next http.RoundTripper

	failEndpoint string
	failErr      error
	// before, if set, sees every request before it is sent.
	before func(*http.Request)
	// answers replaces the answers of endpoints with 200 and this body.
	answers map[string]string

	mu    sync.Mutex
	byEP  map[string]int
	order []string
}

// RoundTrip implements http.RoundTripper.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	ep := r.sim.Endpoint(req)
	if op := lms.Operation(req.Context()); op != ep {
		r.t.Errorf("request %s %s carries operation %q, want the endpoint name %q", req.Method, req.URL.Path, op, ep)
	}
	r.mu.Lock()
	if r.byEP == nil {
		r.byEP = map[string]int{}
	}
	r.byEP[ep]++
	r.order = append(r.order, ep)
	r.mu.Unlock()
	if r.before != nil {
		r.before(req)
	}
	if r.failErr != nil && (r.failEndpoint == "" || r.failEndpoint == ep) {
		return nil, r.failErr
	}
	if body, ok := r.answers[ep]; ok && ep != opToken {
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Request: req,
			Body: io.NopCloser(strings.NewReader(body))}, nil
	}
	return r.next.RoundTrip(req)
}

func (r *recorder) count(endpoint string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byEP[endpoint]
}

// sequence returns the endpoints called, in order, and forgets them.
func (r *recorder) sequence() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.order
	r.order, r.byEP = nil, nil
	return out
}

func ctx(t *testing.T) context.Context { return t.Context() }
