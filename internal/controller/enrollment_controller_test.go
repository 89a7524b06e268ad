package controller

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/eleap"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
)

// enrollmentOf returns an Enrollment of the connection with the given
// learnerRefs, not yet created; set sets its target and anything else.
func enrollmentOf(v *vendorSetup, name string, set func(*v1alpha1.EnrollmentSpec), refs ...string) *v1alpha1.Enrollment {
	e := &v1alpha1.Enrollment{
		ObjectMeta: metav1.ObjectMeta{Namespace: v.conn.Namespace, Name: name},
		Spec:       v1alpha1.EnrollmentSpec{ConnectionRef: v1alpha1.ConnectionReference{Name: v.conn.Name}},
	}
	for _, r := range refs {
		e.Spec.Subjects.LearnerRefs = append(e.Spec.Subjects.LearnerRefs, v1alpha1.LocalObjectReference{Name: r})
	}
	set(&e.Spec)
	return e
}

// fastSync returns connection options with a short sync interval and a
// budget that sustains it (the eLeaP default, 2500 an hour, is one call
// every 1.4s).
func fastSync(d time.Duration) connOpts {
	return connOpts{syncInterval: d, requestsPerHour: 36000, burst: 50}
}

func courseByName(n string) func(*v1alpha1.EnrollmentSpec) {
	return func(s *v1alpha1.EnrollmentSpec) { s.Course = &v1alpha1.TargetReference{Name: n} }
}

func courseByID(id string) func(*v1alpha1.EnrollmentSpec) {
	return func(s *v1alpha1.EnrollmentSpec) { s.Course = &v1alpha1.TargetReference{ID: id} }
}

// enrLearners creates Learners named like their email's local part, without waiting.
func enrLearners(t *testing.T, v *vendorSetup, labels map[string]string, emails ...string) []*v1alpha1.Learner {
	t.Helper()
	var out []*v1alpha1.Learner
	for _, e := range emails {
		l := v.learner(strings.Split(e, "@")[0], e)
		l.Labels = labels
		create(t, l)
		out = append(out, l)
	}
	return out
}

// eleapAssigned returns the emails of the users the simulator has assigned
// directly to the eLeaP course or learning path, sorted.
func eleapAssigned(v *vendorSetup, kind, id string) []string {
	return eleapAssignments(v, kind, id, func(a eleapsim.Assignment) string {
		if a.UserID == "" {
			return ""
		}
		return a.Email
	})
}

// eleapGroupsAssigned returns the ids of the user groups assigned to the target.
func eleapGroupsAssigned(v *vendorSetup, kind, id string) []string {
	return eleapAssignments(v, kind, id, func(a eleapsim.Assignment) string { return a.UserGroupID })
}

