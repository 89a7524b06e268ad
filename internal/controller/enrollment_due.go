package controller

import (
	"context"
	"fmt"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

const (
	// actionCheckDue is the action of Overdue events.
	actionCheckDue = "CheckDue"
	// maxOverdueEvents bounds the Overdue events of one reconcile, one per
	// learner; the learners beyond share one event, so that a due date
	// passing over 10,000 learners does not flood the API server.
	maxOverdueEvents = 10
)

// A dueRule is when an Enrollment's training is due: at one time for
// every learner, or a period after each learner's assignment. The zero
// dueRule sets no due time.
type dueRule struct {
	// at is the time every learner is due: the end of the due date (UTC).
	at time.Time
	// after and months are the period after the assignment.
	after  time.Duration
	months int
}

// relative reports whether the rule counts from each learner's assignment.
func (r dueRule) relative() bool { return r.after > 0 || r.months > 0 }

// dueTime is when a learner assigned at assigned is due; zero without a rule.
func (r dueRule) dueTime(assigned time.Time) time.Time {
	switch {
	case !r.at.IsZero():
		return r.at
	case r.after > 0:
		return assigned.Add(r.after)
	case r.months > 0:
		return assigned.AddDate(0, r.months, 0)
	}
	return time.Time{}
}

// specDue reports whether the spec sets a due date of its own.
func specDue(s v1alpha1.EnrollmentSpec) bool {
	return s.DueDate != "" || (s.DueAfter != nil && s.DueAfter.Duration > 0)
}

// dueRuleOf is the spec's due date or, where it sets none, the deadline the
// vendor sets on the target. A date is due at its end: the next day's
// midnight, UTC.
func dueRuleOf(s v1alpha1.EnrollmentSpec, d *lms.Deadline) (dueRule, error) {
	switch {
	case s.DueDate != "":
		day, err := time.Parse(time.DateOnly, s.DueDate)
		if err != nil {
			return dueRule{}, fmt.Errorf("spec.dueDate %q is not a date (YYYY-MM-DD)", s.DueDate)
		}
		return dueRule{at: day.AddDate(0, 0, 1)}, nil
	case s.DueAfter != nil && s.DueAfter.Duration > 0:
		return dueRule{after: s.DueAfter.Duration}, nil
	case d == nil:
		return dueRule{}, nil
	case !d.Date.IsZero():
		return dueRule{at: d.Date.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)}, nil
	}
	return dueRule{after: time.Duration(d.Days) * 24 * time.Hour, months: d.Months}, nil
}

// learnerState is the state of an assigned learner at now, one of the
// states of lms_enrollment_learners: overdue only when the learner's
// progress is known (read, not merely unread) and due has passed.
func learnerState(p lms.Progress, known bool, due, now time.Time) string {
	switch {
	case p.Completed:
		return metrics.StateCompleted
	case known && !due.IsZero() && now.After(due):
		return metrics.StateOverdue
	case p.Percent > 0:
		return metrics.StateInProgress
	}
	return metrics.StateNotStarted
}

// formatDeadline is how status.target.vendorDeadline shows a vendor's
// deadline: "2024-01-01", "30 days" or "2 months"; "" for none.
func formatDeadline(d *lms.Deadline) string {
	switch {
	case d == nil:
		return ""
	case !d.Date.IsZero():
		return d.Date.UTC().Format(time.DateOnly)
	case d.Days > 0:
		return fmt.Sprintf("%d days", d.Days)
	case d.Months > 0:
		return fmt.Sprintf("%d months", d.Months)
	}
	return ""
}

// parseDeadline reads back what formatDeadline wrote, so that the deadline
// recorded in status stands when the vendor's list cannot be read; nil for
// anything else.
func parseDeadline(s string) *lms.Deadline {
	if at, err := time.Parse(time.DateOnly, s); err == nil {
		return &lms.Deadline{Date: at}
	}
	var n int
	var unit string
	if _, err := fmt.Sscanf(s, "%d %s", &n, &unit); err != nil || n <= 0 {
		return nil
	}
	switch unit {
	case "days":
		return &lms.Deadline{Days: n}
	case "months":
		return &lms.Deadline{Months: n}
	}
	return nil
}

// withVendorDeadline fills the deadline of a course named by id from the
// vendor's list of courses (cached per connection for a sync interval),
// where the vendor sets deadlines and the spec sets no due date. When the
// list cannot be read, the deadline status records stands: a failed read
// must not make learners due later.
func (run *enrollmentRun) withVendorDeadline(ctx context.Context, t lms.Target) lms.Target {
	if t.Kind != lms.TargetCourse || !run.caps.TargetDeadlines || specDue(run.e.Spec) {
		return t
	}
	enr := run.conn.Client.Enrollments()
	list, err := run.conn.Targets.Get(lms.WithPriority(ctx, lms.PriorityRead), string(t.Kind), run.interval,
		func(ctx context.Context) ([]lms.Target, error) { return enr.Targets(ctx, t.Kind) })
	if err != nil {
		if rt := run.e.Status.Target; rt != nil && rt.ID == t.ID {
			t.Deadline = parseDeadline(rt.VendorDeadline)
		}
		return t
	}
	for _, c := range list {
		if c.ID == t.ID {
			t.Deadline = c.Deadline
		}
	}
	return t
}

