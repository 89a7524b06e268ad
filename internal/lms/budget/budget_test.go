package budget

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

var t0 = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

func TestTakeSpendsBurstThenWaitsForRefill(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	b := New(Limits{RequestsPerHour: 3600, Burst: 3}, clk)
	for i := range 3 {
		if ok, _, _ := b.Take(lms.PriorityWrite); !ok {
			t.Fatalf("call %d of the burst was refused", i+1)
		}
	}
	ok, wait, paused := b.Take(lms.PriorityWrite)
	if ok || paused {
		t.Fatalf("4th call: ok=%v paused=%v, want refused and not paused", ok, paused)
	}
	if wait != time.Second {
		t.Errorf("wait = %s, want 1s (3600/h refills one token a second)", wait)
	}
	clk.SetTime(t0.Add(time.Second))
	if ok, _, _ := b.Take(lms.PriorityWrite); !ok {
		t.Error("after one second a token should be back")
	}
}

func TestHourlyCapHoldsInAnySlidingHour(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	const limit = 20
	b := New(Limits{RequestsPerHour: limit, Burst: 10}, clk)
	var sent []time.Time
	// Ask every 10 seconds for 3 hours and record what was allowed.
	for now := t0; now.Before(t0.Add(3 * time.Hour)); now = now.Add(10 * time.Second) {
		clk.SetTime(now)
		if ok, _, _ := b.Take(lms.PriorityWrite); ok {
			sent = append(sent, now)
		}
	}
	for i := range sent {
		n := 0
		for j := i; j < len(sent) && sent[j].Before(sent[i].Add(time.Hour)); j++ {
			n++
		}
		if n > limit {
			t.Fatalf("%d calls in the hour from %s, want at most %d", n, sent[i].Format(time.TimeOnly), limit)
		}
	}
	if len(sent) < 3*limit-1 {
		t.Errorf("only %d calls in 3 hours, want about %d: the budget should be used", len(sent), 3*limit)
	}
}

func TestLowerPrioritiesLeaveTokensForWrites(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	b := New(Limits{RequestsPerHour: 3600, Burst: 10}, clk)
	progress := 0
	for {
		ok, _, _ := b.Take(lms.PriorityProgress)
		if !ok {
			break
		}
		progress++
	}
	if progress != 5 {
		t.Errorf("progress calls from a full bucket of 10 = %d, want 5 (half is kept for writes and reads)", progress)
	}
	writes := 0
	for {
		ok, _, _ := b.Take(lms.PriorityWrite)
		if !ok {
			break
		}
		writes++
	}
	if writes != 5 {
		t.Errorf("writes after progress polling = %d, want the 5 tokens left", writes)
	}
}

func TestPauseHoldsEveryCallUntilItEnds(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	b := New(Limits{RequestsPerHour: 3600, Burst: 10}, clk)
	until := b.Pause(30 * time.Second)
	if !until.Equal(t0.Add(30 * time.Second)) {
		t.Fatalf("pause until %s, want %s", until, t0.Add(30*time.Second))
	}
	clk.SetTime(t0.Add(29 * time.Second))
	ok, wait, paused := b.Take(lms.PriorityWrite)
	if ok || !paused || wait != time.Second {
		t.Errorf("during the pause: ok=%v paused=%v wait=%s, want refused, paused, 1s", ok, paused, wait)
	}
	if got := b.Snapshot().PausedUntil; !got.Equal(until) {
		t.Errorf("Snapshot().PausedUntil = %s, want %s", got, until)
	}
	clk.SetTime(t0.Add(30 * time.Second))
	if ok, _, _ := b.Take(lms.PriorityWrite); !ok {
		t.Error("the call right after the pause was refused")
	}
}

