package controller

import (
	"sort"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// summarize fills status.summary and status.learners: every subject is
// counted, at most MaxLearnerProgressEntries are listed (those not
// completed first, then by name), and the rest counted in learnersOmitted.
// A nil ledger keeps the progress counts and the list as they are.
func (run *enrollmentRun) summarize(subjects []subjectProgress, led *progressLedger) {
	sum := &run.e.Status.Summary
	sum.Subjects, sum.Assigned = int32(len(subjects)), 0
	for _, s := range subjects {
		if s.assigned {
			sum.Assigned++
		}
	}
	if !run.caps.Progress {
		sum.NotStarted, sum.InProgress, sum.Completed = 0, 0, 0
		run.e.Status.Learners, run.e.Status.LearnersOmitted = nil, 0
		return
	}
	if led == nil {
		return
	}
	list := run.progressEntries(subjects, led, sum)
	sort.SliceStable(list, func(i, j int) bool {
		ci, cj := list[i].CompletedTime != nil || list[i].Percent == 100, list[j].CompletedTime != nil || list[j].Percent == 100
		if ci != cj {
			return !ci
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

// progressEntries returns every subject's progress entry and counts the
// assigned ones by progress.
func (run *enrollmentRun) progressEntries(subjects []subjectProgress, led *progressLedger, sum *v1alpha1.EnrollmentSummary) []v1alpha1.LearnerProgress {
	sum.NotStarted, sum.InProgress, sum.Completed = 0, 0, 0
	list := make([]v1alpha1.LearnerProgress, 0, len(subjects))
	for _, s := range subjects {
		var p lms.Progress
		if e := led.entries[s.user.ID]; e != nil && s.user.ID != "" {
			p = e.p
		}
		if s.assigned {
			switch {
			case p.Completed:
				sum.Completed++
			case p.Percent > 0:
				sum.InProgress++
			default:
				sum.NotStarted++
			}
		}
		list = append(list, learnerProgress(s.name, p))
	}
	return list
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
