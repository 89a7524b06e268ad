package inventory

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

func TestUsersCreatedWithoutAnIDShareOneListOncetheBatchPauses(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	inv := New(clk)
	var calls atomic.Int32
	var remote []lms.User
	list := lister(&calls, &remote)
	if err := inv.EnsureLoaded(context.Background(), list); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		u := lms.User{Email: fmt.Sprintf("u%d@example.com", i)}
		remote = append(remote, lms.User{ID: fmt.Sprint(100 + i), Email: u.Email})
		inv.Expect(u)
	}
	wait, err := inv.RefreshExpected(context.Background(), list)
	if err != nil || wait <= 0 || calls.Load() != 1 {
		t.Fatalf("while creates go on: wait=%s err=%v lists=%d, want a wait and no new list", wait, err, calls.Load())
	}
	clk.SetTime(t0.Add(expectQuiet))
	for range 5 { // every waiting Learner asks; one list serves them all
		if _, err := inv.RefreshExpected(context.Background(), list); err != nil {
			t.Fatal(err)
		}
	}
	if calls.Load() != 2 {
		t.Errorf("after the batch paused: %d lists, want 2 (the first load and one for the batch)", calls.Load())
	}
	if inv.Expecting("", "u0@example.com") {
		t.Error("the user named by the list is still expected")
	}
	if u, ok := inv.Find("", "", "u2@example.com"); !ok || u.ID != "102" {
		t.Errorf("Find(u2) = %+v, %v, want the listed id 102", u, ok)
	}
}

func TestABatchOfCreatesIsListedAtOnceAndAMissingUserIsNotExpectedForEver(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	inv := New(clk)
	var calls atomic.Int32
	var remote []lms.User
	list := lister(&calls, &remote)
	for i := range expectBatch {
		inv.Expect(lms.User{Email: fmt.Sprintf("b%d@example.com", i)})
	}
	clk.SetTime(t0.Add(time.Millisecond))
	if wait, err := inv.RefreshExpected(context.Background(), list); err != nil || wait != 0 || calls.Load() != 1 {
		t.Fatalf("a full batch: wait=%s err=%v lists=%d, want one list at once", wait, err, calls.Load())
	}
	if inv.Expecting("", "b0@example.com") {
		t.Error("a user the list should have named but did not is still expected: its reconcile would wait for ever")
	}
}
