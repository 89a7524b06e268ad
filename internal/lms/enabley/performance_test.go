package enabley

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
)

// perfStep is what one reconcile's read of a channel's performance did:
// the pages it sent, whether it answered ErrReadContinues, and, when
// complete, whether u4's completion (made in the LMS after the first read)
// shows.
type perfStep struct {
	Pages     int
	Continues bool
	U4Done    bool
}

func TestASpreadPerformanceReadGoesOnEachIntervalAndCompletes(t *testing.T) {
	type args struct {
		cursorTTL time.Duration
		limit     int
		steps     int
	}
	cases := map[string]struct {
		reason string
		args   args
		want   []perfStep
	}{
		"KeysOutliveTheInterval": {
			reason: "5 pages at 2 an interval: whole first, then 2, 2 and the last one, which shows the change",
			args:   args{cursorTTL: time.Hour, limit: 2, steps: 4},
			want:   []perfStep{{Pages: 5}, {Pages: 2, Continues: true}, {Pages: 2, Continues: true}, {Pages: 1, U4Done: true}},
		},
		"KeysExpireWithinTheInterval": {
			reason: "the kept key is refused (one call), so the read starts over whole and still completes",
			args:   args{cursorTTL: time.Minute, limit: 2, steps: 3},
			want:   []perfStep{{Pages: 5}, {Pages: 2, Continues: true}, {Pages: 6, U4Done: true}},
		},
		"NoLimit": {
			reason: "without a page limit every read is whole",
			args:   args{cursorTTL: time.Hour, steps: 2},
			want:   []perfStep{{Pages: 5}, {Pages: 5, U4Done: true}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			seed := bigSeed()
			seed.CursorTTL = enableysim.Duration(tc.args.cursorTTL)
			e := newEnv(t, seed)
			var got []perfStep
			for i := range tc.args.steps {
				got = append(got, readPerfStep(t, e, tc.args.limit))
				if i == 0 {
					if err := e.sim.Complete(enableysim.Completion{User: "u4", Channel: "big", Percent: 100}); err != nil {
						t.Fatal(err)
					}
				}
				e.clock.Step(10 * time.Minute) // the sync interval
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, d)
			}
		})
	}
}

// readPerfStep reads the channel's progress and learners as one reconcile
// does, with one memo and the page limit.
func readPerfStep(t *testing.T, e *env, limit int) perfStep {
	t.Helper()
	before := e.calls(opPerformance)
	c := lms.WithPageLimit(lms.WithMemo(ctx(t)), limit)
	progress, err := e.client.Enrollments().TargetProgress(c, channel)
	_, uerr := e.client.Enrollments().AssignedUsers(c, channel)
	if (err == nil) != (uerr == nil) {
		t.Fatalf("TargetProgress: %v, AssignedUsers: %v; want the same answer from one memo", err, uerr)
	}
	if err != nil && !lms.IsReadContinues(err) {
		t.Fatalf("TargetProgress: %v", err)
	}
	s := perfStep{Pages: e.calls(opPerformance) - before, Continues: lms.IsReadContinues(err)}
	for _, p := range progress {
		if p.UserID == "u4" && p.Completed {
			s.U4Done = true
		}
	}
	return s
}