// eleapAssignments returns what pick returns of each of the target's
// assignments in the simulator, sorted, leaving out empty values.
func eleapAssignments(v *vendorSetup, kind, id string, pick func(eleapsim.Assignment) string) []string {
	var out []string
	for _, a := range v.sim.ELeaP.State().Assignments {
		if x := pick(a); a.Target == kind && a.TargetID == id && x != "" {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

// waitAssigned waits until the eLeaP target's direct assignments are want.
func waitAssigned(t *testing.T, v *vendorSetup, kind, id string, want ...string) {
	t.Helper()
	slices.Sort(want)
	waitFor(t, fmt.Sprintf("eLeaP %s %s assigned to %v", kind, id, want), eventually, func() (bool, string) {
		got := eleapAssigned(v, kind, id)
		return slices.Equal(got, want), fmt.Sprintf("assigned: %v", got)
	})
}

// waitEnrollment waits until cond holds for the Enrollment, re-read each time.
func waitEnrollment(t *testing.T, e *v1alpha1.Enrollment, what string, cond func(*v1alpha1.Enrollment) bool) {
	t.Helper()
	waitFor(t, "Enrollment "+e.Name+": "+what, eventually, func() (bool, string) {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(e), e); err != nil {
			return false, err.Error()
		}
		return cond(e), describeEnrollment(e)
	})
}

// describeEnrollment prints what a failing test saw of an Enrollment.
func describeEnrollment(e *v1alpha1.Enrollment) string {
	var conds []string
	for _, c := range e.Status.Conditions {
		conds = append(conds, fmt.Sprintf("%s=%s/%s %q", c.Type, c.Status, c.Reason, c.Message))
	}
	return fmt.Sprintf("conditions=%v target=%+v summary=%+v assignedUserIDs=%v assignedGroups=%v learners=%d omitted=%d",
		conds, e.Status.Target, e.Status.Summary, e.Status.AssignedUserIDs, e.Status.AssignedGroups,
		len(e.Status.Learners), e.Status.LearnersOmitted)
}

// handClient is an eLeaP client that acts in the LMS behind the operator's back.
func handClient(t *testing.T, v *vendorSetup) lms.EnrollmentClient {
	t.Helper()
	c, err := eleap.New(lms.Config{BaseURL: v.sim.BaseURL(lmssim.ELeaP),
		Credentials: map[string][]byte{"apiToken": []byte(lmssim.DemoELeaPToken)}, HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return c.Enrollments()
}

func learnerEntry(e *v1alpha1.Enrollment, name string) (v1alpha1.LearnerProgress, bool) {
	for _, lp := range e.Status.Learners {
		if lp.Name == name {
			return lp, true
		}
	}
	return v1alpha1.LearnerProgress{}, false
}

func TestELeaPCourseByNameAssignsRefsAndSelectorAndReportsCompletion(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), fastSync(3*time.Second))
	enrLearners(t, v, nil, "amy@example.com", "bob@example.com")
	enrLearners(t, v, map[string]string{"team": "platform"}, "cat@example.com")
	enrLearners(t, v, map[string]string{"team": "sales"}, "dan@example.com")
	e := enrollmentOf(v, "k8s", courseByName("Kubernetes Basics"), "amy", "bob")
	e.Spec.Subjects.LearnerSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"team": "platform"}}
	create(t, e)

	waitAssigned(t, v, eleapsim.TargetCourse, "103", "amy@example.com", "bob@example.com", "cat@example.com")
	waitEnrollment(t, e, "Ready with 3 learners assigned", func(e *v1alpha1.Enrollment) bool {
		return isReady(e.Status.Conditions, e.Generation) && e.Status.Summary.Assigned == 3
	})
	if want := (v1alpha1.ResolvedTarget{Kind: "Course", ID: "103", Name: "Kubernetes Basics"}); e.Status.Target == nil || *e.Status.Target != want {
		t.Errorf("status.target = %+v, want %+v", e.Status.Target, want)
	}
	if s := e.Status.Summary; s.Subjects != 3 || s.Assigned != 3 || s.Completed != 0 {
		t.Errorf("summary = %+v, want 3 subjects, 3 assigned, none completed", s)
	}
	if len(e.Status.AssignedUserIDs) != 3 {
		t.Errorf("status.assignedUserIDs = %v, want the 3 users", e.Status.AssignedUserIDs)
	}
	if s := kstatusOf(t, e); s != kstatus.CurrentStatus {
		t.Errorf("kstatus of a converged Enrollment = %s, want Current", s)
	}

	score := 88.5
	if err := v.sim.ELeaP.Complete("amy@example.com", "103", 100, &score); err != nil {
		t.Fatal(err)
	}
	waitEnrollment(t, e, "summary.completed 1", func(e *v1alpha1.Enrollment) bool { return e.Status.Summary.Completed == 1 })
	lp, ok := learnerEntry(e, "amy")
	if !ok || lp.Percent != 100 || lp.CompletedTime == nil || lp.Score != "88.5" {
		t.Errorf("status.learners entry of amy = %+v (found %v), want percent 100, a completion time and score 88.5", lp, ok)
	}
	if last := e.Status.Learners[len(e.Status.Learners)-1]; last.Name != "amy" {
		t.Errorf("status.learners = %+v, want the completed learner last", e.Status.Learners)
	}
	if s := e.Status.Summary; s.NotStarted != 2 || s.InProgress != 0 {
		t.Errorf("summary = %+v, want 2 not started", s)
	}
}

