package lmssim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	clocktesting "k8s.io/utils/clock/testing"
)

// A fakeVendor is a tiny vendor: POST /api/items adds an item (a write),
// GET /api/items lists them. It remembers the paths it was called with.
type fakeVendor struct {
	name string

	mu         sync.Mutex
	items      []string
	paths      []string
	adminPaths []string
}

func (f *fakeVendor) Name() string { return f.name }

func (f *fakeVendor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paths = append(f.paths, r.URL.Path)
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/items":
		body, _ := io.ReadAll(r.Body)
		f.items = append(f.items, string(body))
		writeJSON(w, http.StatusOK, map[string]any{"status": "success", "count": len(f.items)})
	case r.Method == http.MethodGet && r.URL.Path == "/api/items":
		writeJSON(w, http.StatusOK, map[string]any{"items": f.items})
	default:
		writeError(w, http.StatusNotFound, "not_found", "no such fake endpoint")
	}
}

func (f *fakeVendor) Admin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.adminPaths = append(f.adminPaths, r.URL.Path)
		writeJSON(w, http.StatusOK, map[string]any{"items": f.items})
	})
}

func (f *fakeVendor) Endpoint(r *http.Request) string { return r.Method + " " + r.URL.Path }

func (f *fakeVendor) IsWrite(r *http.Request) bool { return r.Method == http.MethodPost }

func (f *fakeVendor) itemCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.items)
}

// start serves a Server over vendors with httptest and closes both at the end.
func start(t *testing.T, opts Options, vendors ...Vendor) (*Server, *httptest.Server) {
	t.Helper()
	s := New(opts, vendors...)
	hs := httptest.NewServer(s)
	t.Cleanup(func() {
		s.Close()
		hs.Close()
	})
	return s, hs
}

// A reply is what a test client got back.
type reply struct {
	status     int
	retryAfter string
	body       string
	err        error
}

// call sends one request with a client that never reuses connections, so
// that net/http does not replay a request whose connection was dropped.
func call(t *testing.T, method, url, body string) reply {
	t.Helper()
	return callWith(t, &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}, method, url, body)
}

func callWith(t *testing.T, c *http.Client, method, url, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("build request %s %s: %v", method, url, err)
	}
	return callWithRequest(c, req)
}

// callWithRequest sends req with c and reads the whole answer.
func callWithRequest(c *http.Client, req *http.Request) reply {
	resp, err := c.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), body: string(b), err: err}
}

func TestServerStripsVendorPrefixBeforeCallingVendor(t *testing.T) {
	alpha, beta := &fakeVendor{name: "alpha"}, &fakeVendor{name: "beta"}
	_, hs := start(t, Options{}, alpha, beta)

	cases := map[string]struct {
		path       string
		wantStatus int
	}{
		"vendor path":              {path: "/alpha/api/items", wantStatus: http.StatusOK},
		"query is not in the path": {path: "/beta/api/items?api_token=secret", wantStatus: http.StatusOK},
		"unknown vendor":           {path: "/gamma/api/items", wantStatus: http.StatusNotFound},
		"vendor admin":             {path: "/_sim/alpha/state", wantStatus: http.StatusOK},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := call(t, http.MethodGet, hs.URL+tc.path, ""); got.status != tc.wantStatus {
				t.Errorf("GET %s: status %d, want %d (err %v)", tc.path, got.status, tc.wantStatus, got.err)
			}
		})
	}
	if diff := cmp.Diff([]string{"/api/items"}, alpha.paths); diff != "" {
		t.Errorf("alpha saw paths (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/api/items"}, beta.paths); diff != "" {
		t.Errorf("beta saw paths (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/state"}, alpha.adminPaths); diff != "" {
		t.Errorf("alpha admin saw paths (-want +got):\n%s", diff)
	}
}

