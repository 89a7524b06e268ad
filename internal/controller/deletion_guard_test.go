package controller

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// statusOfState is the status.deletionProtection that a guard's patch writes.
func statusOfState(s guardState, threshold int) *v1alpha1.DeletionProtectionStatus {
	p := s.patch()
	st := &v1alpha1.DeletionProtectionStatus{Threshold: int32(threshold), Approved: int32(p["approved"].(int)),
		LastApproval: p["lastApproval"].(*v1alpha1.DeletionApproval)}
	if w, ok := p["window"].([]v1alpha1.DeletionWindowEntry); ok {
		st.Window = w
	}
	if u, ok := p["approvedUntil"].(metav1.Time); ok {
		st.ApprovedUntil = &u
	}
	return st
}

// A guardRig is a guard on a fake clock whose status lives in memory.
type guardRig struct {
	clock   *clocktesting.FakePassiveClock
	status  *v1alpha1.DeletionProtectionStatus
	fail    error
	guard   *deletionGuard
	changes []int
}

// newGuardRig starts a guard of threshold perHour, as a fresh process would.
func newGuardRig(perHour int) *guardRig {
	r := &guardRig{clock: clocktesting.NewFakePassiveClock(t0)}
	r.restart(perHour)
	return r
}

// restart rebuilds the guard from the status, as a restarted manager does.
func (r *guardRig) restart(perHour int) {
	r.guard = newDeletionGuard(r.clock, guardSeed{uid: "u1", perHour: perHour, status: r.status},
		func(_ context.Context, s guardState) error {
			if r.fail != nil {
				return r.fail
			}
			r.status = statusOfState(s, perHour)
			return nil
		},
		func(total, _ int) { r.changes = append(r.changes, total) })
}

// ask makes n holders ask for one operation each, and returns how many got it.
func (r *guardRig) ask(t *testing.T, prefix string, n int) int {
	t.Helper()
	granted := 0
	for i := range n {
		g, err := r.guard.take(context.Background(), holder{kind: "Learner", namespace: "ns", name: fmt.Sprintf("%s-%d", prefix, i), purpose: purposeDelete}, 1, 0)
		if err != nil {
			t.Fatalf("take: %v", err)
		}
		granted += g.n
	}
	return granted
}

func TestDeletionGuardHoldsPastTheThresholdUntilApproved(t *testing.T) {
	r := newGuardRig(100)
	if got := r.ask(t, "l", 150); got != 100 {
		t.Fatalf("150 deletions against a threshold of 100 granted %d, want 100", got)
	}
	if v := r.guard.view(); v.held != 50 || v.sent != 100 {
		t.Errorf("view = %+v, want 50 held and 100 sent", v)
	}
	if got := len(r.status.Window); got != 1 || r.status.Window[0].Count != 100 {
		t.Errorf("status.window = %+v, want the 100 deletions recorded before they were granted", r.status.Window)
	}
}

func TestDeletionGuardLatchedUntilApprovalEvenAfterTheHour(t *testing.T) {
	r := newGuardRig(100)
	r.ask(t, "l", 150)
	r.clock.SetTime(at(2 * time.Hour))
	held := holder{kind: "Learner", namespace: "ns", name: "l-120", purpose: purposeDelete}
	if g, _ := r.guard.take(context.Background(), held, 1, 0); g.n != 0 {
		t.Errorf("a held deletion was granted two hours later without approval: the guard must stay shut until approved")
	}
	if err := r.guard.approve(context.Background(), 50); err != nil {
		t.Fatal(err)
	}
	granted := 0
	for i := 100; i < 150; i++ {
		g, _ := r.guard.take(context.Background(), holder{kind: "Learner", namespace: "ns", name: fmt.Sprintf("l-%d", i), purpose: purposeDelete}, 1, 0)
		granted += g.n
	}
	if granted != 50 || r.guard.view().held != 0 {
		t.Errorf("after approving 50, the 50 held got %d and %d stay held; want 50 and 0", granted, r.guard.view().held)
	}
	if r.status.LastApproval == nil || r.status.LastApproval.Count != 50 {
		t.Errorf("status.lastApproval = %+v, want the approval of 50 recorded", r.status.LastApproval)
	}
}