// assignmentTimes returns when each of ids was assigned: as the record
// says, and now for those it lacks. It returns the record to keep: the
// users of ids by time, oldest first, so that users assigned together
// share one entry.
func assignmentTimes(rec []v1alpha1.AssignmentTime, ids []string, now time.Time) (map[string]time.Time, []v1alpha1.AssignmentTime) {
	want := sets.New(ids...)
	at := make(map[string]time.Time, len(ids))
	for _, r := range rec {
		for _, id := range r.UserIDs {
			if _, seen := at[id]; want.Has(id) && !seen {
				at[id] = r.Time.UTC()
			}
		}
	}
	now = now.UTC().Truncate(time.Second)
	byTime := map[time.Time][]string{}
	for id := range want {
		if _, ok := at[id]; !ok {
			at[id] = now
		}
		byTime[at[id]] = append(byTime[at[id]], id)
	}
	out := make([]v1alpha1.AssignmentTime, 0, len(byTime))
	for t, users := range byTime {
		sort.Strings(users)
		out = append(out, v1alpha1.AssignmentTime{Time: metav1.NewTime(t), UserIDs: users})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.Before(&out[j].Time) })
	if len(out) == 0 {
		out = nil
	}
	return at, out
}

// dueTimes returns the due time of each assigned subject's user, by ID:
// none without a rule, or where the vendor reports no progress (no one can
// be found overdue there). Under a relative rule the assignment times are
// recorded in status; without one the record is dropped.
func (run *enrollmentRun) dueTimes(rule dueRule, subjects []subjectProgress) map[string]time.Time {
	if !rule.relative() || !run.caps.Progress {
		run.e.Status.AssignmentTimes = nil
	}
	if rule == (dueRule{}) || !run.caps.Progress {
		return nil
	}
	ids := sets.List(sets.KeySet(assignedUsers(subjects)))
	due := make(map[string]time.Time, len(ids))
	if !rule.relative() {
		for _, id := range ids {
			due[id] = rule.at
		}
		return due
	}
	at, rec := assignmentTimes(run.e.Status.AssignmentTimes, ids, run.now)
	run.e.Status.AssignmentTimes = rec
	for id, t := range at {
		due[id] = rule.dueTime(t)
	}
	return due
}

// nextDueIn is how soon a learner not completed and not yet overdue becomes
// due, so that the Enrollment flips to overdue on time: at most after.
func (run *enrollmentRun) nextDueIn(after time.Duration, due map[string]time.Time, led *progressLedger) time.Duration {
	if led == nil {
		return after
	}
	for id, t := range due {
		if e := led.entries[id]; e != nil && !e.p.Completed && t.After(run.now) {
			after = min(after, t.Sub(run.now)+time.Second)
		}
	}
	return after
}

// announceOverdue records a Warning event for each learner overdue now
// that status did not record overdue, and records the overdue ones. A
// reconcile announces at most maxOverdueEvents learners one by one, the
// rest in one event.
func (run *enrollmentRun) announceOverdue(target lms.Target, overdue map[string]subjectProgress, due map[string]time.Time) {
	before := sets.New(run.e.Status.OverdueUserIDs...)
	var fresh []string
	for id := range overdue {
		if !before.Has(id) {
			fresh = append(fresh, id)
		}
	}
	sort.Slice(fresh, func(i, j int) bool { return overdue[fresh[i]].name < overdue[fresh[j]].name })
	for i, id := range fresh {
		if i == maxOverdueEvents {
			names := make([]string, 0, len(fresh)-i)
			for _, rest := range fresh[i:] {
				names = append(names, overdue[rest].name)
			}
			run.event(corev1.EventTypeWarning, v1alpha1.EventOverdue, actionCheckDue, "%d more learners have not completed %s by their due time: %s",
				len(names), describeTarget(target), truncated(names, shownNames))
			break
		}
		// related names the Learner: events of one object and reason that
		// differ only in their note would be merged into one series.
		learner := &v1alpha1.Learner{ObjectMeta: metav1.ObjectMeta{Namespace: run.e.Namespace, Name: overdue[id].name}}
		run.notifier.recorder.Eventf(run.e, learner, corev1.EventTypeWarning, v1alpha1.EventOverdue, actionCheckDue,
			"Learner %s has not completed %s, due %s", overdue[id].name, describeTarget(target), due[id].UTC().Format(time.RFC3339))
	}
	run.e.Status.OverdueUserIDs = nil
	if len(overdue) > 0 {
		run.e.Status.OverdueUserIDs = sets.List(sets.KeySet(overdue))
	}
}

// publishLearners sets lms_enrollment_learners from status.summary: the
// series follow every status the Enrollment publishes.
func (run *enrollmentRun) publishLearners() {
	s := run.e.Status.Summary
	run.metrics.SetEnrollmentLearners(run.e.Namespace, run.e.Name, map[string]int{
		metrics.StateNotStarted: int(s.NotStarted), metrics.StateInProgress: int(s.InProgress),
		metrics.StateCompleted: int(s.Completed), metrics.StateOverdue: int(s.Overdue),
	})
}

// describeDue is the note of the Ready message on overdue learners; "" when none.
func describeDue(s v1alpha1.EnrollmentSummary) string {
	if s.Overdue == 0 {
		return ""
	}
	return countNouns(map[string]int{nounLearner: int(s.Overdue)}) + " overdue"
}