func TestServerCountsCallsPerVendorAndEndpoint(t *testing.T) {
	alpha, beta := &fakeVendor{name: "alpha"}, &fakeVendor{name: "beta"}
	s, hs := start(t, Options{}, alpha, beta)

	call(t, http.MethodPost, hs.URL+"/alpha/api/items", "a")
	call(t, http.MethodPost, hs.URL+"/alpha/api/items", "b")
	call(t, http.MethodGet, hs.URL+"/alpha/api/items", "")
	call(t, http.MethodGet, hs.URL+"/beta/api/items", "")
	call(t, http.MethodGet, hs.URL+"/_sim/alpha/state", "")

	want := map[string]int{"POST /api/items": 2, "GET /api/items": 1}
	if diff := cmp.Diff(want, s.Calls("alpha")); diff != "" {
		t.Errorf("alpha calls (-want +got):\n%s", diff)
	}
	if got := s.Total("alpha"); got != 3 {
		t.Errorf("alpha total = %d, want 3 (admin calls must not count)", got)
	}
	if got := s.Total("beta"); got != 1 {
		t.Errorf("beta total = %d, want 1", got)
	}
	s.ResetCalls()
	if got := s.Total("alpha") + len(s.Log("alpha")); got != 0 {
		t.Errorf("after ResetCalls alpha total+log = %d, want 0", got)
	}
}

func TestRateLimitAnswers429WithRetryAfterOverSlidingHour(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clk := clocktesting.NewFakePassiveClock(t0)
	alpha := &fakeVendor{name: "alpha"}
	s, hs := start(t, Options{Clock: clk, Config: map[string]VendorConfig{"alpha": {RequestsPerHour: 3}}}, alpha)

	steps := []struct {
		at             time.Duration
		wantStatus     int
		wantRetryAfter string
	}{
		{at: 0, wantStatus: 200},
		{at: 10 * time.Minute, wantStatus: 200},
		{at: 20 * time.Minute, wantStatus: 200},
		{at: 30 * time.Minute, wantStatus: 429, wantRetryAfter: "1800"},
		{at: 59*time.Minute + 59*time.Second + 500*time.Millisecond, wantStatus: 429, wantRetryAfter: "1"},
		{at: 60 * time.Minute, wantStatus: 200},
		{at: 61 * time.Minute, wantStatus: 429, wantRetryAfter: "540"},
		{at: 70 * time.Minute, wantStatus: 200},
	}
	for _, st := range steps {
		clk.SetTime(t0.Add(st.at))
		got := call(t, http.MethodPost, hs.URL+"/alpha/api/items", "x")
		if got.status != st.wantStatus || got.retryAfter != st.wantRetryAfter {
			t.Errorf("at +%s: status %d Retry-After %q, want %d %q", st.at, got.status, got.retryAfter, st.wantStatus, st.wantRetryAfter)
		}
	}
	if got := s.Count429("alpha"); got != 3 {
		t.Errorf("Count429 = %d, want 3", got)
	}
	if got := s.Total("alpha"); got != len(steps) {
		t.Errorf("Total = %d, want %d: 429s count as calls", got, len(steps))
	}
	if got := alpha.itemCount(); got != 5 {
		t.Errorf("vendor handled %d requests, want 5: a 429 must not reach it", got)
	}
	if got := s.RequestsLastHour("alpha"); got != 3 {
		t.Errorf("RequestsLastHour = %d, want 3: 429s must not count into the window", got)
	}
}

func TestLogRecordsArrivalTimeEndpointAndStatus(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clk := clocktesting.NewFakePassiveClock(t0)
	s, hs := start(t, Options{Clock: clk, Config: map[string]VendorConfig{"alpha": {RequestsPerHour: 1}}}, &fakeVendor{name: "alpha"})

	call(t, http.MethodPost, hs.URL+"/alpha/api/items", "x")
	clk.SetTime(t0.Add(time.Minute))
	call(t, http.MethodGet, hs.URL+"/alpha/api/items", "")

	want := []CallRecord{
		{Time: t0, Endpoint: "POST /api/items", Status: 200},
		{Time: t0.Add(time.Minute), Endpoint: "GET /api/items", Status: 429, Fault: Fault429},
	}
	if diff := cmp.Diff(want, s.Log("alpha")); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
}

