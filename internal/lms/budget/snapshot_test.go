package budget

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

func TestSnapshotReportsUseQueuesAndShareLeft(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	b := New(Limits{RequestsPerHour: 100, Burst: 10}, clk)
	for _, p := range []lms.Priority{lms.PriorityWrite, lms.PriorityWrite, lms.PriorityBatch, lms.PriorityRead, lms.PriorityProgress} {
		if ok, _, _ := b.Take(p); !ok {
			t.Fatalf("setup: a %s call was refused", p)
		}
	}
	ask(b, "Learner/ns/a", 6, lms.PriorityWrite)
	ask(b, "Learner/ns/b", 5, lms.PriorityWrite)
	ask(b, "Enrollment/ns/e", 2, lms.PriorityProgress)
	want := Snapshot{
		Limits:           Limits{RequestsPerHour: 100, Burst: 10, ProgressShare: DefaultProgressShare},
		RequestsLastHour: 5,
		RequestsLeft:     95,
		Tokens:           5,
		Priorities: []PriorityUsage{
			{Priority: lms.PriorityWrite, RequestsLastHour: 2, Queued: 2},
			{Priority: lms.PriorityBatch, RequestsLastHour: 1},
			{Priority: lms.PriorityRead, RequestsLastHour: 1},
			{Priority: lms.PriorityProgress, RequestsLastHour: 1, Queued: 1},
		},
		ProgressShareLeft: 9,
	}
	if diff := cmp.Diff(want, b.Snapshot()); diff != "" {
		t.Errorf("Snapshot (-want +got):\n%s", diff)
	}
	// An hour later the calls have left the window and the vanished waiters
	// their places.
	clk.SetTime(t0.Add(time.Hour + time.Second))
	got := b.Snapshot()
	if got.RequestsLastHour != 0 || got.RequestsLeft != 100 || got.ProgressShareLeft != 10 || got.Priorities[0].Queued != 0 {
		t.Errorf("an hour later: %+v, want no calls, no waiters, the whole hour and share left", got)
	}
}