func TestDeletionGuardRestartDoesNotOpenTheHour(t *testing.T) {
	r := newGuardRig(100)
	if got := r.ask(t, "a", 100); got != 100 {
		t.Fatalf("granted %d of 100 within the threshold", got)
	}
	r.restart(100)
	r.clock.SetTime(at(30 * time.Minute))
	if got := r.ask(t, "b", 100); got != 0 {
		t.Errorf("after a restart 100 more deletions in the same hour got %d grants, want 0: the hour is kept in status", got)
	}
	r.clock.SetTime(at(61 * time.Minute))
	if got := r.guard.view().sent; got != 0 {
		t.Errorf("an hour after, the window still counts %d", got)
	}
}

func TestDeletionGuardRestoredObjectsClearTheHold(t *testing.T) {
	r := newGuardRig(1)
	r.ask(t, "l", 3)
	for _, name := range []string{"l-1", "l-2"} {
		if _, err := r.guard.take(context.Background(), holder{kind: "Learner", namespace: "ns", name: name, purpose: purposeDelete}, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	if v := r.guard.view(); v.held != 0 {
		t.Errorf("after the two held objects no longer want their deletion, %d stay held; want 0", v.held)
	}
	if want := []int{1, 2, 1, 0}; fmt.Sprint(r.changes) != fmt.Sprint(want) {
		t.Errorf("held totals reported = %v, want %v (what is waiting now, not a counter)", r.changes, want)
	}
}

func TestDeletionGuardGrantsNothingItCannotRecord(t *testing.T) {
	r := newGuardRig(100)
	r.fail = errors.New("conflict")
	g, err := r.guard.take(context.Background(), holder{kind: "Learner", namespace: "ns", name: "l", purpose: purposeDelete}, 1, 0)
	if err == nil || g.n != 0 {
		t.Errorf("take with the status write failing = %+v, %v; want no grant and the error", g, err)
	}
	if v := r.guard.view(); v.sent != 0 || v.held != 0 {
		t.Errorf("a failed record changed the guard: %+v", v)
	}
}

func TestDeletionGuardGiveBackUncountsWhatWasNotSent(t *testing.T) {
	r := newGuardRig(2)
	h := holder{kind: "Enrollment", namespace: "ns", name: "e", purpose: "assigned-users"}
	g, _ := r.guard.take(context.Background(), h, 2, 0)
	r.guard.giveBack(g, 2)
	if g2, _ := r.guard.take(context.Background(), h, 2, 0); g2.n != 2 {
		t.Errorf("after giving back 2 unsent unassignments, asking again granted %d, want 2: unsent must not count", g2.n)
	}
}

func TestDeletionGuardHoldsTheRestOfABatchOnceItHolds(t *testing.T) {
	type step struct{ n, waiting, granted, held int }
	cases := map[string]struct {
		threshold int
		steps     []step
	}{
		"BatchPastTheThreshold": {threshold: 100, steps: []step{
			{n: 100, waiting: 400, granted: 100, held: 0},   // within the threshold: the next chunks are not held yet
			{n: 100, waiting: 300, granted: 0, held: 400}}}, // refused: everything left of the batch waits
		"BatchWithinTheThreshold": {threshold: 300, steps: []step{
			{n: 100, waiting: 150, granted: 100}, {n: 100, waiting: 50, granted: 100}, {n: 50, granted: 50}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := newGuardRig(tc.threshold)
			h := holder{kind: "Enrollment", namespace: "ns", name: "e", purpose: "assigned-users"}
			for i, s := range tc.steps {
				g, err := r.guard.take(context.Background(), h, s.n, s.waiting)
				if err != nil || g.n != s.granted || r.guard.view().held != s.held {
					t.Errorf("chunk %d of %d (+%d waiting): granted %d, held %d, err %v; want %d and %d",
						i, s.n, s.waiting, g.n, r.guard.view().held, err, s.granted, s.held)
				}
			}
		})
	}
}
