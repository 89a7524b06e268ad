package budget

import (
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

func TestLimitsDefaultTheProgressShare(t *testing.T) {
	cases := map[string]struct {
		reason string
		share  float64
		want   float64
	}{
		"unset":    {reason: "no share set is the default 10%", share: 0, want: DefaultProgressShare},
		"negative": {reason: "a negative share is the default", share: -0.5, want: DefaultProgressShare},
		"set":      {reason: "a share is kept", share: 0.25, want: 0.25},
		"above 1":  {reason: "a share is at most the whole hour", share: 3, want: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := New(Limits{RequestsPerHour: 100, Burst: 10, ProgressShare: tc.share}, clocktesting.NewFakePassiveClock(t0))
			if got := b.Limits().ProgressShare; got != tc.want {
				t.Errorf("ProgressShare = %v, want %v: %s", got, tc.want, tc.reason)
			}
		})
	}
}

func TestProgressNeverUsesMoreThanItsShareOfAnyHour(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	b := New(Limits{RequestsPerHour: 400, Burst: 10}, clk)
	var progress []time.Time
	writes := 0
	// Progress asks every second for 3 hours; a write every 30 seconds.
	for s := time.Duration(0); s < 3*time.Hour; s += time.Second {
		now := t0.Add(s)
		clk.SetTime(now)
		if ok, _ := ask(b, "Enrollment/ns/e", 1, lms.PriorityProgress); ok {
			progress = append(progress, now)
		}
		if s%(30*time.Second) == 0 {
			if ok, w := ask(b, "Learner/ns/l", 1, lms.PriorityWrite); ok {
				writes++
			} else {
				t.Fatalf("a write at %s was refused (%+v): progress must never crowd out writes", s, w)
			}
		}
	}
	for i := range progress {
		n := 0
		for j := i; j < len(progress) && progress[j].Before(progress[i].Add(time.Hour)); j++ {
			n++
		}
		if n > 40 {
			t.Fatalf("%d progress calls in the hour from %s, want at most 40 (10%% of 400)", n, progress[i].Format(time.TimeOnly))
		}
	}
	if len(progress) < 3*40-1 {
		t.Errorf("only %d progress calls in 3 hours, want about %d: the share should be used", len(progress), 3*40)
	}
}

func TestASpentProgressShareWaitsUntilItFreesUp(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	b := New(Limits{RequestsPerHour: 3600, Burst: 10, ProgressShare: 0.001}, clk) // 3 calls an hour
	for i := range 3 {
		at(clk, time.Duration(i)*10*time.Minute)
		if ok, _, _ := b.Take(lms.PriorityProgress); !ok {
			t.Fatalf("progress call %d of a share of 3 was refused", i+1)
		}
	}
	at(clk, 40*time.Minute)
	_, w := ask(b, "Enrollment/ns/a", 1, lms.PriorityProgress)
	if w.After != 20*time.Minute || w.Reason != WaitProgressShare {
		t.Errorf("progress with its share spent: wait %+v, want 20m (the first call leaves the hour) for the share", w)
	}
	_, w = ask(b, "Enrollment/ns/b", 1, lms.PriorityProgress)
	if w.After != 30*time.Minute || w.Ahead != 1 {
		t.Errorf("a second progress waiter: wait %+v, want 30m, behind the first", w)
	}
	if ok, w := ask(b, "Learner/ns/l", 3, lms.PriorityWrite); !ok {
		t.Errorf("a write while the progress share is spent: refused with %+v; progress waiters hold no tokens", w)
	}
}
