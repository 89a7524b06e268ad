package controller

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

var (
	dueDay   = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	assigned = time.Date(2026, 1, 31, 9, 30, 0, 0, time.UTC)
)

func TestDueRuleOf(t *testing.T) {
	type args struct {
		spec     v1alpha1.EnrollmentSpec
		deadline *lms.Deadline
		assigned time.Time
	}
	type want struct {
		Due time.Time
		Err bool
	}
	call := func(a args) want {
		r, err := dueRuleOf(a.spec, a.deadline)
		return want{Due: r.dueTime(a.assigned), Err: err != nil}
	}
	checkTable(t, "dueRuleOf", map[string]row[args, want]{
		"DueDateIsDueAtTheEndOfTheDay": {
			reason: "a learner has all of the due date to complete: due at the next midnight, UTC",
			args:   args{spec: v1alpha1.EnrollmentSpec{DueDate: "2026-03-01"}, assigned: assigned},
			want:   want{Due: dueDay.AddDate(0, 0, 1)},
		},
		"DueDateWinsOverTheVendors": {
			reason: "the spec's due date is used where the vendor sets one too",
			args:   args{spec: v1alpha1.EnrollmentSpec{DueDate: "2026-03-01"}, deadline: &lms.Deadline{Days: 3}, assigned: assigned},
			want:   want{Due: dueDay.AddDate(0, 0, 1)},
		},
		"DueAfterCountsFromTheAssignment": {
			reason: "dueAfter is a period after each learner's assignment",
			args:   args{spec: v1alpha1.EnrollmentSpec{DueAfter: &metav1.Duration{Duration: 48 * time.Hour}}, assigned: assigned},
			want:   want{Due: assigned.Add(48 * time.Hour)},
		},
		"VendorDate": {
			reason: "without a spec due date, eLeaP's deadline_date applies, due at its end",
			args:   args{deadline: &lms.Deadline{Date: dueDay}, assigned: assigned},
			want:   want{Due: dueDay.AddDate(0, 0, 1)},
		},
		"VendorDays": {
			reason: "a relative deadline in days counts from the assignment",
			args:   args{deadline: &lms.Deadline{Days: 30}, assigned: assigned},
			want:   want{Due: assigned.Add(30 * 24 * time.Hour)},
		},
		"VendorMonths": {
			reason: "a relative deadline in months counts calendar months from the assignment",
			args:   args{deadline: &lms.Deadline{Months: 1}, assigned: assigned},
			want:   want{Due: time.Date(2026, 3, 3, 9, 30, 0, 0, time.UTC)},
		},
		"None": {
			reason: "without a spec due date or a vendor deadline no one is due",
			args:   args{assigned: assigned},
			want:   want{},
		},
		"UnparsableDate": {
			reason: "a dueDate that is not a date is an error, not no due date",
			args:   args{spec: v1alpha1.EnrollmentSpec{DueDate: "March 1st"}},
			want:   want{Err: true},
		},
	}, call)
}

func TestLearnerState(t *testing.T) {
	type args struct {
		p        lms.Progress
		known    bool
		due, now time.Time
	}
	before, after := dueDay.Add(-time.Second), dueDay.Add(time.Second)
	checkTable(t, "learnerState", map[string]row[args, string]{
		"CompletedIsNeverOverdue": {
			reason: "a learner who completed is completed, also past the due time",
			args:   args{p: lms.Progress{Completed: true, Percent: 100}, known: true, due: dueDay, now: after},
			want:   metrics.StateCompleted,
		},
		"NotStartedPastDueIsOverdue": {
			reason: "not completed and past the due time is overdue, and only overdue",
			args:   args{known: true, due: dueDay, now: after},
			want:   metrics.StateOverdue,
		},
		"InProgressPastDueIsOverdue": {
			reason: "some progress does not keep a learner from being overdue",
			args:   args{p: lms.Progress{Percent: 40}, known: true, due: dueDay, now: after},
			want:   metrics.StateOverdue,
		},
		"AtTheDueTimeIsNotOverdue": {
			reason: "overdue is strictly after the due time",
			args:   args{known: true, due: dueDay, now: dueDay},
			want:   metrics.StateNotStarted,
		},
		"BeforeDueInProgress": {
			reason: "before the due time progress counts as usual",
			args:   args{p: lms.Progress{Percent: 40}, known: true, due: dueDay, now: before},
			want:   metrics.StateInProgress,
		},
		"UnknownProgressIsNotOverdue": {
			reason: "a learner whose progress was not read yet may have completed: not overdue on a guess",
			args:   args{due: dueDay, now: after},
			want:   metrics.StateNotStarted,
		},
		"NoDueTime": {
			reason: "without a due time no one is overdue",
			args:   args{known: true, now: after},
			want:   metrics.StateNotStarted,
		},
	}, func(a args) string { return learnerState(a.p, a.known, a.due, a.now) })
}