func TestELeaPLearningPathByIDAssignsTheVendorGroup(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), fastSync(5*time.Second))
	enrLearners(t, v, nil, "gia@example.com", "hal@example.com")
	g := &v1alpha1.LearnerGroup{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "platform"},
		Spec: v1alpha1.LearnerGroupSpec{ConnectionRef: v1alpha1.ConnectionReference{Name: v.conn.Name}, DisplayName: "Platform Team",
			Members: v1alpha1.GroupMembers{LearnerRefs: []v1alpha1.LocalObjectReference{{Name: "gia"}, {Name: "hal"}}}}}
	create(t, g)
	e := enrollmentOf(v, "onboarding", func(s *v1alpha1.EnrollmentSpec) {
		s.LearningPath = &v1alpha1.TargetReference{ID: "201"}
		s.Subjects.GroupRefs = []v1alpha1.LocalObjectReference{{Name: "platform"}}
	})
	create(t, e)

	waitReady(t, g)
	waitReady(t, e)
	waitEnrollment(t, e, "2 group members assigned", func(e *v1alpha1.Enrollment) bool { return e.Status.Summary.Assigned == 2 })
	if got := eleapGroupsAssigned(v, eleapsim.TargetLearningPath, "201"); !slices.Equal(got, []string{g.Status.ExternalID}) {
		t.Errorf("groups assigned to learning path 201 = %v, want the LearnerGroup's %q", got, g.Status.ExternalID)
	}
	if got := eleapAssigned(v, eleapsim.TargetLearningPath, "201"); len(got) != 0 {
		t.Errorf("users assigned directly to learning path 201 = %v, want none: the group is assigned", got)
	}
	if n := v.sim.Calls(lmssim.ELeaP)["learning_paths/assign_user_group"]; n != 1 {
		t.Errorf("learning_paths/assign_user_group called %d times, want 1", n)
	}
	if !slices.Equal(e.Status.AssignedGroups, []string{g.Status.ExternalID}) || e.Status.Summary.Subjects != 2 {
		t.Errorf("status: %s; want assignedGroups [%s] and 2 subjects", describeEnrollment(e), g.Status.ExternalID)
	}

	remove(t, e)
	waitGone(t, e)
	if got := eleapGroupsAssigned(v, eleapsim.TargetLearningPath, "201"); len(got) != 0 {
		t.Errorf("after delete with Unassign, groups assigned to learning path 201 = %v, want none", got)
	}
}

func TestELeaPUnassignsRemovedLearnersKeepsOthersAndRepairsDrift(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), fastSync(3*time.Second))
	ls := enrLearners(t, v, nil, "eve@example.com", "fay@example.com")
	// ada@example.com is assigned course 102 in the seed, by hand.
	e := enrollmentOf(v, "conduct", courseByID("102"), "eve", "fay")
	create(t, e)
	waitReady(t, e)
	waitAssigned(t, v, eleapsim.TargetCourse, "102", "ada@example.com", "eve@example.com", "fay@example.com")

	update(t, e, func() { e.Spec.Subjects.LearnerRefs = e.Spec.Subjects.LearnerRefs[:1] })
	waitAssigned(t, v, eleapsim.TargetCourse, "102", "ada@example.com", "eve@example.com")
	waitReady(t, e)
	get(t, ls[0])
	if !slices.Equal(e.Status.AssignedUserIDs, []string{ls[0].Status.ExternalID}) {
		t.Errorf("status.assignedUserIDs = %v, want only eve's %s", e.Status.AssignedUserIDs, ls[0].Status.ExternalID)
	}

	start := time.Now()
	err := handClient(t, v).UnassignUser(context.Background(), lms.Target{Kind: lms.TargetCourse, ID: "102"}, lms.User{ID: ls[0].Status.ExternalID})
	if err != nil {
		t.Fatal(err)
	}
	waitAssigned(t, v, eleapsim.TargetCourse, "102", "ada@example.com", "eve@example.com")
	t.Logf("the assignment removed by hand was made again after %s", time.Since(start).Round(100*time.Millisecond))
	if d := time.Since(start); d > 3*time.Second+5*time.Second {
		t.Errorf("the assignment removed by hand came back after %s, want within the sync interval (3s) and a margin", d)
	}

	remove(t, e)
	waitGone(t, e)
	if got := eleapAssigned(v, eleapsim.TargetCourse, "102"); !slices.Equal(got, []string{"ada@example.com"}) {
		t.Errorf("after delete, course 102 is assigned to %v, want only ada's hand-made assignment", got)
	}
}

