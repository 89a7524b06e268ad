package controller

import (
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
)

// teamScenario is three Learners labelled team=platform, a selector
// LearnerGroup of them, a course Enrollment by that group and a
// learning-path Enrollment by selector, on one eLeaP connection.
type teamScenario struct {
	v        *vendorSetup
	learners []*v1alpha1.Learner
	group    *v1alpha1.LearnerGroup
	course   *v1alpha1.Enrollment
	path     *v1alpha1.Enrollment
}

func newTeamScenario(t *testing.T, o connOpts) *teamScenario {
	t.Helper()
	s := &teamScenario{v: newConnection(t, newNamespace(t), lmssim.ELeaP, lmssim.DefaultSeed(), o)}
	platform := map[string]string{"team": "platform"}
	s.learners = enrLearners(t, s.v, platform, "kai@example.com", "lea@example.com", "max@example.com")
	s.group = learnerGroupOf(s.v, "platform", "Platform")
	s.group.Spec.Members.Selector = &metav1.LabelSelector{MatchLabels: platform}
	s.course = enrollmentOf(s.v, "security", courseByID("101"))
	s.course.Spec.Subjects.GroupRefs = []v1alpha1.LocalObjectReference{{Name: "platform"}}
	s.path = enrollmentOf(s.v, "onboarding", func(e *v1alpha1.EnrollmentSpec) {
		e.LearningPath = &v1alpha1.TargetReference{ID: "201"}
		e.Subjects.LearnerSelector = &metav1.LabelSelector{MatchLabels: platform}
	})
	create(t, s.group)
	create(t, s.course)
	create(t, s.path)
	return s
}

// waitAllReady waits until every object of the scenario is Ready, within d.
func (s *teamScenario) waitAllReady(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for _, obj := range append(learnerObjects(s.learners), s.group, s.course, s.path) {
		waitFor(t, kindOf(obj)+" "+obj.GetName()+" Ready", time.Until(deadline), func() (bool, string) {
			get(t, obj)
			c := findCondition(conditionsOf(obj), v1alpha1.ConditionReady)
			if c == nil {
				return false, "no Ready condition"
			}
			return c.Status == metav1.ConditionTrue && c.ObservedGeneration == obj.GetGeneration(),
				fmt.Sprintf("Ready=%s %s: %s", c.Status, c.Reason, c.Message)
		})
	}
}

// At eLeaP's documented budget (2,500 calls an hour, burst 10) a small team
// (three Learners, a group, a course by group and a learning path by
// selector) converges within a minute: no read is paid for twice while its
// writes wait for tokens, and progress never starves the writes. Then three
// sync intervals with nothing changing cost no write (the interval is one
// the budget can read the team in: about nine reads an interval), and a
// course completed in the LMS shows in the Enrollment within one interval,
// from the one read of recent completions.
func TestATeamAtTheDocumentedELeaPBudgetConvergesStaysQuietAndShowsCompletions(t *testing.T) {
	const interval = 15 * time.Second
	s := newTeamScenario(t, connOpts{syncInterval: interval})
	began := time.Now()
	s.waitAllReady(t, time.Minute)
	t.Logf("all Ready after %s", time.Since(began).Round(time.Second))
	get(t, s.group)
	if s.group.Status.MemberCount != 3 {
		t.Errorf("group members = %d, want the 3 Learners", s.group.Status.MemberCount)
	}
	waitAssigned(t, s.v, eleapsim.TargetLearningPath, "201", "kai@example.com", "lea@example.com", "max@example.com")
	calls := s.v.sim.Calls(lmssim.ELeaP)
	if n := calls["usergroups/assigned_users"]; n > 3 {
		t.Errorf("usergroups/assigned_users was read %d times to converge, want at most 3 (calls %v)", n, calls)
	}

	// Each Learner's progress is read once on its own (the course, and the
	// learning path's two courses): nine users/activity calls, then none for
	// a day. Progress has the lowest priority: an interval's budget is about
	// 10.4 tokens and the team's sync reads take eight of them, so the nine
	// reads take about four intervals once all is Ready (fewer when some go
	// out while the writes converge), more when a slow machine delays them;
	// the wait allows twice that.
	readsFrom := time.Now()
	waitFor(t, "the first progress read of every Learner", 8*interval, func() (bool, string) {
		n := s.v.sim.Calls(lmssim.ELeaP)["users/activity"]
		return n >= 9, fmt.Sprintf("%d users/activity calls", n)
	})
	t.Logf("the first progress reads took %s after all was Ready", time.Since(readsFrom).Round(time.Second))
	s.v.sim.ResetCalls()
	time.Sleep(3*interval + interval/3)
	s.assertQuiet(t, s.v.sim.Calls(lmssim.ELeaP))

	if err := s.v.sim.ELeaP.Complete("kai@example.com", "101", 100, nil); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitFor(t, "kai's completion to show", interval+5*time.Second, func() (bool, string) {
		get(t, s.course)
		return s.course.Status.Summary.Completed == 1, fmt.Sprintf("summary %+v", s.course.Status.Summary)
	})
	t.Logf("the completion showed after %s (interval %s)", time.Since(start).Round(time.Second), interval)
	if n := s.v.sim.Count429(lmssim.ELeaP); n != 0 {
		t.Errorf("%d answers of 429, want none", n)
	}
}