func TestDeadlineFormatRoundTrips(t *testing.T) {
	type want struct {
		Text string
		Back *lms.Deadline
	}
	call := func(d *lms.Deadline) want {
		s := formatDeadline(d)
		return want{Text: s, Back: parseDeadline(s)}
	}
	checkTable(t, "formatDeadline", map[string]row[*lms.Deadline, want]{
		"Date": {
			reason: "a date shows as YYYY-MM-DD and reads back",
			args:   &lms.Deadline{Date: dueDay},
			want:   want{Text: "2026-03-01", Back: &lms.Deadline{Date: dueDay}},
		},
		"Days": {
			reason: "days show as a period and read back",
			args:   &lms.Deadline{Days: 30},
			want:   want{Text: "30 days", Back: &lms.Deadline{Days: 30}},
		},
		"Months": {
			reason: "months show as a period and read back",
			args:   &lms.Deadline{Months: 2},
			want:   want{Text: "2 months", Back: &lms.Deadline{Months: 2}},
		},
		"None": {
			reason: "no deadline shows nothing",
			args:   nil,
			want:   want{},
		},
	}, call)
}

func TestAssignmentTimes(t *testing.T) {
	now := assigned.Add(time.Hour + 300*time.Millisecond)
	rec := func(at time.Time, ids ...string) v1alpha1.AssignmentTime {
		return v1alpha1.AssignmentTime{Time: metav1.NewTime(at), UserIDs: ids}
	}
	type args struct {
		rec []v1alpha1.AssignmentTime
		ids []string
	}
	type want struct {
		At  map[string]time.Time
		Rec []v1alpha1.AssignmentTime
	}
	call := func(a args) want {
		at, r := assignmentTimes(a.rec, a.ids, now)
		return want{At: at, Rec: r}
	}
	checkTable(t, "assignmentTimes", map[string]row[args, want]{
		"NewUsersAreAssignedNowTogether": {
			reason: "users first seen assigned are recorded at now, to the second, in one entry",
			args:   args{ids: []string{"2", "1"}},
			want: want{At: map[string]time.Time{"1": now.Truncate(time.Second), "2": now.Truncate(time.Second)},
				Rec: []v1alpha1.AssignmentTime{rec(now.Truncate(time.Second), "1", "2")}},
		},
		"RecordedTimesStandAndGoneUsersAreDropped": {
			reason: "a recorded assignment keeps its time (a restart must not postpone a due time); users no longer assigned leave the record",
			args:   args{rec: []v1alpha1.AssignmentTime{rec(assigned, "1", "3")}, ids: []string{"1", "2"}},
			want: want{At: map[string]time.Time{"1": assigned, "2": now.Truncate(time.Second)},
				Rec: []v1alpha1.AssignmentTime{rec(assigned, "1"), rec(now.Truncate(time.Second), "2")}},
		},
		"NoneAssigned": {
			reason: "without assigned users the record is empty",
			args:   args{rec: []v1alpha1.AssignmentTime{rec(assigned, "1")}},
			want:   want{At: map[string]time.Time{}},
		},
	}, call, cmp.Comparer(func(a, b metav1.Time) bool { return a.Equal(&b) }))
}