func TestInjectedFaultsChangeTheAnswerAndTheVendorState(t *testing.T) {
	cases := map[string]struct {
		fault         Fault
		method        string
		wantStatus    int // 0: the client gets an error
		wantBodyJSON  bool
		wantRetry     string
		wantItems     int
		wantLogStatus int
	}{
		"500 does not reach the vendor": {
			fault: Fault{Kind: Fault500}, method: http.MethodPost, wantStatus: 500, wantBodyJSON: true, wantLogStatus: 500,
		},
		"503 does not reach the vendor": {
			fault: Fault{Kind: Fault503}, method: http.MethodPost, wantStatus: 503, wantBodyJSON: true, wantLogStatus: 503,
		},
		"429 carries Retry-After in seconds": {
			fault: Fault{Kind: Fault429, RetryAfter: 30 * time.Second}, method: http.MethodPost,
			wantStatus: 429, wantBodyJSON: true, wantRetry: "30", wantLogStatus: 429,
		},
		"429 without Retry-After": {
			fault: Fault{Kind: Fault429}, method: http.MethodPost, wantStatus: 429, wantBodyJSON: true, wantLogStatus: 429,
		},
		"drop loses the request": {
			fault: Fault{Kind: FaultDrop}, method: http.MethodPost, wantStatus: 0,
		},
		"drop after commit keeps the change": {
			fault: Fault{Kind: FaultDropAfterCommit}, method: http.MethodPost, wantStatus: 0, wantItems: 1,
		},
		"malformed body after the change": {
			fault: Fault{Kind: FaultMalformed}, method: http.MethodPost, wantStatus: 200, wantItems: 1, wantLogStatus: 200,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			alpha := &fakeVendor{name: "alpha"}
			s, hs := start(t, Options{}, alpha)
			s.Inject("alpha", tc.fault)

			got := call(t, tc.method, hs.URL+"/alpha/api/items", "x")
			if tc.wantStatus == 0 && got.err == nil {
				t.Fatalf("client got status %d, want a transport error", got.status)
			}
			if got.status != tc.wantStatus || got.retryAfter != tc.wantRetry {
				t.Errorf("status %d Retry-After %q, want %d %q", got.status, got.retryAfter, tc.wantStatus, tc.wantRetry)
			}
			if got.err == nil && json.Valid([]byte(got.body)) != tc.wantBodyJSON {
				t.Errorf("body %q: valid JSON = %v, want %v", got.body, !tc.wantBodyJSON, tc.wantBodyJSON)
			}
			if n := alpha.itemCount(); n != tc.wantItems {
				t.Errorf("vendor holds %d items, want %d", n, tc.wantItems)
			}
			assertLastLog(t, s, "alpha", tc.wantLogStatus, tc.fault.Kind)
			assertNextRequestSucceeds(t, hs.URL+"/alpha/api/items")
		})
	}
}

// assertLastLog checks the status and fault of the vendor's last logged call.
func assertLastLog(t *testing.T, s *Server, vendor string, status int, fault FaultKind) {
	t.Helper()
	log := s.Log(vendor)
	if len(log) == 0 {
		t.Fatalf("log of %s is empty", vendor)
	}
	last := log[len(log)-1]
	if last.Status != status || last.Fault != fault {
		t.Errorf("last log record status %d fault %q, want %d %q", last.Status, last.Fault, status, fault)
	}
}

// assertNextRequestSucceeds checks that a one-shot fault was used up.
func assertNextRequestSucceeds(t *testing.T, url string) {
	t.Helper()
	if got := call(t, http.MethodGet, url, ""); got.status != http.StatusOK {
		t.Errorf("next request: status %d (err %v), want 200: the fault must be one-shot", got.status, got.err)
	}
}

func TestInjectedFaultMatchesOnlyItsEndpointAndDropAfterCommitOnlyWrites(t *testing.T) {
	alpha := &fakeVendor{name: "alpha"}
	s, hs := start(t, Options{}, alpha)
	s.Inject("alpha", Fault{Kind: FaultDropAfterCommit, Times: 2})
	s.Inject("alpha", Fault{Kind: Fault500, Endpoint: "POST /api/items"})

	want := []int{200, 0, 0, 500, 200}
	var got []int
	for i, method := range []string{http.MethodGet, http.MethodPost, http.MethodPost, http.MethodPost, http.MethodPost} {
		r := call(t, method, hs.URL+"/alpha/api/items", "x")
		got = append(got, r.status)
		if r.err != nil && want[i] != 0 {
			t.Errorf("request %d: %v", i, r.err)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got; 0 = no response):\n%s", diff)
	}
	if n := alpha.itemCount(); n != 3 {
		t.Errorf("vendor holds %d items, want 3 (two dropped after commit, one 500 before)", n)
	}
	if p := s.PendingFaults("alpha"); len(p) != 0 {
		t.Errorf("pending faults %v, want none", p)
	}
}