// assertQuiet checks that calls hold no write and no per-learner progress read.
func (s *teamScenario) assertQuiet(t *testing.T, calls map[string]int) {
	t.Helper()
	var writes []string
	for ep, n := range calls {
		if isELeaPWrite(ep) {
			writes = append(writes, fmt.Sprintf("%s=%d", ep, n))
		}
	}
	if len(writes) > 0 {
		t.Errorf("three quiet intervals wrote %v, want nothing (calls %v)", writes, calls)
	}
	if n := calls["users/activity"]; n > 0 {
		t.Errorf("users/activity was read %d times in three intervals, want none: a learner read once is read again a day later", n)
	}
	t.Logf("three quiet intervals: %v", calls)
}

// isELeaPWrite reports whether an eLeaP endpoint writes.
func isELeaPWrite(endpoint string) bool {
	for _, w := range []string{"/add", "/edit", "/remove", "/activate", "/deactivate", "/assign_", "/unassign_"} {
		if strings.Contains(endpoint, w) {
			return true
		}
	}
	return false
}

func learnerObjects(ls []*v1alpha1.Learner) []client.Object {
	out := make([]client.Object, 0, len(ls))
	for _, l := range ls {
		out = append(out, l)
	}
	return out
}

// A batch of assignments cut short by a lost answer (the vendor made the
// first assignment, its answer never came), then a crash (the connection's
// memory of the LMS gone) and a change of the subjects, leaves no orphan:
// the assignment written ahead as pending is removed once it is no longer
// desired, and deleting the Enrollment leaves nothing assigned.
func TestABatchCutShortByACrashLeavesNoOrphanAssignment(t *testing.T) {
	v := newConnection(t, newNamespace(t), lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{syncInterval: 2 * time.Second})
	emails := []string{"ana@example.com", "ben@example.com", "cy@example.com", "di@example.com"}
	ls := enrLearners(t, v, nil, emails...)
	for _, l := range ls {
		waitReady(t, l)
	}
	v.sim.Inject(lmssim.ELeaP, lmssim.Fault{Kind: lmssim.FaultDropAfterCommit, Endpoint: "courses/assign_user"})
	v.sim.Inject(lmssim.ELeaP, lmssim.Fault{Kind: lmssim.Fault500, Endpoint: "courses/assign_user", Times: 1000})
	e := enrollmentOf(v, "batch", courseByID("104"), "ana", "ben", "cy", "di")
	create(t, e)
	waitFor(t, "the first assignment made and its answer lost, the rest written ahead", eventually, func() (bool, string) {
		get(t, e)
		return len(eleapAssigned(v, eleapsim.TargetCourse, "104")) == 1 && len(e.Status.PendingUserIDs) == 4,
			fmt.Sprintf("assigned %v, pending %v", eleapAssigned(v, eleapsim.TargetCourse, "104"), e.Status.PendingUserIDs)
	})
	// ana leaves the subjects, and a crash loses the connection's views.
	update(t, e, func() { e.Spec.Subjects.LearnerRefs = e.Spec.Subjects.LearnerRefs[1:] })
	testPool.Remove(connectionKey(e.Namespace, e.Spec.ConnectionRef))
	v.sim.ClearFaults(lmssim.ELeaP)
	waitAssigned(t, v, eleapsim.TargetCourse, "104", "ben@example.com", "cy@example.com", "di@example.com")
	waitReady(t, e)
	if len(e.Status.PendingUserIDs) != 0 || len(e.Status.AssignedUserIDs) != 3 {
		t.Errorf("status: assigned %v, pending %v; want the 3 subjects owned and nothing pending",
			e.Status.AssignedUserIDs, e.Status.PendingUserIDs)
	}
	remove(t, e)
	waitGone(t, e)
	if got := eleapAssigned(v, eleapsim.TargetCourse, "104"); len(got) != 0 {
		t.Errorf("after deleting the Enrollment the course still has %v assigned: orphans", got)
	}
}