func TestPauseWithoutRetryAfterBacksOffExponentially(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	b := New(Limits{RequestsPerHour: 3600, Burst: 10}, clk)
	b.jitter = func() float64 { return 0 }
	var got []time.Duration
	for range 8 {
		now := clk.Now()
		until := b.Pause(0)
		got = append(got, until.Sub(now))
		clk.SetTime(until)
	}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
		16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pauses (-want +got):\n%s", diff)
	}
	b.Succeeded()
	now := clk.Now()
	if d := b.Pause(0).Sub(now); d != time.Minute {
		t.Errorf("after a success the backoff restarts: pause = %s, want 1m", d)
	}
}

func TestParseRetryAfter(t *testing.T) {
	cases := map[string]struct {
		header string
		want   time.Duration
		ok     bool
	}{
		"seconds":        {header: "120", want: 2 * time.Minute, ok: true},
		"HTTP date":      {header: t0.Add(90 * time.Second).UTC().Format(http.TimeFormat), want: 90 * time.Second, ok: true},
		"date in past":   {header: t0.Add(-time.Minute).UTC().Format(http.TimeFormat), want: 0, ok: true},
		"absent":         {header: "", ok: false},
		"garbage":        {header: "soon", ok: false},
		"negative":       {header: "-5", ok: false},
		"with spaces":    {header: " 7 ", want: 7 * time.Second, ok: true},
		"a day":          {header: "86400", want: MaxRetryAfter, ok: true},
		"past a day":     {header: "86401", want: MaxRetryAfter, ok: true},
		"overflows":      {header: "99999999999999999999999", want: MaxRetryAfter, ok: true},
		"date in 3 days": {header: t0.Add(72 * time.Hour).UTC().Format(http.TimeFormat), want: MaxRetryAfter, ok: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := ParseRetryAfter(tc.header, t0)
			if got != tc.want || ok != tc.ok {
				t.Errorf("ParseRetryAfter(%q) = %s, %v; want %s, %v", tc.header, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestAcquireTakesAllTokensOfAnOperationOrNone(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	b := New(Limits{RequestsPerHour: 3600, Burst: 4}, clk)
	ctx, g, _, _ := b.Acquire(context.Background(), 3, lms.PriorityWrite)
	if g == nil {
		t.Fatal("Acquire(3) from a full bucket of 4 was refused")
	}
	if _, g2, wait, _ := b.Acquire(context.Background(), 3, lms.PriorityWrite); g2 != nil || wait != 2*time.Second {
		t.Errorf("a second Acquire(3) with 1 token left: grant=%v wait=%s, want refused with 2s", g2 != nil, wait)
	}
	for i := range 2 {
		if spent, _ := b.spendGrant(ctx); !spent {
			t.Fatalf("call %d of the grant was refused", i+1)
		}
	}
	g.Release()
	if got := b.Snapshot().RequestsLastHour; got != 2 {
		t.Errorf("RequestsLastHour = %d, want the 2 calls sent", got)
	}
	if ok, _, _ := b.Take(lms.PriorityWrite); !ok {
		t.Fatal("the unspent token of the grant was not given back")
	}
	if ok, _, _ := b.Take(lms.PriorityWrite); !ok {
		t.Fatal("the bucket's last token is missing")
	}
	if ok, _, _ := b.Take(lms.PriorityWrite); ok {
		t.Error("a token was created out of nothing")
	}
}

func TestPauseNeverLastsMoreThanADay(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	b := New(Limits{RequestsPerHour: 3600, Burst: 10}, clk)
	if until := b.Pause(30 * 24 * time.Hour); !until.Equal(t0.Add(MaxRetryAfter)) {
		t.Errorf("Pause(30 days) until %s, want %s: a Retry-After is capped at 24h", until, t0.Add(MaxRetryAfter))
	}
}

func TestEachPriorityLeavesTokensForTheOnesAbove(t *testing.T) {
	cases := map[string]struct {
		reason string
		p      lms.Priority
		want   int
	}{
		"write":    {reason: "single-object writes may use the whole bucket", p: lms.PriorityWrite, want: 10},
		"batch":    {reason: "a batch leaves a tenth of the burst for single-object writes", p: lms.PriorityBatch, want: 9},
		"read":     {reason: "drift reads leave a fifth of the burst for writes", p: lms.PriorityRead, want: 8},
		"progress": {reason: "progress reads leave half the burst", p: lms.PriorityProgress, want: 5},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := New(Limits{RequestsPerHour: 3600, Burst: 10}, clocktesting.NewFakePassiveClock(t0))
			got := 0
			for got <= 10 {
				if ok, _, _ := b.Take(tc.p); !ok {
					break
				}
				got++
			}
			if got != tc.want {
				t.Errorf("%s calls from a full bucket of 10 = %d, want %d: %s", tc.p, got, tc.want, tc.reason)
			}
		})
	}
}

// spendWrites sends n single-object writes as fast as a budget of 400 an
// hour allows, starting at t0, and leaves the clock a minute after the last.
func spendWrites(t *testing.T, clk *clocktesting.FakePassiveClock, b *Budget, n int) {
	t.Helper()
	for sent := 0; sent < n; {
		if ok, _, _ := b.Take(lms.PriorityWrite); ok {
			sent++
			continue
		}
		clk.SetTime(clk.Now().Add(9 * time.Second))
	}
	clk.SetTime(clk.Now().Add(time.Minute))
}

func TestEachPriorityLeavesTheEndOfTheHourForTheOnesAbove(t *testing.T) {
	cases := map[string]struct {
		reason string
		sent   int
		p      lms.Priority
		ok     bool
	}{
		"write at 392":    {reason: "writes may use the whole hour", sent: 392, p: lms.PriorityWrite, ok: true},
		"batch at 385":    {reason: "a batch may use 97.5% of the hour", sent: 385, p: lms.PriorityBatch, ok: true},
		"batch at 392":    {reason: "a batch leaves the last 2.5% for single-object writes", sent: 392, p: lms.PriorityBatch},
		"read at 375":     {reason: "drift reads may use 95% of the hour", sent: 375, p: lms.PriorityRead, ok: true},
		"read at 385":     {reason: "drift reads leave the last 5%", sent: 385, p: lms.PriorityRead},
		"progress at 355": {reason: "progress may use 90% of the hour", sent: 355, p: lms.PriorityProgress, ok: true},
		"progress at 365": {reason: "progress leaves the last 10%", sent: 365, p: lms.PriorityProgress},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			clk := clocktesting.NewFakePassiveClock(t0)
			b := New(Limits{RequestsPerHour: 400, Burst: 10}, clk)
			spendWrites(t, clk, b, tc.sent)
			if got := b.Snapshot().RequestsLastHour; got != tc.sent {
				t.Fatalf("setup: %d calls in the hour, want %d", got, tc.sent)
			}
			if ok, wait, _ := b.Take(tc.p); ok != tc.ok {
				t.Errorf("%s call after %d of 400: ok=%v (wait %s), want %v: %s", tc.p, tc.sent, ok, wait, tc.ok, tc.reason)
			}
		})
	}
}

func TestMaxAcquireIsWhatAPriorityCanBeGrantedAtOnce(t *testing.T) {
	b := New(Limits{RequestsPerHour: 3600, Burst: 10}, clocktesting.NewFakeClock(time.Now()))
	for p, want := range map[lms.Priority]int{lms.PriorityWrite: 10, lms.PriorityBatch: 9, lms.PriorityRead: 8, lms.PriorityProgress: 5} {
		got := b.MaxAcquire(p)
		if got != want {
			t.Errorf("MaxAcquire(%s) = %d, want %d", p, got, want)
		}
		if _, g, w := b.AcquireFor(context.Background(), Request{Key: "k", Tokens: got, Priority: p}); g == nil {
			t.Errorf("a full budget refused MaxAcquire(%s) = %d tokens: %s", p, got, w.Message())
		} else {
			g.Release()
		}
	}
}