func TestEnrollmentDeletionPolicyUnassignRemovesAndOrphanKeeps(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{})
	enrLearners(t, v, nil, "ian@example.com", "jo@example.com")
	unassign := enrollmentOf(v, "unassign", courseByID("104"), "ian")
	orphan := enrollmentOf(v, "orphan", courseByID("101"), "jo")
	orphan.Spec.DeletionPolicy = v1alpha1.EnrollmentOrphan
	create(t, unassign)
	create(t, orphan)
	waitReady(t, unassign)
	waitReady(t, orphan)
	waitAssigned(t, v, eleapsim.TargetCourse, "104", "ian@example.com")
	waitAssigned(t, v, eleapsim.TargetCourse, "101", "jo@example.com")

	remove(t, unassign)
	remove(t, orphan)
	waitGone(t, unassign)
	waitGone(t, orphan)
	if got := eleapAssigned(v, eleapsim.TargetCourse, "104"); len(got) != 0 {
		t.Errorf("deletionPolicy Unassign: course 104 still assigned to %v", got)
	}
	if got := eleapAssigned(v, eleapsim.TargetCourse, "101"); !slices.Equal(got, []string{"jo@example.com"}) {
		t.Errorf("deletionPolicy Orphan: course 101 assigned to %v, want jo's assignment kept", got)
	}
}

func TestEnrollmentWaitsForLearnersThatAreNotReady(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{})
	enrLearners(t, v, nil, "kim@example.com")
	e := enrollmentOf(v, "late", courseByID("104"), "kim", "lou")
	create(t, e)
	waitCondition(t, e, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependencies)
	waitAssigned(t, v, eleapsim.TargetCourse, "104", "kim@example.com")
	if c := findCondition(e.Status.Conditions, v1alpha1.ConditionReconciling); c == nil || c.Status != metav1.ConditionTrue ||
		!strings.Contains(c.Message, "Learner lou") {
		t.Errorf("Reconciling = %+v, want True naming Learner lou", c)
	}

	enrLearners(t, v, nil, "lou@example.com")
	waitReady(t, e)
	waitAssigned(t, v, eleapsim.TargetCourse, "104", "kim@example.com", "lou@example.com")
}

func TestEnableyChannelByIDWithInstructorRole(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.Enabley, lmssim.DefaultSeed(), connOpts{})
	ls := enrLearners(t, v, nil, "mia@example.com")
	e := enrollmentOf(v, "k8s", func(s *v1alpha1.EnrollmentSpec) {
		s.Channel = &v1alpha1.TargetReference{ID: "kubernetes-basics"}
		s.Role = "Instructor"
	}, "mia")
	create(t, e)
	waitReady(t, e)
	get(t, ls[0])
	ch, ok := v.sim.Enabley.Channel("kubernetes-basics")
	if !ok || !slices.Equal(ch.Users[ls[0].Status.ExternalID], []string{"INSTRUCTOR"}) {
		t.Fatalf("channel kubernetes-basics users = %v, want %s as INSTRUCTOR", ch.Users, ls[0].Status.ExternalID)
	}
	if s := e.Status.Summary; s.Subjects != 1 || s.Assigned != 1 {
		t.Errorf("summary = %+v, want 1 subject assigned", s)
	}

	remove(t, e)
	waitGone(t, e)
	ch, _ = v.sim.Enabley.Channel("kubernetes-basics")
	if _, ok := ch.Users[ls[0].Status.ExternalID]; ok {
		t.Errorf("after delete with Unassign, channel users = %v, want mia gone", ch.Users)
	}
}

