package controller

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// learnerSeries returns the lms_enrollment_learners series of the
// Enrollment, by state.
func learnerSeries(t *testing.T, e *v1alpha1.Enrollment) map[string]float64 {
	t.Helper()
	ch := make(chan prometheus.Metric, 1000)
	testMetric.EnrollmentLearners.Collect(ch)
	close(ch)
	out := map[string]float64{}
	for m := range ch {
		var pb dto.Metric
		if err := m.Write(&pb); err != nil {
			t.Fatal(err)
		}
		labels := map[string]string{}
		for _, l := range pb.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["namespace"] == e.Namespace && labels["enrollment"] == e.Name {
			out[labels["state"]] = pb.GetGauge().GetValue()
		}
	}
	return out
}

// overdueEvents returns the notes of the Overdue Warning events of the Enrollment.
func overdueEvents(t *testing.T, e *v1alpha1.Enrollment) []string {
	t.Helper()
	var list eventsv1.EventList
	if err := k8s.List(context.Background(), &list, client.InNamespace(e.Namespace)); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range list.Items {
		if ev.Regarding.Name == e.Name && ev.Type == corev1.EventTypeWarning && ev.Reason == v1alpha1.EventOverdue {
			out = append(out, ev.Note)
		}
	}
	return out
}

func TestEnrollmentDueDateInThePastMakesLearnersOverdueButNotTheCompleted(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), fastSync(2*time.Second))
	v.readyLearner(t, "amy", "amy@example.com")
	v.readyLearner(t, "bob", "bob@example.com")
	v.readyLearner(t, "cat", "cat@example.com")
	if err := v.sim.ELeaP.Complete("amy@example.com", "104", 100, nil); err != nil {
		t.Fatal(err)
	}
	e := enrollmentOf(v, "due", courseByID("104"), "amy", "bob", "cat")
	e.Spec.DueDate = "2020-01-01"
	create(t, e)

	waitEnrollment(t, e, "1 completed and 2 overdue", func(e *v1alpha1.Enrollment) bool {
		s := e.Status.Summary
		return s.Completed == 1 && s.Overdue == 2 && s.NotStarted == 0 && s.InProgress == 0
	})
	wantDue := time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)
	for name, overdue := range map[string]bool{"amy": false, "bob": true, "cat": true} {
		lp, ok := learnerEntry(e, name)
		if !ok || lp.Overdue != overdue || lp.DueTime == nil || !lp.DueTime.Time.Equal(wantDue) {
			t.Errorf("status.learners entry of %s = %+v (found %v), want overdue=%v due %s", name, lp, ok, overdue, wantDue)
		}
	}
	if first := e.Status.Learners[0]; !first.Overdue {
		t.Errorf("status.learners = %+v, want the overdue learners first", e.Status.Learners)
	}
	if c := findCondition(e.Status.Conditions, v1alpha1.ConditionReady); c == nil || !strings.Contains(c.Message, "2 learners overdue") {
		t.Errorf("Ready = %+v, want its message to count the 2 overdue learners", c)
	}
	want := map[string]float64{metrics.StateNotStarted: 0, metrics.StateInProgress: 0, metrics.StateCompleted: 1, metrics.StateOverdue: 2}
	waitFor(t, "lms_enrollment_learners of the Enrollment", eventually, func() (bool, string) {
		got := learnerSeries(t, e)
		return fmt.Sprint(got) == fmt.Sprint(want), fmt.Sprintf("series %v, want %v", got, want)
	})
	waitFor(t, "one Overdue event for each of bob and cat, none for amy", eventually, func() (bool, string) {
		notes := overdueEvents(t, e)
		bob, cat, amy := 0, 0, 0
		for _, n := range notes {
			bob += strings.Count(n, "Learner bob ")
			cat += strings.Count(n, "Learner cat ")
			amy += strings.Count(n, "amy")
		}
		return bob == 1 && cat == 1 && amy == 0, fmt.Sprintf("Overdue events: %q", notes)
	})

	time.Sleep(5 * time.Second) // two sync intervals: the overdue learners are announced once
	if notes := overdueEvents(t, e); len(notes) != 2 {
		t.Errorf("after more reconciles, Overdue events = %q, want still the 2 first ones", notes)
	}
	remove(t, e)
	waitGone(t, e)
	waitFor(t, "the Enrollment's series gone with it", eventually, func() (bool, string) {
		got := learnerSeries(t, e)
		return len(got) == 0, fmt.Sprintf("series %v", got)
	})
}

func TestELeaPCourseDeadlineDateIsShownAndUsedWithoutASpecDueDate(t *testing.T) {
	ns := newNamespace(t)
	seed := lmssim.DefaultSeed()
	for i := range seed.ELeaP.Courses {
		if seed.ELeaP.Courses[i].ID == "104" {
			seed.ELeaP.Courses[i].Deadline, seed.ELeaP.Courses[i].DeadlineDate = "date", "2020-06-30"
		}
	}
	v := newConnection(t, ns, lmssim.ELeaP, seed, fastSync(2*time.Second))
	v.readyLearner(t, "dan", "dan@example.com")
	e := enrollmentOf(v, "vendor-due", courseByID("104"), "dan")
	create(t, e)

	waitEnrollment(t, e, "dan overdue by the course's deadline", func(e *v1alpha1.Enrollment) bool {
		return e.Status.Summary.Overdue == 1
	})
	if e.Status.Target == nil || e.Status.Target.VendorDeadline != "2020-06-30" {
		t.Errorf("status.target = %+v, want vendorDeadline 2020-06-30", e.Status.Target)
	}
	if lp, ok := learnerEntry(e, "dan"); !ok || lp.DueTime == nil || !lp.DueTime.Time.Equal(time.Date(2020, 7, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("status.learners entry of dan = %+v, want due at the end of 2020-06-30", lp)
	}

	update(t, e, func() { e.Spec.DueAfter = &metav1.Duration{Duration: 24 * time.Hour} })
	waitEnrollment(t, e, "the spec's dueAfter used instead: dan not overdue", func(e *v1alpha1.Enrollment) bool {
		return e.Status.ObservedGeneration == e.Generation && e.Status.Summary.Overdue == 0 && e.Status.Summary.NotStarted == 1
	})
	if len(e.Status.AssignmentTimes) != 1 {
		t.Errorf("status.assignmentTimes = %+v, want dan's assignment recorded", e.Status.AssignmentTimes)
	}
}

func TestEnrollmentDueAfterFlipsToOverdueAtTheDueTimeNotTheSyncInterval(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), fastSync(time.Minute))
	v.readyLearner(t, "eve", "eve@example.com")
	e := enrollmentOf(v, "soon", courseByID("103"), "eve")
	e.Spec.DueAfter = &metav1.Duration{Duration: 8 * time.Second}
	create(t, e)

	waitEnrollment(t, e, "eve assigned, not yet overdue", func(e *v1alpha1.Enrollment) bool {
		lp, ok := learnerEntry(e, "eve")
		return isReady(e.Status.Conditions, e.Generation) && ok && lp.DueTime != nil && e.Status.Summary.Overdue == 0
	})
	lp, _ := learnerEntry(e, "eve")
	waitEnrollment(t, e, "eve overdue soon after her due time", func(e *v1alpha1.Enrollment) bool {
		return e.Status.Summary.Overdue == 1
	})
	if late := time.Since(lp.DueTime.Time); late > 15*time.Second {
		t.Errorf("eve was found overdue %s after her due time, want within seconds (the sync interval is 1m)", late)
	}
}
