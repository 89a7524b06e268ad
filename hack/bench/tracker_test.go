package main

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// status is a CommonStatus with Ready set to ready, observed at observed.
func status(ready metav1.ConditionStatus, observed int64) v1alpha1.CommonStatus {
	return v1alpha1.CommonStatus{ObservedGeneration: observed,
		Conditions: []metav1.Condition{{Type: v1alpha1.ConditionReady, Status: ready, Reason: "Synced"}}}
}

func TestDone(t *testing.T) {
	group := func(s v1alpha1.CommonStatus, members, pending int32) *v1alpha1.LearnerGroup {
		g := &v1alpha1.LearnerGroup{ObjectMeta: metav1.ObjectMeta{Generation: 2}}
		g.Status.CommonStatus, g.Status.MemberCount, g.Status.PendingMembers = s, members, pending
		return g
	}
	enrollment := func(s v1alpha1.CommonStatus, subjects, assigned int32) *v1alpha1.Enrollment {
		e := &v1alpha1.Enrollment{ObjectMeta: metav1.ObjectMeta{Generation: 1}}
		e.Status.CommonStatus, e.Status.Summary.Subjects, e.Status.Summary.Assigned = s, subjects, assigned
		return e
	}
	cases := map[string]struct {
		reason string
		got    bool
		want   bool
	}{
		"LearnerReady":       {reason: "Ready True for the generation is done", got: learnerDone(&v1alpha1.Learner{ObjectMeta: metav1.ObjectMeta{Generation: 3}, Status: v1alpha1.LearnerStatus{CommonStatus: status(metav1.ConditionTrue, 3)}}), want: true},
		"LearnerOldGen":      {reason: "Ready True for an older generation is not done", got: learnerDone(&v1alpha1.Learner{ObjectMeta: metav1.ObjectMeta{Generation: 3}, Status: v1alpha1.LearnerStatus{CommonStatus: status(metav1.ConditionTrue, 2)}}), want: false},
		"LearnerNotReady":    {reason: "Ready False is not done", got: learnerDone(&v1alpha1.Learner{ObjectMeta: metav1.ObjectMeta{Generation: 1}, Status: v1alpha1.LearnerStatus{CommonStatus: status(metav1.ConditionFalse, 1)}}), want: false},
		"LearnerNoStatus":    {reason: "no conditions is not done", got: learnerDone(&v1alpha1.Learner{}), want: false},
		"GroupAllMembers":    {reason: "a Ready group with every member and none pending is done", got: groupDone(group(status(metav1.ConditionTrue, 2), 10, 0), 10), want: true},
		"GroupMissing":       {reason: "a Ready group short of members is not done", got: groupDone(group(status(metav1.ConditionTrue, 2), 9, 0), 10), want: false},
		"GroupPending":       {reason: "a group with pending members is not done", got: groupDone(group(status(metav1.ConditionTrue, 2), 10, 1), 10), want: false},
		"EnrollmentAll":      {reason: "a Ready Enrollment with every subject assigned is done", got: enrollmentDone(enrollment(status(metav1.ConditionTrue, 1), 10, 10), 10), want: true},
		"EnrollmentShort":    {reason: "an Enrollment short of assignments is not done", got: enrollmentDone(enrollment(status(metav1.ConditionTrue, 1), 10, 8), 10), want: false},
		"EnrollmentSubjects": {reason: "an Enrollment that resolved fewer subjects is not done", got: enrollmentDone(enrollment(status(metav1.ConditionTrue, 1), 8, 8), 10), want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// readyLearner is Learner name, Ready for its generation or not.
func readyLearner(name string, ready bool) *v1alpha1.Learner {
	s := status(metav1.ConditionFalse, 1)
	if ready {
		s = status(metav1.ConditionTrue, 1)
	}
	return &v1alpha1.Learner{ObjectMeta: metav1.ObjectMeta{Name: name, Generation: 1}, Status: v1alpha1.LearnerStatus{CommonStatus: s}}
}

func TestTrackerConverges(t *testing.T) {
	tr := newTracker(scenario{learners: 2})
	conn := &v1alpha1.LMSConnection{ObjectMeta: metav1.ObjectMeta{Name: "lms", Generation: 1},
		Status: v1alpha1.ConnectionStatus{CommonStatus: status(metav1.ConditionTrue, 1)}}
	tr.observe(watch.Added, readyLearner("a", false))
	tr.observe(watch.Added, readyLearner("b", false))
	tr.observe(watch.Modified, conn)
	tr.observe(watch.Modified, readyLearner("a", true))
	if _, ok := tr.waitConverged(context.Background(), time.Millisecond, nil); ok {
		t.Fatal("the tracker converged with Learner b not Ready")
	}
	tr.observe(watch.Modified, readyLearner("b", true))
	if _, ok := tr.waitConverged(context.Background(), time.Second, nil); !ok {
		t.Fatal("the tracker did not converge once the connection and both Learners were Ready")
	}
	tr.observe(watch.Modified, readyLearner("b", false))
	tr.observe(watch.Added, &eventsv1.Event{Regarding: corev1.ObjectReference{Kind: "Learner"}})
	writes, events := tr.writes()
	want := []writeCount{{kind: kindConnection, objects: 1, modified: 1, maxPerObj: 1, changed: 1},
		{kind: kindLearner, objects: 2, modified: 3, maxPerObj: 2, changed: 2}}
	if diff := cmp.Diff(want, writes, cmp.AllowUnexported(writeCount{})); diff != "" {
		t.Errorf("writes counts MODIFIED events per kind, not the bench's ADDED: -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"Learner": 1}, events); diff != "" {
		t.Errorf("writes counts Events by the kind they regard: -want, +got:\n%s", diff)
	}
	if tr.regressions != 1 {
		t.Errorf("a Learner that left Ready after convergence counts as a regression: got %d, want 1", tr.regressions)
	}
	again, _ := tr.writes()
	if again[1].modified != 0 {
		t.Errorf("writes starts a new phase: got %d changes right after, want 0", again[1].modified)
	}
}
