package controller

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// t0 is a whole minute, the start of the guard tests' hour.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// at is t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// stateCmp compares guardStates by their unexported fields.
var stateCmp = cmp.AllowUnexported(guardState{}, minuteCount{}, guardGrant{})

func TestGuardStateDecide(t *testing.T) {
	window := func(n int) guardState { return guardState{window: []minuteCount{{minute: t0, count: n}}} }
	type args struct {
		s         guardState
		n         int
		threshold int
		latched   bool
	}
	cases := map[string]row[args, guardGrant]{
		"WithinThresholdAllGranted": {reason: "operations that keep the hour within the threshold are all granted",
			args: args{s: window(40), n: 60, threshold: 100}, want: guardGrant{n: 60}},
		"PastThresholdTheRestHeld": {reason: "only what fits under the threshold is granted; the rest waits",
			args: args{s: window(90), n: 25, threshold: 100}, want: guardGrant{n: 10}},
		"LatchedGrantsNothingFree": {reason: "once something is held, a free hour does not open the guard: only an approval does",
			args: args{s: guardState{}, n: 5, threshold: 100, latched: true}, want: guardGrant{}},
		"ApprovalCoversWhatIsPast": {reason: "an approval lets operations past the threshold through, counted as approved",
			args: args{s: guardState{window: window(100).window, approved: 30}, n: 50, threshold: 100},
			want: guardGrant{n: 30, fromApproved: 30}},
		"FreeBeforeApproved": {reason: "free room under the threshold is used before an approval",
			args: args{s: guardState{window: window(95).window, approved: 10}, n: 8, threshold: 100},
			want: guardGrant{n: 8, fromApproved: 3}},
		"ZeroThresholdHoldsEverything": {reason: "maxPerHour 0 (and a small percentage) holds every operation until approved",
			args: args{s: guardState{}, n: 1, threshold: 0}, want: guardGrant{}},
		"NothingAskedNothingGranted": {reason: "settling a holder asks for nothing",
			args: args{s: window(100), n: 0, threshold: 100}, want: guardGrant{}},
	}
	checkTable(t, "decide", cases, func(a args) guardGrant { return a.s.decide(a.n, a.threshold, a.latched) }, stateCmp)
}

func TestGuardStatePruned(t *testing.T) {
	s := guardState{window: []minuteCount{{minute: t0, count: 7}, {minute: at(30 * time.Minute), count: 3}},
		approved: 5, approvedUntil: at(time.Hour)}
	cases := map[string]row[time.Time, guardState]{
		"MinuteKeptWhileAnyOfItIsWithinTheHour": {reason: "an operation sent at 10:00:59 still counts at 11:00:30",
			args: at(time.Hour + 30*time.Second), want: guardState{window: []minuteCount{{minute: t0, count: 7}, {minute: at(30 * time.Minute), count: 3}}}},
		"MinuteDroppedOnceWhollyPast": {reason: "at 11:01 the 10:00 minute is an hour old",
			args: at(time.Hour + time.Minute), want: guardState{window: []minuteCount{{minute: at(30 * time.Minute), count: 3}}}},
		"ApprovalLeftUntilItLapses": {reason: "what is left of an approval stays until approvedUntil",
			args: at(59 * time.Minute), want: s},
	}
	checkTable(t, "pruned", cases, func(now time.Time) guardState { return s.pruned(now) }, stateCmp)
}

func TestGuardStateSpentAndReturned(t *testing.T) {
	base := guardState{window: []minuteCount{{minute: t0, count: 2}}, approved: 10, approvedUntil: at(time.Hour)}
	type args struct {
		now    time.Time
		grant  guardGrant
		unsent int
	}
	cases := map[string]row[args, guardState]{
		"SameMinuteAddsUp": {reason: "operations of one minute share its entry",
			args: args{now: at(40 * time.Second), grant: guardGrant{n: 3}},
			want: guardState{window: []minuteCount{{minute: t0, count: 5}}, approved: 10, approvedUntil: at(time.Hour)}},
		"NewMinuteAppended": {reason: "a later minute gets an entry of its own, and approved operations are used up",
			args: args{now: at(90 * time.Second), grant: guardGrant{n: 4, fromApproved: 4}},
			want: guardState{window: []minuteCount{{minute: t0, count: 2}, {minute: at(time.Minute), count: 4}}, approved: 6, approvedUntil: at(time.Hour)}},
		"UnsentUncountedAndBackToTheApproval": {reason: "operations never sent leave the window, and the approval gets its share back",
			args: args{now: at(90 * time.Second), grant: guardGrant{n: 4, fromApproved: 3}, unsent: 4},
			want: guardState{window: []minuteCount{{minute: t0, count: 2}, {minute: at(time.Minute), count: 0}}, approved: 10, approvedUntil: at(time.Hour)}},
	}
	checkTable(t, "spent/returned", cases, func(a args) guardState {
		return base.spent(a.now, a.grant).returned(a.grant, a.unsent)
	}, stateCmp)
}

func TestGuardStateSurvivesTheStatusRoundTrip(t *testing.T) {
	s := guardState{window: []minuteCount{{minute: t0, count: 60}, {minute: at(5 * time.Minute), count: 40}},
		approved: 12, approvedUntil: at(time.Hour)}.approve(at(10*time.Minute), 8)
	st := statusOfState(s, 100)
	if diff := cmp.Diff(s, stateOf(st), stateCmp); diff != "" {
		t.Errorf("a guard rebuilt from the status its patch writes differs (-written +read): a restart must see the same hour\n%s", diff)
	}
	if got := stateOf(st).sent(); got != 100 {
		t.Errorf("sent() after the round trip = %d, want the 100 operations of the hour", got)
	}
}

func TestGuardStatePatchClearsWhatIsGone(t *testing.T) {
	p := guardState{window: []minuteCount{{minute: t0, count: 0}}}.patch()
	want := map[string]any{"window": nil, "approved": 0, "approvedUntil": nil, "lastApproval": (*v1alpha1.DeletionApproval)(nil)}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("the patch of an empty state must null the fields, so that the merge patch removes them (-want +got):\n%s", diff)
	}
}

func TestThresholdOf(t *testing.T) {
	type args struct {
		p        *v1alpha1.DeletionProtection
		learners int
	}
	cases := map[string]row[args, int]{
		"DefaultsFewLearners": {reason: "unset: 100 an hour, since 10 % of 500 is less",
			args: args{learners: 500}, want: 100},
		"DefaultsManyLearners": {reason: "unset: 10 % of 20,000 Learners is the larger",
			args: args{learners: 20000}, want: 2000},
		"PercentRoundsUp": {reason: "a percentage of a count rounds up, never down to nothing",
			args: args{p: &v1alpha1.DeletionProtection{MaxPerHour: ptr.To[int32](0), MaxPercent: ptr.To[int32](10)}, learners: 5}, want: 1},
		"ZeroBothHoldsAll": {reason: "0 and 0 hold every deletion until approved",
			args: args{p: &v1alpha1.DeletionProtection{MaxPerHour: ptr.To[int32](0), MaxPercent: ptr.To[int32](0)}, learners: 1000}, want: 0},
		"PerHourOnly": {reason: "maxPercent unset keeps its default of 10",
			args: args{p: &v1alpha1.DeletionProtection{MaxPerHour: ptr.To[int32](50)}, learners: 1000}, want: 100},
	}
	checkTable(t, "thresholdOf", cases, func(a args) int { return thresholdOf(a.p, a.learners) })
}
