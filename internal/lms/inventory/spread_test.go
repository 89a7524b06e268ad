package inventory

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// A spreadStep is one refresh of a spread read: the clock moves on by
// after, the operator writes put (if any) and the vendor refuses the
// cursor refuse once (if any) before it.
type spreadStep struct {
	after  time.Duration
	put    *lms.User
	refuse string
}

// spreadRun is what a run of refreshes did: the cursors asked for after
// the first load, the changes each refresh reported, the users found at
// the end by ID, and whether a read was still under way.
type spreadRun struct {
	calls     []string
	changes   []int
	found     map[string]string // ID -> email
	spreading bool
}

// runSpread loads 5 pages of one user each under a limit of 2 pages, then
// changes user 5's email in the vendor and runs the steps, refreshing with
// maxAge interval.
func runSpread(t *testing.T, steps []spreadStep) spreadRun {
	t.Helper()
	const interval = time.Minute
	clk := clocktesting.NewFakePassiveClock(t0)
	inv := New(clk)
	p := &fakePager{pages: pagesOf(5)}
	ctx := lms.WithPageLimit(context.Background(), 2)
	if _, err := inv.Refresh(ctx, p, interval); err != nil {
		t.Fatalf("first load: %v", err)
	}
	first := len(p.calls)
	p.pages[4].Users[0].Email = "changed@example.com"
	run := spreadRun{found: map[string]string{}}
	for i, s := range steps {
		clk.SetTime(clk.Now().Add(s.after))
		if s.put != nil {
			inv.Put(*s.put)
		}
		var src Source = p
		if s.refuse != "" {
			src = &refusingPager{fakePager: p, cursor: s.refuse}
		}
		changes, err := inv.Refresh(ctx, src, interval)
		if err != nil {
			t.Fatalf("step %d: Refresh: %v, want no error: a slice is not a failure", i, err)
		}
		if st := inv.State(); st.Failures != 0 {
			t.Fatalf("step %d: %d failures, want none: a slice is not a failure", i, st.Failures)
		}
		run.changes = append(run.changes, len(changes))
	}
	run.calls = p.calls[first:]
	if first != 5 {
		run.calls = p.calls // the first load was not whole: show every call
	}
	for _, id := range []string{"1", "5", "9"} {
		if u, ok := inv.Find(id, "", ""); ok {
			run.found[id] = u.Email
		}
	}
	run.spreading = inv.State().Spreading
	return run
}

func TestASpreadReadGoesOnWhereItStoppedOncePerInterval(t *testing.T) {
	const interval = time.Minute
	old := map[string]string{"1": "u1@example.com", "5": "u5@example.com"}
	changed := map[string]string{"1": "u1@example.com", "5": "changed@example.com"}
	cases := map[string]struct {
		reason string
		steps  []spreadStep
		want   spreadRun
	}{
		"FirstLoadIsWhole": {
			reason: "with no snapshot to serve meanwhile, the first read is whole whatever the limit",
			want:   spreadRun{calls: []string{}, found: old},
		},
		"CompleteAfterThreeDueRefreshes": {
			reason: "5 pages at 2 a refresh complete at the third; only then are changes reported",
			steps:  []spreadStep{{after: interval}, {after: interval}, {after: interval}},
			want: spreadRun{calls: []string{"", "2", "3", "4", "5"}, changes: []int{0, 0, 1},
				found: changed},
		},
		"SnapshotStaysTheLastCompleteOne": {
			reason: "until the read completes, the snapshot is the last complete read",
			steps:  []spreadStep{{after: interval}, {after: interval}},
			want: spreadRun{calls: []string{"", "2", "3", "4"}, changes: []int{0, 0},
				found: old, spreading: true},
		},
		"SliceNotDueReadsNothing": {
			reason: "the next slice is due one interval after the last, not before",
			steps:  []spreadStep{{after: interval}, {after: interval / 2}},
			want: spreadRun{calls: []string{"", "2"}, changes: []int{0, 0},
				found: old, spreading: true},
		},
		"AnOverdueSliceIsNotRestartedForAge": {
			reason: "a spread read goes on at its cursor however long ago it began",
			steps:  []spreadStep{{after: interval}, {after: 10 * interval}, {after: 10 * interval}},
			want: spreadRun{calls: []string{"", "2", "3", "4", "5"}, changes: []int{0, 0, 1},
				found: changed},
		},
		"APutDuringTheReadSurvivesIt": {
			reason: "a user the operator writes between slices is in the snapshot at once and after the read",
			steps: []spreadStep{{after: interval}, {after: interval, put: &lms.User{ID: "9", Email: "new@example.com"}},
				{after: interval}},
			want: spreadRun{calls: []string{"", "2", "3", "4", "5"}, changes: []int{0, 0, 1},
				found: map[string]string{"1": "u1@example.com", "5": "changed@example.com", "9": "new@example.com"}},
		},
		"AnExpiredCursorReadsWhole": {
			reason: "a kept cursor the vendor refuses starts the read over, whole, so that it still completes",
			steps:  []spreadStep{{after: interval}, {after: interval, refuse: "3"}},
			want: spreadRun{calls: []string{"", "2", "3", "", "2", "3", "4", "5"}, changes: []int{0, 1},
				found: changed},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := runSpread(t, tc.steps)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(spreadRun{})); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}
