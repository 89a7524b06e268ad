package controller

import (
	"sort"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// summarize fills status.summary and status.learners: every subject is
// counted, at most MaxLearnerProgressEntries are listed (overdue first, then
// those not completed, then by name), and the rest counted in
// learnersOmitted. A nil ledger keeps the progress counts and the list as
// they are. due holds each assigned user's due time, where one applies.
func (run *enrollmentRun) summarize(target lms.Target, subjects []subjectProgress, led *progressLedger, due map[string]time.Time) {
	sum := &run.e.Status.Summary
	sum.Subjects, sum.Assigned = int32(len(subjects)), 0
	for _, s := range subjects {
		if s.assigned {
			sum.Assigned++
		}
	}
	if !run.caps.Progress {
		sum.NotStarted, sum.InProgress, sum.Completed, sum.Overdue = 0, 0, 0, 0
		run.e.Status.Learners, run.e.Status.LearnersOmitted, run.e.Status.OverdueUserIDs = nil, 0, nil
		return
	}
	if led == nil {
		return
	}
	list, overdue := run.progressEntries(subjects, led, due, sum)
	run.announceOverdue(target, overdue, due)
	sort.SliceStable(list, func(i, j int) bool {
		if ri, rj := listRank(list[i]), listRank(list[j]); ri != rj {
			return ri < rj
		}
		return list[i].Name < list[j].Name
	})
	run.e.Status.LearnersOmitted = 0
	if len(list) > v1alpha1.MaxLearnerProgressEntries {
		run.e.Status.LearnersOmitted = int32(len(list) - v1alpha1.MaxLearnerProgressEntries)
		list = list[:v1alpha1.MaxLearnerProgressEntries]
	}
	run.e.Status.Learners = list
}

// listRank orders status.learners: overdue learners first, as they are
// the ones to act on, then those not completed, then the completed.
func listRank(lp v1alpha1.LearnerProgress) int {
	switch {
	case lp.Overdue:
		return 0
	case lp.CompletedTime != nil || lp.Percent == 100:
		return 2
	}
	return 1
}

// progressEntries returns every subject's progress entry and counts the
// assigned ones by state; it returns the overdue ones by user ID.
func (run *enrollmentRun) progressEntries(subjects []subjectProgress, led *progressLedger, due map[string]time.Time,
	sum *v1alpha1.EnrollmentSummary) ([]v1alpha1.LearnerProgress, map[string]subjectProgress) {
	sum.NotStarted, sum.InProgress, sum.Completed, sum.Overdue = 0, 0, 0, 0
	list := make([]v1alpha1.LearnerProgress, 0, len(subjects))
	overdue := map[string]subjectProgress{}
	for _, s := range subjects {
		var p lms.Progress
		known := false
		if e := led.entries[s.user.ID]; e != nil && s.user.ID != "" {
			p, known = e.p, e.known
		}
		lp := learnerProgress(s.name, p)
		if s.assigned {
			d := due[s.user.ID]
			if !d.IsZero() {
				at := metav1.NewTime(d)
				lp.DueTime = &at
			}
			state := learnerState(p, known, d, run.now)
			countState(sum, state)
			if lp.Overdue = state == metrics.StateOverdue; lp.Overdue {
				overdue[s.user.ID] = s
			}
		}
		list = append(list, lp)
	}
	return list, overdue
}

// countState counts one assigned learner in the summary.
func countState(sum *v1alpha1.EnrollmentSummary, state string) {
	switch state {
	case metrics.StateCompleted:
		sum.Completed++
	case metrics.StateOverdue:
		sum.Overdue++
	case metrics.StateInProgress:
		sum.InProgress++
	default:
		sum.NotStarted++
	}
}

// learnerProgress converts one user's progress for status.
func learnerProgress(name string, p lms.Progress) v1alpha1.LearnerProgress {
	lp := v1alpha1.LearnerProgress{Name: name, Percent: int32(min(max(p.Percent, 0), 100))}
	if p.Completed {
		lp.Percent = 100
		if p.CompletedAt != nil {
			t := metav1.NewTime(p.CompletedAt.UTC().Truncate(time.Second))
			lp.CompletedTime = &t
		}
	}
	if p.Score != nil {
		lp.Score = strconv.FormatFloat(*p.Score, 'f', -1, 64)
	}
	return lp
}
