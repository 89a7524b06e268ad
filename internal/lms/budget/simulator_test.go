package budget

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// budgetClient returns an HTTP client whose calls go through a budget of
// limits, on the fake clock shared with the simulator.
func budgetClient(clk *clocktesting.FakeClock, l Limits) (*http.Client, *Budget) {
	b := New(l, clk)
	return &http.Client{Transport: &Transport{Budget: b, Clock: clk}}, b
}

// listUsers makes one cheap Exceed call through c and reports whether the
// budget held it back.
func listUsers(t *testing.T, c *http.Client, base string) (held bool) {
	t.Helper()
	req, err := http.NewRequestWithContext(lms.WithOperation(context.Background(), "GET /api/v2/users"),
		http.MethodGet, base+"/users?api_key="+lmssim.DemoExceedAPIKey+"&fields=id", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	var le *lms.Error
	if errors.As(err, &le) && le.Kind == lms.KindRateLimited {
		return true
	}
	if err != nil {
		t.Fatalf("call failed: %v", err)
	}
	_ = resp.Body.Close()
	return false
}

func TestBudgetKeepsTheSimulatorFromEverAnswering429(t *testing.T) {
	clk := clocktesting.NewFakeClock(t0)
	const limit = 30
	sim := lmssim.NewTestServer(t, lmssim.DefaultSeed(), lmssim.Options{Clock: clk,
		Config: map[string]lmssim.VendorConfig{lmssim.Exceed: {RequestsPerHour: limit}}})
	c, _ := budgetClient(clk, Limits{RequestsPerHour: limit, Burst: 10})
	sent := 0
	// Try a call every 5 seconds for 3 hours of fake time.
	for step := 0; step < 3*720; step++ {
		if !listUsers(t, c, sim.BaseURL(lmssim.Exceed)) {
			sent++
		}
		clk.Step(5 * time.Second)
	}
	if n := sim.Count429(lmssim.Exceed); n != 0 {
		t.Errorf("the simulator answered %d 429s, want none: the budget must keep to the limit", n)
	}
	if sent < 3*limit-10 {
		t.Errorf("only %d calls went out in 3 hours with a limit of %d/h: the budget wastes its allowance", sent, limit)
	}
	t.Logf("%d calls in 3 hours at %d/h, 0 answered 429", sent, limit)
}

func TestNoCallIsSentBeforeRetryAfterPasses(t *testing.T) {
	for name, asDate := range map[string]bool{"seconds": false, "HTTP date": true} {
		t.Run(name, func(t *testing.T) {
			clk := clocktesting.NewFakeClock(t0)
			sim := lmssim.NewTestServer(t, lmssim.DefaultSeed(), lmssim.Options{Clock: clk})
			sim.Inject(lmssim.Exceed, lmssim.Fault{Kind: lmssim.Fault429, RetryAfter: 90 * time.Second, RetryAfterDate: asDate})
			c, b := budgetClient(clk, Limits{RequestsPerHour: 3600, Burst: 10})
			base := sim.BaseURL(lmssim.Exceed)
			if !listUsers(t, c, base) {
				t.Fatal("the call answered 429 was not reported as rate limited")
			}
			// An HTTP date has whole seconds: the pause may end up to a second later.
			until := b.Snapshot().PausedUntil
			if until.Before(t0.Add(90*time.Second)) || until.After(t0.Add(91*time.Second)) {
				t.Errorf("paused until %s, want 90s to 91s after the 429", until)
			}
			for range 89 {
				clk.Step(time.Second)
				if !listUsers(t, c, base) {
					t.Fatalf("a call went out %s after the 429, before Retry-After passed", clk.Since(t0))
				}
			}
			if n := sim.Total(lmssim.Exceed); n != 1 {
				t.Errorf("the simulator saw %d requests during the pause, want only the one answered 429", n)
			}
			clk.SetTime(until)
			if listUsers(t, c, base) {
				t.Error("the call right after Retry-After was held back")
			}
		})
	}
}

func TestTransportCapsAnAbsurdRetryAfterAtADay(t *testing.T) {
	clk := clocktesting.NewFakeClock(t0)
	sim := lmssim.NewTestServer(t, lmssim.DefaultSeed(), lmssim.Options{Clock: clk})
	sim.Inject(lmssim.Exceed, lmssim.Fault{Kind: lmssim.Fault429, RetryAfter: 90 * 24 * time.Hour})
	c, b := budgetClient(clk, Limits{RequestsPerHour: 3600, Burst: 10})
	req, err := http.NewRequest(http.MethodGet, sim.BaseURL(lmssim.Exceed)+"/users?api_key="+lmssim.DemoExceedAPIKey+"&fields=id", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(req)
	if d, ok := lms.RetryAfter(err); !ok || d != MaxRetryAfter {
		t.Errorf("RetryAfter of a 429 asking for 90 days = %s, %v; want %s, true", d, ok, MaxRetryAfter)
	}
	if got := b.Snapshot().PausedUntil; !got.Equal(t0.Add(MaxRetryAfter)) {
		t.Errorf("paused until %s, want %s", got, t0.Add(MaxRetryAfter))
	}
}

func TestTransportQueuesTheCallsOfACaller(t *testing.T) {
	clk := clocktesting.NewFakeClock(t0)
	sim := lmssim.NewTestServer(t, lmssim.DefaultSeed(), lmssim.Options{Clock: clk})
	c, _ := budgetClient(clk, Limits{RequestsPerHour: 3600, Burst: 1})
	base := sim.BaseURL(lmssim.Exceed)
	var got []time.Duration
	for _, key := range []string{"", "Learner/ns/a", "Learner/ns/b"} {
		ctx := lms.WithCaller(lms.WithOperation(context.Background(), "GET /api/v2/users"), key)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/users?api_key="+lmssim.DemoExceedAPIKey+"&fields=id", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		d, _ := lms.RetryAfter(err)
		got = append(got, d)
	}
	want := []time.Duration{0, time.Second, 2 * time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RetryAfter of a first call and two callers behind it (-want +got):\n%s", diff)
	}
}

func TestAPauseFromAnAnswersBodyBacksOffLikeA429(t *testing.T) {
	clk := clocktesting.NewFakeClock(t0)
	sim := lmssim.NewTestServer(t, lmssim.DefaultSeed(), lmssim.Options{Clock: clk})
	b := New(Limits{RequestsPerHour: 3600, Burst: 10}, clk)
	b.jitter = func() float64 { return 0 }
	obs := &pauses{}
	tr := &Transport{Budget: b, Clock: clk, Observer: obs}
	c := &http.Client{Transport: tr}
	var got []time.Duration
	for range 3 {
		// The answer is HTTP 200, and its body says the rate limit was hit.
		if listUsers(t, c, sim.BaseURL(lmssim.Exceed)) {
			t.Fatal("a call after the pause was held back")
		}
		got = append(got, tr.Pause(0))
		clk.Step(got[len(got)-1])
	}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pauses reported in answers' bodies (-want +got):\n%s: the answer that carries the limit is no success", diff)
	}
	if diff := cmp.Diff(want, obs.paused); diff != "" {
		t.Errorf("the observer's pauses (-want +got):\n%s", diff)
	}
	if d := tr.Pause(72 * time.Hour); d != MaxRetryAfter {
		t.Errorf("Pause(72h) = %s, want %s", d, MaxRetryAfter)
	}
}

func TestASuccessBetweenPausesFromAnswersBodiesResetsTheBackoff(t *testing.T) {
	clk := clocktesting.NewFakeClock(t0)
	sim := lmssim.NewTestServer(t, lmssim.DefaultSeed(), lmssim.Options{Clock: clk})
	b := New(Limits{RequestsPerHour: 3600, Burst: 10}, clk)
	b.jitter = func() float64 { return 0 }
	tr := &Transport{Budget: b, Clock: clk}
	c := &http.Client{Transport: tr}
	listUsers(t, c, sim.BaseURL(lmssim.Exceed))
	clk.Step(tr.Pause(0))
	listUsers(t, c, sim.BaseURL(lmssim.Exceed)) // a real success
	listUsers(t, c, sim.BaseURL(lmssim.Exceed)) // the answer that carries the next limit
	if d := tr.Pause(0); d != time.Minute {
		t.Errorf("a pause after a real success = %s, want the backoff restarted at 1m", d)
	}
}

// pauses records the pauses an Observer is told of.
type pauses struct{ paused []time.Duration }

func (p *pauses) Sent(string, int, time.Duration) {}
func (p *pauses) Held(string, bool)               {}
func (p *pauses) Paused(d time.Duration)          { p.paused = append(p.paused, d) }
