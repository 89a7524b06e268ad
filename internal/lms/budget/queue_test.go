package budget

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// drained returns a budget of 3600 an hour (a token a second) and the given
// burst, with its bucket empty at t0.
func drained(t *testing.T, burst int) (*Budget, *clocktesting.FakePassiveClock) {
	t.Helper()
	clk := clocktesting.NewFakePassiveClock(t0)
	b := New(Limits{RequestsPerHour: 3600, Burst: burst}, clk)
	for range burst {
		if ok, _, _ := b.Take(lms.PriorityWrite); !ok {
			t.Fatal("setup: a full bucket refused a call")
		}
	}
	return b, clk
}

// ask asks for n tokens of priority p as key; it returns the wait (zero when
// granted) and releases a grant at once, unspent tokens going back.
func ask(b *Budget, key string, n int, p lms.Priority) (granted bool, w Wait) {
	_, g, w := b.AcquireFor(context.Background(), Request{Key: key, Tokens: n, Priority: p})
	if g != nil {
		g.spendAll()
	}
	return g != nil, w
}

// spendAll uses the grant's tokens as calls would.
func (g *Grant) spendAll() {
	ctx := context.WithValue(context.Background(), grantKey{}, g)
	for {
		if spent, _ := g.b.spendGrant(ctx); !spent {
			break
		}
	}
	g.Release()
}

func at(clk *clocktesting.FakePassiveClock, d time.Duration) { clk.SetTime(t0.Add(d)) }

func TestWaitersWakeStaggeredInTheOrderTheyCame(t *testing.T) {
	b, _ := drained(t, 10)
	var got []Wait
	for _, key := range []string{"Learner/ns/a", "Learner/ns/b", "Learner/ns/c", "Learner/ns/d"} {
		_, w := ask(b, key, 2, lms.PriorityWrite)
		got = append(got, w)
	}
	want := []Wait{
		{After: 2 * time.Second, Reason: WaitTokens},
		{After: 4 * time.Second, Reason: WaitTokens, Ahead: 1},
		{After: 6 * time.Second, Reason: WaitTokens, Ahead: 2},
		{After: 8 * time.Second, Reason: WaitTokens, Ahead: 3},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("each waiter must wait for the tokens of those ahead of it, so that they wake one after the other (-want +got):\n%s", diff)
	}
}

func TestTokensAreHeldForTheHeadUntilItComesBack(t *testing.T) {
	b, clk := drained(t, 10)
	ask(b, "Learner/ns/a", 2, lms.PriorityWrite) // due at 2s
	ask(b, "Learner/ns/b", 2, lms.PriorityWrite) // due at 4s
	at(clk, 3*time.Second)
	if ok, w := ask(b, "Learner/ns/b", 2, lms.PriorityWrite); ok || w.Reason != WaitQueue || w.Ahead != 1 {
		t.Errorf("b came back before a: granted=%v wait=%+v, want refused: the 3 tokens back are held for a", ok, w)
	}
	if ok, _, _ := b.Take(lms.PriorityWrite); ok {
		t.Error("an anonymous call took a token held for the waiters")
	}
	if ok, w := ask(b, "Learner/ns/a", 2, lms.PriorityWrite); !ok {
		t.Errorf("a came back 1s late, within the grace period: refused with %+v, want its tokens", w)
	}
	at(clk, 4*time.Second)
	if ok, w := ask(b, "Learner/ns/b", 2, lms.PriorityWrite); !ok {
		t.Errorf("b at its due time after a was served: refused with %+v", w)
	}
}

func TestAVanishedWaiterLosesItsPlaceAfterTheGracePeriod(t *testing.T) {
	b, clk := drained(t, 3)
	ask(b, "Learner/ns/gone", 3, lms.PriorityWrite) // due at 3s, never comes back
	at(clk, 3*time.Second+Grace)
	if ok, w := ask(b, "Learner/ns/new", 3, lms.PriorityWrite); ok {
		t.Errorf("a newcomer was served while the vanished waiter's place had not lapsed yet (wait %+v)", w)
	}
	at(clk, 3*time.Second+Grace+time.Millisecond)
	if ok, w := ask(b, "Learner/ns/new", 3, lms.PriorityWrite); !ok {
		t.Errorf("the vanished waiter's place still blocks the queue after the grace period: %+v", w)
	}
	if ok, w := ask(b, "Learner/ns/gone", 3, lms.PriorityWrite); ok || w.Ahead != 0 {
		t.Errorf("the waiter back after its place lapsed: granted=%v wait=%+v, want a new place at the tail", ok, w)
	}
}

func TestAWaiterThatComesBackEarlyKeepsItsPlace(t *testing.T) {
	b, clk := drained(t, 10)
	ask(b, "Learner/ns/a", 4, lms.PriorityWrite)
	ask(b, "Learner/ns/b", 4, lms.PriorityWrite)
	for _, d := range []time.Duration{time.Second, 2 * time.Second} {
		at(clk, d)
		_, w := ask(b, "Learner/ns/a", 4, lms.PriorityWrite)
		if w.Ahead != 0 || w.After != 4*time.Second-d {
			t.Errorf("a back after %s: wait %+v, want still first, %s left", d, w, 4*time.Second-d)
		}
	}
	_, w := ask(b, "Learner/ns/b", 4, lms.PriorityWrite)
	if w.Ahead != 1 || w.After != 6*time.Second {
		t.Errorf("b: wait %+v, want behind a, 6s", w)
	}
}

