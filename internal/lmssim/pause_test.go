package lmssim

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
)

func TestNewPauseReadsRetryAfter(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		reason     string
		retryAfter string
		wantUntil  time.Time
	}{
		"seconds":      {reason: "seconds count from the 429", retryAfter: "2", wantUntil: t0.Add(2 * time.Second)},
		"HTTP date":    {reason: "a date is the end itself", retryAfter: "Thu, 01 Jan 2026 09:01:30 GMT", wantUntil: t0.Add(90 * time.Second)},
		"none":         {reason: "no header is a pause of NoRetryAfterPause", wantUntil: t0.Add(NoRetryAfterPause)},
		"unparseable":  {reason: "a value that is neither counts as none", retryAfter: "soon", wantUntil: t0.Add(NoRetryAfterPause)},
		"zero seconds": {reason: "Retry-After 0 asks for no pause", retryAfter: "0", wantUntil: t0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			if tc.retryAfter != "" {
				h.Set("Retry-After", tc.retryAfter)
			}
			p := newPause(t0, "users/add", h)
			want := &Pause{Start: t0, Until: tc.wantUntil, RetryAfter: tc.retryAfter, Endpoint: "users/add"}
			if diff := cmp.Diff(want, p); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

// A pauseStep is one request at an offset from t0 and whether it must count
// as sent during a pause.
type pauseStep struct {
	at        time.Duration
	wantPause bool
}

// runPauseSteps sends a GET at each step's time and checks the log's InPause.
func runPauseSteps(t *testing.T, s *Server, url string, clk *clocktesting.FakePassiveClock, t0 time.Time, steps []pauseStep) {
	t.Helper()
	first := len(s.Log("alpha"))
	for _, st := range steps {
		clk.SetTime(t0.Add(st.at))
		call(t, http.MethodGet, url, "")
	}
	log := s.Log("alpha")[first:]
	for i, st := range steps {
		if log[i].InPause != st.wantPause {
			t.Errorf("request at +%s: InPause %v, want %v", st.at, log[i].InPause, st.wantPause)
		}
	}
}

func TestCallsDuringPauseCountsArrivalsAfterTheGraceAndBeforeRetryAfter(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clk := clocktesting.NewFakePassiveClock(t0)
	s, hs := start(t, Options{Clock: clk}, &fakeVendor{name: "alpha"})
	url := hs.URL + "/alpha/api/items"

	s.Inject("alpha", Fault{Kind: Fault429, RetryAfter: 2 * time.Second})
	call(t, http.MethodGet, url, "")
	runPauseSteps(t, s, url, clk, t0, []pauseStep{
		{at: 100 * time.Millisecond, wantPause: false}, // in flight when the 429 was sent
		{at: PauseGrace, wantPause: true},
		{at: 1900 * time.Millisecond, wantPause: true},
		{at: 2 * time.Second, wantPause: false}, // Retry-After has passed
	})
	if got := s.CallsDuringPause("alpha"); got != 2 {
		t.Errorf("CallsDuringPause = %d, want 2", got)
	}
	want := []Pause{{Start: t0, Until: t0.Add(2 * time.Second), RetryAfter: "2", Endpoint: "GET /api/items", Calls: 2}}
	if diff := cmp.Diff(want, s.Pauses("alpha")); diff != "" {
		t.Errorf("Pauses (-want +got):\n%s", diff)
	}
}

func TestA429WithoutRetryAfterCountsTheNextSecondAsAPause(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clk := clocktesting.NewFakePassiveClock(t0)
	s, hs := start(t, Options{Clock: clk}, &fakeVendor{name: "alpha"})
	url := hs.URL + "/alpha/api/items"

	s.Inject("alpha", Fault{Kind: Fault429})
	call(t, http.MethodGet, url, "")
	runPauseSteps(t, s, url, clk, t0, []pauseStep{
		{at: 200 * time.Millisecond, wantPause: false},
		{at: 300 * time.Millisecond, wantPause: true},
		{at: 999 * time.Millisecond, wantPause: true},
		{at: NoRetryAfterPause, wantPause: false},
		{at: time.Minute, wantPause: false}, // the simulator counts one second, not the client's backoff
	})
	if got := s.CallsDuringPause("alpha"); got != 2 {
		t.Errorf("CallsDuringPause = %d, want 2", got)
	}
}

func TestHourlyLimitAndDate429sArePausesToo(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clk := clocktesting.NewFakePassiveClock(t0)
	s, hs := start(t, Options{Clock: clk, Config: map[string]VendorConfig{"alpha": {RequestsPerHour: 1}}}, &fakeVendor{name: "alpha"})
	url := hs.URL + "/alpha/api/items"

	call(t, http.MethodGet, url, "") // accepted at t0
	runPauseSteps(t, s, url, clk, t0, []pauseStep{
		{at: 10 * time.Minute, wantPause: false}, // 429: Retry-After 3000s
		{at: 20 * time.Minute, wantPause: true},  // inside the hourly limit's pause
		{at: time.Hour, wantPause: false},        // accepted: the window moved on
	})
	pauses := s.Pauses("alpha")
	if len(pauses) != 2 || pauses[0].RetryAfter != "3000" || pauses[0].Calls != 1 {
		t.Errorf("pauses %+v, want two (the first with Retry-After 3000 and one call during it)", pauses)
	}
	if err := s.SetConfig("alpha", VendorConfig{}); err != nil {
		t.Fatal(err)
	}
	t1 := t0.Add(2 * time.Hour)
	clk.SetTime(t1)
	s.Inject("alpha", Fault{Kind: Fault429, RetryAfter: 5 * time.Second, RetryAfterDate: true})
	call(t, http.MethodGet, url, "")
	runPauseSteps(t, s, url, clk, t1, []pauseStep{{at: 5 * time.Second, wantPause: true}, {at: 6 * time.Second, wantPause: false}})
}

func TestA429FromTheVendorItselfIsAPause(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clk := clocktesting.NewFakePassiveClock(t0)
	ts := NewTestServer(t, DefaultSeed(), Options{Clock: clk})
	ts.Enabley.InjectFault(enableysim.Fault{Status: http.StatusTooManyRequests, RetryAfter: "60"})
	url := ts.BaseURL(Enabley) + "/api/v1/groups/hierarchy"

	call(t, http.MethodGet, url, "")
	clk.SetTime(t0.Add(30 * time.Second))
	call(t, http.MethodGet, url, "")
	pauses := ts.Pauses(Enabley)
	if len(pauses) != 1 || pauses[0].Until != t0.Add(time.Minute) || pauses[0].Calls != 1 {
		t.Errorf("pauses %+v, want one until +60s with the call at +30s in it", pauses)
	}
}

func TestResetForgetsRecordedPausesButNotARunningOne(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clk := clocktesting.NewFakePassiveClock(t0)
	s, hs := start(t, Options{Clock: clk}, &fakeVendor{name: "alpha"})
	url := hs.URL + "/alpha/api/items"
	s.Inject("alpha", Fault{Kind: Fault429, RetryAfter: 10 * time.Second})
	call(t, http.MethodGet, url, "")

	if got := call(t, http.MethodPost, hs.URL+"/_sim/calls/reset", ""); got.status != http.StatusNoContent {
		t.Fatalf("reset: status %d", got.status)
	}
	if p := s.Pauses("alpha"); len(p) != 0 {
		t.Errorf("pauses after reset %+v, want none", p)
	}
	clk.SetTime(t0.Add(5 * time.Second))
	call(t, http.MethodGet, url, "")
	var rep CallsReport
	if err := json.Unmarshal([]byte(call(t, http.MethodGet, hs.URL+"/_sim/calls", "").body), &rep); err != nil {
		t.Fatalf("decode /_sim/calls: %v", err)
	}
	if rep.CallsDuringPause != 1 || rep.Vendors["alpha"].CallsDuringPause != 1 {
		t.Errorf("callsDuringPause total %d, alpha %d, want 1 and 1: the pause still ran after the reset",
			rep.CallsDuringPause, rep.Vendors["alpha"].CallsDuringPause)
	}
}

func TestAdminPausesListsThePauses(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	s, hs := start(t, Options{Clock: clocktesting.NewFakePassiveClock(t0)}, &fakeVendor{name: "alpha"})
	s.Inject("alpha", Fault{Kind: Fault429, RetryAfter: 3 * time.Second})
	call(t, http.MethodGet, hs.URL+"/alpha/api/items", "")

	var got []Pause
	r := call(t, http.MethodGet, hs.URL+"/_sim/pauses/alpha", "")
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatalf("decode /_sim/pauses/alpha %q: %v", r.body, err)
	}
	want := []Pause{{Start: t0, Until: t0.Add(3 * time.Second), RetryAfter: "3", Endpoint: "GET /api/items"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("/_sim/pauses/alpha (-want +got):\n%s", diff)
	}
	if r := call(t, http.MethodGet, hs.URL+"/_sim/pauses/nope", ""); r.status != http.StatusNotFound {
		t.Errorf("pauses of an unknown vendor: status %d, want 404", r.status)
	}
}