func TestTimeoutFaultHangsUntilClientGivesUpOrTimeoutMax(t *testing.T) {
	cases := map[string]struct {
		timeoutMax time.Duration
		wantStatus int
	}{
		"client gives up":     {timeoutMax: 0, wantStatus: 0},
		"timeoutMax then 504": {timeoutMax: 20 * time.Millisecond, wantStatus: 504},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			alpha := &fakeVendor{name: "alpha"}
			s, hs := start(t, Options{Config: map[string]VendorConfig{"alpha": {TimeoutMax: tc.timeoutMax}}}, alpha)
			s.Inject("alpha", Fault{Kind: FaultTimeout})
			c := &http.Client{Timeout: 300 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}

			got := callWith(t, c, http.MethodPost, hs.URL+"/alpha/api/items", "x")
			if got.status != tc.wantStatus || (tc.wantStatus == 0) != (got.err != nil) {
				t.Errorf("status %d err %v, want status %d", got.status, got.err, tc.wantStatus)
			}
			if n := alpha.itemCount(); n != 0 {
				t.Errorf("vendor holds %d items, want 0: a timeout must not reach it", n)
			}
		})
	}
}

func TestRandomFaultsRepeatWithTheSameRandSeed(t *testing.T) {
	run := func() []int {
		opts := Options{RandSeed: 42, Config: map[string]VendorConfig{"alpha": {ErrorRate: 0.5}}}
		_, hs := start(t, opts, &fakeVendor{name: "alpha"})
		var statuses []int
		for range 20 {
			statuses = append(statuses, call(t, http.MethodGet, hs.URL+"/alpha/api/items", "").status)
		}
		return statuses
	}
	first, second := run(), run()
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("statuses differ between runs with the same seed (-first +second):\n%s", diff)
	}
	ok := 0
	for _, st := range first {
		if st == 200 {
			ok++
		}
	}
	if ok == 0 || ok == len(first) {
		t.Errorf("%d of %d requests succeeded with errorRate 0.5: %v", ok, len(first), first)
	}
}

func TestAdminConfigReadsAndChangesVendorConfig(t *testing.T) {
	s, hs := start(t, Options{}, &fakeVendor{name: "alpha"})

	cases := []struct {
		name       string
		method     string
		body       string
		wantStatus int
		want       VendorConfig
	}{
		{name: "read default", method: http.MethodGet, wantStatus: 200, want: VendorConfig{}},
		{name: "set limit and latency", method: http.MethodPut, body: `{"requestsPerHour":1,"latency":"1ms"}`, wantStatus: 200,
			want: VendorConfig{RequestsPerHour: 1, Latency: time.Millisecond}},
		{name: "fields left out keep their value", method: http.MethodPut, body: `{"errorRate":0.25}`, wantStatus: 200,
			want: VendorConfig{RequestsPerHour: 1, Latency: time.Millisecond, ErrorRate: 0.25}},
		{name: "rates above 1 are refused", method: http.MethodPut, body: `{"errorRate":0.9,"timeoutRate":0.2}`, wantStatus: 400,
			want: VendorConfig{RequestsPerHour: 1, Latency: time.Millisecond, ErrorRate: 0.25}},
		{name: "unknown fields are refused", method: http.MethodPut, body: `{"requestPerHour":5}`, wantStatus: 400,
			want: VendorConfig{RequestsPerHour: 1, Latency: time.Millisecond, ErrorRate: 0.25}},
		{name: "back to no faults", method: http.MethodPut, body: `{"errorRate":0,"latency":"0s"}`, wantStatus: 200,
			want: VendorConfig{RequestsPerHour: 1}},
	}
	for _, tc := range cases {
		got := call(t, tc.method, hs.URL+"/_sim/config/alpha", tc.body)
		if got.status != tc.wantStatus {
			t.Errorf("%s: status %d, want %d (body %s)", tc.name, got.status, tc.wantStatus, got.body)
		}
		if diff := cmp.Diff(tc.want, s.Config("alpha")); diff != "" {
			t.Errorf("%s: config (-want +got):\n%s", tc.name, diff)
		}
	}
	call(t, http.MethodGet, hs.URL+"/alpha/api/items", "")
	if got := call(t, http.MethodGet, hs.URL+"/alpha/api/items", ""); got.status != 429 {
		t.Errorf("second request under requestsPerHour 1: status %d, want 429", got.status)
	}
	if got := call(t, http.MethodGet, hs.URL+"/_sim/config/nope", ""); got.status != 404 {
		t.Errorf("config of unknown vendor: status %d, want 404", got.status)
	}
}

