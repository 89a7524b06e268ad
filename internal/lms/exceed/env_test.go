package exceed

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lmssim/exceedsim"
)

// testKey is the api_key of the tests: it has characters that URL encoding
// changes, so that redaction of its escaped form is tested too.
const testKey = "s3cr3t/KEY+v@lue=="

// An env is a client talking over HTTP to a simulator, with a record of
// the calls that reached the server.
type env struct {
	sim *exceedsim.Sim
	// base is the client's base URL, the server's URL + "/api/v2".
	base   string
	client lms.Client
	users  lms.UserClient

	mu sync.Mutex
	// requests are the requests that reached the server: "METHOD path?query".
	requests []*http.Request
	// ops are the operation names the transport saw, in order.
	ops []string
	// intercept, when set, may answer a request instead of the simulator.
	intercept func(w http.ResponseWriter, r *http.Request) bool
}

// newEnv starts a simulator holding seed (accepting testKey) and a client of it.
func newEnv(t *testing.T, seed exceedsim.Seed) *env {
	t.Helper()
	seed.APIKeys = []string{testKey}
	e := &env{sim: exceedsim.New(seed)}
	srv := httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(srv.Close)
	e.base = srv.URL + "/api/v2"
	e.client = e.newClient(t, e.base, testKey, recordOps{e, http.DefaultTransport})
	e.users = e.client.Users()
	return e
}

// newClient builds a client of baseURL with the key, over rt.
func (e *env) newClient(t *testing.T, baseURL, key string, rt http.RoundTripper) lms.Client {
	t.Helper()
	c, err := New(lms.Config{
		BaseURL:     baseURL,
		Credentials: map[string][]byte{CredentialKey: []byte(key)},
		HTTPClient:  &http.Client{Transport: rt},
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// serve records r, then lets intercept or the simulator answer.
func (e *env) serve(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.requests = append(e.requests, r.Clone(r.Context()))
	intercept := e.intercept
	e.mu.Unlock()
	if intercept != nil && intercept(w, r) {
		return
	}
	e.sim.ServeHTTP(w, r)
}

// calls returns the number of requests that reached the server.
func (e *env) calls() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.requests)
}

// queries returns the query of every request that reached the server.
func (e *env) queries() []url.Values {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]url.Values, len(e.requests))
	for i, r := range e.requests {
		out[i] = r.URL.Query()
	}
	return out
}

// operations returns the operation names the transport saw.
func (e *env) operations() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.ops...)
}

// answer makes every later request get status, the header and body.
func (e *env) answer(status int, header map[string]string, body string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.intercept = func(w http.ResponseWriter, _ *http.Request) bool {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
		return true
	}
}

// recordOps is a transport that records lms.Operation of every request.
type recordOps struct {
	e    *env
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (r recordOps) RoundTrip(req *http.Request) (*http.Response, error) {
	r.e.mu.Lock()
	r.e.ops = append(r.e.ops, lms.Operation(req.Context()))
	r.e.mu.Unlock()
	return r.next.RoundTrip(req)
}

// seedUser returns an active simulated user with the id, code and email.
func seedUser(id int64, code, email string) exceedsim.User {
	return exceedsim.User{ID: id, Code: code, Login: email, Email: email, FirstName: "First" + code, LastName: "Last",
		IsActive: true, Authority: "student"}
}

// seedUsers returns n users with ids 1..n, codes u1..un.
func seedUsers(n int) []exceedsim.User {
	out := make([]exceedsim.User, n)
	for i := range n {
		code := "u" + strconv.Itoa(i+1)
		out[i] = seedUser(int64(i+1), code, code+"@example.com")
	}
	return out
}

// lmsUser returns the lms.User a seedUser with the id and code reads as:
// its role is never read.
func lmsUser(id, code string) lms.User {
	return lms.User{ID: id, ExternalID: code, Email: code + "@example.com", FirstName: "First" + code, LastName: "Last",
		Active: true, Unobserved: lms.FieldRole}
}

// httpClient returns a plain HTTP client.
func httpClient() *http.Client { return &http.Client{} }

// key returns credentials holding testKey.
func key() map[string][]byte { return map[string][]byte{CredentialKey: []byte(testKey)} }