func TestUnsupportedTargetsAndRolesAreStalledWithoutVendorCalls(t *testing.T) {
	cases := map[string]struct {
		vendor string
		set    func(*v1alpha1.EnrollmentSpec)
	}{
		"eLeaP channel": {lmssim.ELeaP, func(s *v1alpha1.EnrollmentSpec) { s.Channel = &v1alpha1.TargetReference{ID: "x"} }},
		"eLeaP instructor role": {lmssim.ELeaP, func(s *v1alpha1.EnrollmentSpec) {
			s.Course = &v1alpha1.TargetReference{ID: "103"}
			s.Role = "Instructor"
		}},
		"Enabley course":          {lmssim.Enabley, courseByID("103")},
		"Enabley learning path":   {lmssim.Enabley, func(s *v1alpha1.EnrollmentSpec) { s.LearningPath = &v1alpha1.TargetReference{Name: "x"} }},
		"Exceed course":           {lmssim.Exceed, courseByName("Kubernetes Basics")},
		"Exceed channel":          {lmssim.Exceed, func(s *v1alpha1.EnrollmentSpec) { s.Channel = &v1alpha1.TargetReference{ID: "x"} }},
		"Exceed learning path id": {lmssim.Exceed, func(s *v1alpha1.EnrollmentSpec) { s.LearningPath = &v1alpha1.TargetReference{ID: "201"} }},
	}
	for name, tc := range cases {
		t.Run(strings.ReplaceAll(name, " ", "-"), func(t *testing.T) {
			ns := newNamespace(t)
			v := newConnection(t, ns, tc.vendor, lmssim.DefaultSeed(), connOpts{})
			waitReady(t, v.conn)
			before := v.sim.Total(tc.vendor)
			e := enrollmentOf(v, "unsupported", tc.set, "nobody")
			create(t, e)
			waitCondition(t, e, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonUnsupported)
			waitCondition(t, e, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonUnsupported)
			if after := v.sim.Total(tc.vendor); after != before {
				t.Errorf("%d vendor calls after the Enrollment was created, want 0; calls: %v", after-before, v.sim.Calls(tc.vendor))
			}
			if s := kstatusOf(t, e); s != kstatus.FailedStatus {
				t.Errorf("kstatus = %s, want Failed", s)
			}
			remove(t, e)
			waitGone(t, e)
		})
	}
}

func TestELeaPTargetNameNotFoundIsNotStalledAndDuplicateNameIs(t *testing.T) {
	seed := lmssim.DefaultSeed()
	seed.ELeaP.Courses = append(seed.ELeaP.Courses, eleapsim.Course{ID: "105", Name: "Code of Conduct", Active: true})
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, seed, connOpts{})
	enrLearners(t, v, nil, "ned@example.com")

	missing := enrollmentOf(v, "missing", courseByName("Underwater Basket Weaving"), "ned")
	create(t, missing)
	waitCondition(t, missing, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonTargetNotFound)
	if c := findCondition(missing.Status.Conditions, v1alpha1.ConditionStalled); c != nil {
		t.Errorf("an unknown course name must not stall (the course may be created later); Stalled = %+v", c)
	}
	if c := findCondition(missing.Status.Conditions, v1alpha1.ConditionReconciling); c == nil || c.Status != metav1.ConditionTrue {
		t.Errorf("Reconciling = %+v, want True while the course is looked for", c)
	}

	byID := enrollmentOf(v, "byid", courseByID("999"), "ned")
	create(t, byID)
	waitCondition(t, byID, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonTargetNotFound)
	if c := findCondition(byID.Status.Conditions, v1alpha1.ConditionStalled); c != nil {
		t.Errorf("an unknown course id must not stall; Stalled = %+v", c)
	}

	dup := enrollmentOf(v, "dup", courseByName("Code of Conduct"), "ned")
	create(t, dup)
	waitCondition(t, dup, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonInvalidSpec)
	if c := findCondition(dup.Status.Conditions, v1alpha1.ConditionStalled); !strings.Contains(c.Message, "use id") {
		t.Errorf("Stalled message = %q, want it to say to use the id", c.Message)
	}
}