func TestAnnounceOverdue(t *testing.T) {
	type args struct {
		before  []string // status.overdueUserIDs
		overdue int      // learners overdue now: u00, u01, ...
	}
	type want struct {
		Events  []string
		Overdue int
	}
	call := func(a args) want {
		rec := events.NewFakeRecorder(100)
		e := &v1alpha1.Enrollment{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "e"}}
		e.Status.OverdueUserIDs = a.before
		run := &enrollmentRun{e: e, runBase: runBase{notifier: notifier{recorder: rec, obj: e}}}
		overdue := map[string]subjectProgress{}
		due := map[string]time.Time{}
		for i := range a.overdue {
			id := fmt.Sprintf("u%02d", i)
			overdue[id], due[id] = subjectProgress{name: "l" + id[1:], user: lms.User{ID: id}, assigned: true}, dueDay
		}
		run.announceOverdue(lms.Target{Kind: lms.TargetCourse, ID: "7"}, overdue, due)
		close(rec.Events)
		var got []string
		for ev := range rec.Events {
			got = append(got, ev)
		}
		return want{Events: got, Overdue: len(e.Status.OverdueUserIDs)}
	}
	note := func(name string) string {
		return "Warning Overdue Learner " + name + " has not completed course 7, due 2026-03-01T00:00:00Z"
	}
	checkTable(t, "announceOverdue", map[string]row[args, want]{
		"NewlyOverdueAreAnnouncedOnce": {
			reason: "a learner already recorded overdue gets no second event; the new one gets one",
			args:   args{before: []string{"u00"}, overdue: 2},
			want:   want{Events: []string{note("l01")}, Overdue: 2},
		},
		"NoLongerOverdueLeaveTheRecord": {
			reason: "a learner who completed, or whose due time moved, leaves status.overdueUserIDs",
			args:   args{before: []string{"u00", "u05"}},
			want:   want{},
		},
		"BeyondTenOneEventForTheRest": {
			reason: "at most 10 learners are announced one by one; the rest share one event",
			args:   args{overdue: 12},
			want: want{Events: []string{note("l00"), note("l01"), note("l02"), note("l03"), note("l04"), note("l05"),
				note("l06"), note("l07"), note("l08"), note("l09"),
				"Warning Overdue 2 more learners have not completed course 7 by their due time: l10, l11"}, Overdue: 12},
		},
	}, call)
}

func TestNextDueIn(t *testing.T) {
	now := dueDay.Add(-time.Hour)
	type args struct {
		due       map[string]time.Time
		completed []string
	}
	call := func(a args) time.Duration {
		led := &progressLedger{entries: map[string]*progressEntry{}}
		for id := range a.due {
			led.entries[id] = &progressEntry{}
		}
		for _, id := range a.completed {
			led.entries[id].p.Completed = true
		}
		run := &enrollmentRun{now: now}
		return run.nextDueIn(10*time.Hour, a.due, led)
	}
	checkTable(t, "nextDueIn", map[string]row[args, time.Duration]{
		"TheEarliestUpcomingDueTime": {
			reason: "the Enrollment is looked at again just after the next learner falls due",
			args:   args{due: map[string]time.Time{"a": dueDay, "b": dueDay.Add(time.Hour)}},
			want:   time.Hour + time.Second,
		},
		"CompletedAndPastDueDoNotCount": {
			reason: "a completed learner never falls due, and one already past due has nothing to wait for",
			args:   args{due: map[string]time.Time{"a": dueDay, "b": now.Add(-time.Minute), "c": dueDay.Add(2 * time.Hour)}, completed: []string{"a"}},
			want:   3*time.Hour + time.Second,
		},
		"TheIntervalWhenSooner": {
			reason: "a due time beyond the requeue leaves the requeue as it is",
			args:   args{due: map[string]time.Time{"a": now.Add(20 * time.Hour)}},
			want:   10 * time.Hour,
		},
	}, call)
}
