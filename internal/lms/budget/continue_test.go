package budget

import (
	"context"
	"fmt"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// An operation may make more calls than it asked tokens for (a lookup that
// falls back from the code to the email). Under contention, the waiters in
// the queue hold every token that comes back: such an operation must still
// finish, or every object retries it for ever (a livelock seen after a 429
// storm, when eight Learners were created at once).
func TestOperationsThatOverrunTheirGrantStillFinishUnderContention(t *testing.T) {
	clk := clocktesting.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	b := New(Limits{RequestsPerHour: 3600, Burst: 10}, clk)
	b.Pause(4 * time.Second)
	const objects, calls, granted = 8, 3, 2
	next, finished := make([]time.Time, objects), make([]bool, objects)
	done := 0
	for step := 0; step < 1200 && done < objects; step++ {
		clk.Step(50 * time.Millisecond)
		for i := range objects {
			if finished[i] || clk.Now().Before(next[i]) {
				continue
			}
			key := fmt.Sprintf("Learner/ns/l%d", i)
			gctx, g, w := b.AcquireFor(context.Background(), Request{Key: key, Tokens: granted, Priority: lms.PriorityWrite})
			if g == nil {
				next[i] = clk.Now().Add(w.After)
				continue
			}
			for c := range calls {
				if spent, _ := b.spendGrant(gctx); spent {
					continue
				}
				if ok, w := b.continueGrant(gctx); !ok {
					t.Fatalf("%s: call %d of an operation under way was refused (%s)", key, c+1, w.Message())
				}
			}
			g.Release()
			finished[i] = true
			done++
		}
	}
	if done != objects {
		t.Errorf("%d of %d operations finished in a simulated minute", done, objects)
	}
	if used := b.Snapshot().RequestsLastHour; used != objects*calls {
		t.Errorf("the hour counts %d calls, want %d", used, objects*calls)
	}
}