func TestEnrollmentStatusStaysSmallWith150Learners(t *testing.T) {
	const n = 150
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(),
		connOpts{requestsPerHour: 100000, burst: 1000, syncInterval: time.Minute})
	start := time.Now()
	emails := make([]string, n)
	for i := range emails {
		emails[i] = fmt.Sprintf("learner%03d@example.com", i)
	}
	enrLearners(t, v, map[string]string{"cohort": "big"}, emails...)
	e := enrollmentOf(v, "big", courseByID("104"))
	e.Spec.Subjects.LearnerSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"cohort": "big"}}
	create(t, e)
	waitFor(t, "150 learners assigned and Ready", 2*eventually, func() (bool, string) {
		get(t, e)
		return isReady(e.Status.Conditions, e.Generation) && e.Status.Summary.Assigned == n, describeEnrollment(e)
	})
	waitEnrollment(t, e, "progress read", func(e *v1alpha1.Enrollment) bool { return e.Status.LastProgressTime != nil })
	t.Logf("%d learners created and assigned in %s", n, time.Since(start).Round(100*time.Millisecond))
	if len(e.Status.Learners) != v1alpha1.MaxLearnerProgressEntries || e.Status.LearnersOmitted != n-v1alpha1.MaxLearnerProgressEntries {
		t.Errorf("len(status.learners) = %d, learnersOmitted = %d; want %d and %d",
			len(e.Status.Learners), e.Status.LearnersOmitted, v1alpha1.MaxLearnerProgressEntries, n-v1alpha1.MaxLearnerProgressEntries)
	}
	if s := e.Status.Summary; s.Subjects != n || s.NotStarted != n {
		t.Errorf("summary = %+v, want %d subjects, all not started", s, n)
	}
	if got := len(eleapAssigned(v, eleapsim.TargetCourse, "104")); got != n {
		t.Errorf("the simulator has %d users assigned to course 104, want %d", got, n)
	}
}

func TestELeaPProgressFailureKeepsReadyTrue(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), fastSync(2*time.Second))
	enrLearners(t, v, nil, "oli@example.com")
	e := enrollmentOf(v, "progress", courseByID("104"), "oli")
	create(t, e)
	waitEnrollment(t, e, "Ready with progress read", func(e *v1alpha1.Enrollment) bool {
		return isReady(e.Status.Conditions, e.Generation) && e.Status.LastProgressTime != nil
	})

	for range 3 {
		v.sim.ELeaP.FailNext(eleapsim.Failure{Endpoint: "users/recent_completions", HTTPStatus: http.StatusInternalServerError})
	}
	sawFailure := false
	waitFor(t, "a failed progress read reported while Ready stays True, then a good read", 4*eventually/3, func() (bool, string) {
		get(t, e)
		c := findCondition(e.Status.Conditions, v1alpha1.ConditionReady)
		if c == nil || c.Status != metav1.ConditionTrue {
			t.Fatalf("Ready flipped after a progress read failed: %s", describeEnrollment(e))
		}
		if strings.Contains(c.Message, "progress read in part") {
			sawFailure = true
		}
		return sawFailure && !strings.Contains(c.Message, "progress") && v.sim.Calls(lmssim.ELeaP)["users/recent_completions"] >= 4,
			fmt.Sprintf("sawFailure=%v %s", sawFailure, describeEnrollment(e))
	})
}