func TestAWaiterAskingForFewerTokensKeepsItsPlace(t *testing.T) {
	b, clk := drained(t, 10)
	ask(b, "LearnerGroup/ns/g", 3, lms.PriorityWrite)
	ask(b, "Learner/ns/l", 1, lms.PriorityWrite)
	at(clk, time.Second)
	if ok, w := ask(b, "LearnerGroup/ns/g", 1, lms.PriorityWrite); !ok {
		t.Errorf("the head now needing 1 token, with 1 back: refused with %+v", w)
	}
}

func TestHigherPrioritiesAreServedBeforeEarlierLowerOnes(t *testing.T) {
	b, clk := drained(t, 10)
	if _, w := ask(b, "Enrollment/ns/e", 1, lms.PriorityRead); w.After != 3*time.Second {
		t.Fatalf("a drift read on an empty bucket of 10: wait %s, want 3s (1 token and 2 left for writes)", w.After)
	}
	if _, w := ask(b, "Learner/ns/l", 3, lms.PriorityWrite); w.Ahead != 0 || w.After != 3*time.Second {
		t.Errorf("a write after the read: wait %+v, want served first, in 3s", w)
	}
	at(clk, 3*time.Second)
	if ok, w := ask(b, "Enrollment/ns/e", 1, lms.PriorityRead); ok || w.Ahead != 1 {
		t.Errorf("the read at its due time: granted=%v wait=%+v, want refused behind the write", ok, w)
	}
	if ok, w := ask(b, "Learner/ns/l", 3, lms.PriorityWrite); !ok {
		t.Errorf("the write: refused with %+v", w)
	}
}

func TestPlacesAreKeptPerPriority(t *testing.T) {
	b, clk := drained(t, 10)
	ask(b, "LearnerGroup/ns/g", 3, lms.PriorityWrite)
	ask(b, "LearnerGroup/ns/g", 1, lms.PriorityRead)
	at(clk, 3*time.Second)
	if ok, w := ask(b, "LearnerGroup/ns/g", 3, lms.PriorityWrite); !ok {
		t.Errorf("the group's read must not take the place of its writes: refused with %+v", w)
	}
}

func TestALowerPriorityThatStarvesIsServedWithinItsFloor(t *testing.T) {
	b, clk := drained(t, 10)
	// Five Learners each want a write every second, five times the budget's
	// token a second; each comes back when it is told to. A batch of 5 does
	// the same.
	keys := []string{"Learner/ns/a", "Learner/ns/b", "Learner/ns/c", "Learner/ns/d", "Learner/ns/e"}
	next := map[string]time.Duration{}
	servedAt, writes := time.Duration(-1), 0
	for s := time.Duration(0); s < 5*time.Minute && servedAt < 0; s += 100 * time.Millisecond {
		at(clk, s)
		if s >= next["batch"] {
			ok, w := ask(b, "Enrollment/ns/batch", 5, lms.PriorityBatch)
			if ok {
				servedAt = s
			}
			next["batch"] = s + w.After
		}
		for _, k := range keys {
			if s < next[k] {
				continue
			}
			ok, w := ask(b, k, 1, lms.PriorityWrite)
			next[k] = s + w.After
			if ok {
				writes++
				next[k] = s + time.Second
			}
		}
	}
	if servedAt < StarveAfter || servedAt > StarveAfter+10*time.Second {
		t.Errorf("the batch under a stream of writes was served after %s, want soon after it starved (%s)", servedAt, StarveAfter)
	}
	t.Logf("batch served after %s; %d writes meanwhile", servedAt, writes)
	if min := int(StarveAfter/time.Second) - 5; writes < min {
		t.Errorf("%d writes went out while the batch waited, want about one a second (at least %d)", writes, min)
	}
}

func TestWaitersDuringAPauseWakeStaggeredAfterIt(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	b := New(Limits{RequestsPerHour: 3600, Burst: 2}, clk)
	b.Pause(30 * time.Second)
	var got []Wait
	for _, key := range []string{"a", "b", "c"} {
		_, w := ask(b, key, 1, lms.PriorityWrite)
		got = append(got, w)
	}
	want := []Wait{
		{After: 30 * time.Second, Reason: WaitPaused, Paused: true},
		{After: 30 * time.Second, Reason: WaitPaused, Paused: true, Ahead: 1},
		{After: 31 * time.Second, Reason: WaitPaused, Paused: true, Ahead: 2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after the pause the full bucket serves the first two, the third a token later (-want +got):\n%s", diff)
	}
}

func TestAcquireWithoutAKeyTakesNoPlace(t *testing.T) {
	b, clk := drained(t, 10)
	if _, _, w, _ := b.Acquire(context.Background(), 3, lms.PriorityWrite); w != 3*time.Second {
		t.Fatalf("anonymous Acquire(3) on an empty bucket: wait %s, want 3s", w)
	}
	at(clk, 3*time.Second)
	if ok, w := ask(b, "Learner/ns/l", 3, lms.PriorityWrite); !ok {
		t.Errorf("a keyed newcomer after an anonymous waiter: refused with %+v: anonymous callers hold no tokens", w)
	}
}
