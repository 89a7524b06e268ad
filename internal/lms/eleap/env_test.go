package eleap

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
)

const testToken = "s3cr3t-token-value"

// now is the simulator's and the client's clock in tests.
var testNow = time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)

// testSeed is a small eLeaP company: two users, a group, two courses and a
// learning path holding both. Its user answers carry active and
// custom_fields (the lenient reading of the document, whose examples show
// neither), so that their values are tested; see
// TestUsersAsTheDocumentShowsThemReportWhatTheyLack for the strict one.
func testSeed() eleapsim.Seed {
	inactive := false
	return eleapsim.Seed{
		UserActive: true, UserCustomFields: true,
		APITokens:       []string{testToken},
		ForbiddenTokens: []string{"token-of-another-subdomain"},
		CustomFields:    []string{"Department", "Location"},
		Users: []eleapsim.SeedUser{
			{User: eleapsim.User{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com", AccessLevel: 1,
				CustomFields: map[string]string{"Department": "Sales"}}},
			{User: eleapsim.User{FirstName: "John", MiddleName: "Q", LastName: "Roe", Email: "john@example.com", AccessLevel: 3}, Active: &inactive},
		},
		UserGroups:    []eleapsim.UserGroup{{Name: "Sales", Description: "sellers", Active: true}},
		Courses:       []eleapsim.Course{{ID: "10", Name: "Safety", Active: true}, {ID: "11", Name: "Privacy", Active: true}},
		LearningPaths: []eleapsim.LearningPath{{ID: "20", Name: "Onboarding", Active: true, Courses: []string{"10", "11"}}},
		Memberships:   []eleapsim.Membership{{GroupID: "1", Email: "john@example.com"}},
	}
}

// A call is one request as the recorder saw it.
type call struct {
	Op   string
	Path string
	Form url.Values
}

// recorder is a RoundTripper that records every request, then forwards it.
type recorder struct {
	mu    sync.Mutex
	calls []call
	next  http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	form, _ := url.ParseQuery(string(body))
	req.Body = io.NopCloser(strings.NewReader(string(body)))
	r.mu.Lock()
	r.calls = append(r.calls, call{Op: lms.Operation(req.Context()), Path: req.URL.Path, Form: form})
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

// ops returns the operations called so far and forgets them.
func (r *recorder) ops() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.calls))
	for _, c := range r.calls {
		out = append(out, c.Op)
	}
	r.calls = nil
	return out
}

// last returns the last request.
func (r *recorder) last() call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[len(r.calls)-1]
}

// env is a client talking to a simulator over real HTTP.
type env struct {
	sim    *eleapsim.Sim
	rec    *recorder
	client lms.Client
	ctx    context.Context
}

// newEnv starts a simulator of seed and a client of it with testToken;
// opts change the client's Config.
func newEnv(t *testing.T, seed eleapsim.Seed, opts ...func(*lms.Config)) *env {
	t.Helper()
	sim := eleapsim.New(seed)
	sim.Now = func() time.Time { return testNow }
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	rec := &recorder{next: srv.Client().Transport}
	cfg := lms.Config{
		BaseURL:     srv.URL + "/api",
		Credentials: map[string][]byte{CredentialsKey: []byte(testToken + "\n")},
		HTTPClient:  &http.Client{Transport: rec, Timeout: 10 * time.Second},
	}
	for _, o := range opts {
		o(&cfg)
	}
	cl, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	cl.(*client).wire.now = func() time.Time { return testNow }
	return &env{sim: sim, rec: rec, client: cl, ctx: context.Background()}
}