func TestAdminCallsReportsCountsAndResets(t *testing.T) {
	s, hs := start(t, Options{Config: map[string]VendorConfig{"alpha": {RequestsPerHour: 1}}}, &fakeVendor{name: "alpha"}, &fakeVendor{name: "beta"})
	call(t, http.MethodGet, hs.URL+"/alpha/api/items", "")
	call(t, http.MethodGet, hs.URL+"/alpha/api/items", "")
	call(t, http.MethodPost, hs.URL+"/beta/api/items", "x")

	var got CallsReport
	r := call(t, http.MethodGet, hs.URL+"/_sim/calls", "")
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatalf("decode /_sim/calls %q: %v", r.body, err)
	}
	want := CallsReport{Total: 3, RateLimited: 1, Vendors: map[string]VendorCalls{
		"alpha": {Total: 2, RateLimited: 1, RequestsLastHour: 1, Endpoints: map[string]int{"GET /api/items": 2},
			Faults: map[string]int{FaultCountHourlyLimit: 1}},
		"beta": {Total: 1, RequestsLastHour: 1, Endpoints: map[string]int{"POST /api/items": 1}, Faults: map[string]int{}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("/_sim/calls (-want +got):\n%s", diff)
	}
	if r := call(t, http.MethodPost, hs.URL+"/_sim/calls/reset", ""); r.status != http.StatusNoContent {
		t.Errorf("reset: status %d, want 204", r.status)
	}
	if got := s.CallsReport().Total; got != 0 {
		t.Errorf("total after reset = %d, want 0", got)
	}
}

func TestAdminFaultsInjectsListsAndClears(t *testing.T) {
	s, hs := start(t, Options{}, &fakeVendor{name: "alpha"})
	r := call(t, http.MethodPost, hs.URL+"/_sim/faults/alpha", `{"kind":"429","retryAfter":"2m","times":2}`)
	if r.status != 200 {
		t.Fatalf("inject: status %d body %s", r.status, r.body)
	}
	want := []Fault{{Kind: Fault429, RetryAfter: 2 * time.Minute, Times: 2}}
	if diff := cmp.Diff(want, s.PendingFaults("alpha")); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
	if got := call(t, http.MethodGet, hs.URL+"/alpha/api/items", ""); got.status != 429 || got.retryAfter != "120" {
		t.Errorf("request after inject: status %d Retry-After %q, want 429 \"120\"", got.status, got.retryAfter)
	}
	if r := call(t, http.MethodPost, hs.URL+"/_sim/faults/alpha", `{"kind":"boom"}`); r.status != 400 {
		t.Errorf("unknown kind: status %d, want 400", r.status)
	}
	call(t, http.MethodDelete, hs.URL+"/_sim/faults/alpha", "")
	if got := call(t, http.MethodGet, hs.URL+"/alpha/api/items", ""); got.status != 200 {
		t.Errorf("request after clear: status %d, want 200", got.status)
	}
}

func TestRetryAfterAsHTTPDate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	s, hs := start(t, Options{Clock: clocktesting.NewFakePassiveClock(t0)}, &fakeVendor{name: "alpha"})
	s.Inject("alpha", Fault{Kind: Fault429, RetryAfter: 90 * time.Second, RetryAfterDate: true})

	got := call(t, http.MethodGet, hs.URL+"/alpha/api/items", "")
	at, err := http.ParseTime(got.retryAfter)
	if err != nil {
		t.Fatalf("Retry-After %q is not an HTTP date: %v", got.retryAfter, err)
	}
	if d := at.Sub(t0); d < 90*time.Second || d > 92*time.Second {
		t.Errorf("Retry-After %s is %s after now, want about 90s", got.retryAfter, d)
	}
}

func TestNewPanicsOnReservedOrDuplicateNames(t *testing.T) {
	cases := map[string][]Vendor{
		"reserved":  {&fakeVendor{name: "calls"}},
		"duplicate": {&fakeVendor{name: "alpha"}, &fakeVendor{name: "alpha"}},
		"slash":     {&fakeVendor{name: "a/b"}},
	}
	for name, vendors := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("New did not panic")
				}
			}()
			New(Options{}, vendors...)
		})
	}
}
