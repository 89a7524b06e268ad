package controller

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
)

// A sharedConnection is a ClusterLMSConnection to a simulator of its own,
// used by two namespaces of the test: two tenants of one LMS account.
type sharedConnection struct {
	sim      *lmssim.TestServer
	vendor   string
	conn     *v1alpha1.ClusterLMSConnection
	nsA, nsB string
}

// newSharedConnection starts a simulator with seed and a Ready
// ClusterLMSConnection to it that allows two new namespaces; set tunes the
// spec before it is created.
func newSharedConnection(t *testing.T, vendor string, seed lmssim.Seed, set func(*v1alpha1.ClusterLMSConnectionSpec)) *sharedConnection {
	t.Helper()
	s := &sharedConnection{vendor: vendor, nsA: newNamespace(t), nsB: newNamespace(t)}
	s.sim = lmssim.NewTestServer(t, seed, lmssim.Options{})
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: s.nsA, Name: "creds"}, StringData: credentials(vendor)})
	cc := &v1alpha1.ClusterLMSConnection{ObjectMeta: metav1.ObjectMeta{Name: vendor + "-" + s.nsA}}
	cc.Spec.Provider, cc.Spec.Endpoint, cc.Spec.AllowInsecureHTTP = v1alpha1.Provider(vendor), s.sim.BaseURL(vendor), true
	switch vendor {
	case lmssim.ELeaP:
		cc.Spec.ELeaP = &v1alpha1.ELeaPSettings{Subdomain: "acme"}
	case lmssim.Exceed:
		cc.Spec.Exceed = &v1alpha1.ExceedSettings{Subdomain: "acme"}
	case lmssim.Enabley:
		cc.Spec.Enabley = &v1alpha1.EnableySettings{SubAccountName: lmssim.DemoEnableySubAcct}
	}
	cc.Spec.CredentialsSecretRef = v1alpha1.SecretReference{Namespace: s.nsA, Name: "creds"}
	cc.Spec.AllowedNamespaces = &v1alpha1.AllowedNamespaces{Names: []string{s.nsA, s.nsB}}
	if set != nil {
		set(&cc.Spec)
	}
	create(t, cc)
	t.Cleanup(func() { remove(t, cc) })
	waitReady(t, cc)
	s.conn = cc
	return s
}

// ref is the connection reference of the shared connection.
func (s *sharedConnection) ref() v1alpha1.ConnectionReference {
	return v1alpha1.ConnectionReference{Name: s.conn.Name, Kind: v1alpha1.ClusterLMSConnectionKind}
}

// learner returns a Learner of namespace ns on the shared connection, not yet created.
func (s *sharedConnection) learner(ns, name, email string) *v1alpha1.Learner {
	return &v1alpha1.Learner{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.LearnerSpec{ConnectionRef: s.ref(), Email: email, FirstName: "First " + name, LastName: "Last"}}
}

// group returns a LearnerGroup of namespace ns on the shared connection, not yet created.
func (s *sharedConnection) group(ns, name, displayName string) *v1alpha1.LearnerGroup {
	return &v1alpha1.LearnerGroup{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.LearnerGroupSpec{ConnectionRef: s.ref(), DisplayName: displayName}}
}

// setup returns the shared connection as the helpers of the other tests take it.
func (s *sharedConnection) setup() *vendorSetup { return &vendorSetup{sim: s.sim, vendor: s.vendor} }

// eLeaPWrites returns the calls to eLeaP endpoints that change state.
func eLeaPWrites(calls map[string]int) map[string]int {
	out := map[string]int{}
	for ep, n := range calls {
		_, verb, _ := strings.Cut(ep, "/")
		if verb == "add" || verb == "edit" || verb == "remove" || verb == "activate" || verb == "deactivate" ||
			strings.HasPrefix(verb, "assign_") || strings.HasPrefix(verb, "unassign_") {
			out[ep] = n
		}
	}
	return out
}

// conditionMessage returns the message of obj's condition typ, as last read.
func conditionMessage(obj client.Object, typ string) string {
	if c := findCondition(conditionsOf(obj), typ); c != nil {
		return c.Message
	}
	return ""
}

func TestSecondClaimantOfAUserIsStalledConflictWithoutVendorCallsAndTakesOverWhenTheFirstGoes(t *testing.T) {
	s := newSharedConnection(t, lmssim.ELeaP, lmssim.DefaultSeed(), func(sp *v1alpha1.ClusterLMSConnectionSpec) {
		sp.Adoption = &v1alpha1.ClusterAdoption{Policy: v1alpha1.AdoptionAdopt}
	})
	first := s.learner(s.nsA, "pat", "pat@example.com")
	create(t, first)
	waitReady(t, first)
	s.sim.ResetCalls()

	second := s.learner(s.nsB, "pat", "PAT@Example.com")
	second.Spec.FirstName = "Rewritten"
	create(t, second)
	waitCondition(t, second, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonConflict)
	if msg := conditionMessage(second, v1alpha1.ConditionStalled); !strings.Contains(msg, s.nsA+"/pat") {
		t.Errorf("the Conflict message %q does not name the winner %s/pat", msg, s.nsA)
	}
	time.Sleep(2 * time.Second) // the two used to rewrite the user in a loop: give them the time to
	if n := s.sim.Total(lmssim.ELeaP); n != 0 {
		t.Errorf("the second claimant sent %d vendor calls (%v), want 0", n, s.sim.Calls(lmssim.ELeaP))
	}
	if u, _ := s.sim.ELeaP.UserByEmail("pat@example.com"); u.FirstName != "First pat" {
		t.Errorf("the user's first name is %q: the loser rewrote the winner's user", u.FirstName)
	}

	update(t, first, func() { first.Spec.DeletionPolicy = v1alpha1.LearnerOrphan })
	remove(t, first)
	waitGone(t, first)
	waitReady(t, second)
	u, _ := s.sim.ELeaP.UserByEmail("pat@example.com")
	if u.FirstName != "Rewritten" || second.Status.ExternalID != u.ID || !second.Status.Adopted {
		t.Errorf("after the winner went, the loser must take the user over: user %+v, status.externalID %q, adopted %v",
			u, second.Status.ExternalID, second.Status.Adopted)
	}
	if n := countUsers(s.setup(), "pat@example.com"); n != 1 {
		t.Errorf("%d users pat@example.com, want 1", n)
	}
}

func TestSecondClaimantOfAGroupNameIsStalledConflict(t *testing.T) {
	s := newSharedConnection(t, lmssim.ELeaP, lmssim.DefaultSeed(), nil)
	first := s.group(s.nsA, "platform", "Platform")
	create(t, first)
	waitReady(t, first)
	s.sim.ResetCalls()
	second := s.group(s.nsB, "platform", "Platform")
	second.Spec.MembershipPolicy = v1alpha1.MembershipAuthoritative
	create(t, second)
	waitCondition(t, second, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonConflict)
	if n := s.sim.Total(lmssim.ELeaP); n != 0 {
		t.Errorf("the second LearnerGroup named Platform sent %d vendor calls (%v), want 0", n, s.sim.Calls(lmssim.ELeaP))
	}
	remove(t, second)
	waitGone(t, second)
	if _, ok := eleapGroup(s.setup(), first.Status.ExternalID); !ok {
		t.Errorf("deleting the losing LearnerGroup deleted the winner's group %s", first.Status.ExternalID)
	}
}

func TestClusterConnectionRefusesAdoptionByDefaultAndAdoptedGroupsOutliveTheirLearnerGroup(t *testing.T) {
	// The default seed has grace@example.com (id 1002, an instructor) and the
	// hand-made group Engineering (id 301) with ada (1001).
	s := newSharedConnection(t, lmssim.ELeaP, lmssim.DefaultSeed(), nil)
	grab := s.learner(s.nsA, "grace", "grace@example.com")
	grab.Spec.FirstName, grab.Spec.LastName, grab.Spec.DeletionPolicy = "Grace", "Hopper", v1alpha1.LearnerDelete
	strip := s.group(s.nsA, "eng", "Engineering")
	strip.Spec.MembershipPolicy, strip.Spec.DeletionPolicy = v1alpha1.MembershipAuthoritative, v1alpha1.GroupDelete
	create(t, grab)
	create(t, strip)
	waitCondition(t, grab, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonAdoptionRefused)
	waitCondition(t, strip, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonAdoptionRefused)
	remove(t, grab)
	remove(t, strip)
	waitGone(t, grab)
	waitGone(t, strip)
	if w := eLeaPWrites(s.sim.Calls(lmssim.ELeaP)); len(w) != 0 {
		t.Errorf("refused adoptions and their deletion sent writes %v, want none", w)
	}
	if exists, active := remoteUser(t, s.setup(), "grace@example.com"); !exists || !active {
		t.Errorf("grace after the refused Learner went: exists=%v active=%v, want untouched", exists, active)
	}

	update(t, s.conn, func() {
		s.conn.Spec.Adoption = &v1alpha1.ClusterAdoption{Namespaces: &v1alpha1.AllowedNamespaces{Names: []string{s.nsB}}}
	})
	refused := s.group(s.nsA, "eng", "Engineering")
	create(t, refused)
	waitCondition(t, refused, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonAdoptionRefused)
	adopted := s.group(s.nsB, "eng", "Engineering")
	adopted.Spec.Description = "All engineers"
	create(t, adopted)
	waitReady(t, adopted) // the older claim, refused adoption, owns nothing and blocks nobody
	if adopted.Status.ExternalID != "301" || !adopted.Status.Adopted {
		t.Errorf("the listed namespace's LearnerGroup: externalID %q adopted %v, want 301 and true", adopted.Status.ExternalID, adopted.Status.Adopted)
	}
	remove(t, refused)
	remove(t, adopted)
	waitGone(t, adopted)
	if _, ok := eleapGroup(s.setup(), "301"); !ok {
		t.Error("the adopted group was deleted by the default deletionPolicy; an adopted group is only deleted by an explicit Delete")
	}
}

func TestClusterConnectionGrantsOnlyAllowedRoles(t *testing.T) {
	s := newSharedConnection(t, lmssim.ELeaP, lmssim.DefaultSeed(), nil)
	s.sim.ResetCalls()
	boss := s.learner(s.nsB, "boss", "boss@example.com")
	boss.Spec.Role = v1alpha1.RoleManager
	create(t, boss)
	waitCondition(t, boss, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonRoleNotAllowed)
	if n := s.sim.Total(lmssim.ELeaP); n != 0 {
		t.Errorf("a Learner asking for a role not granted sent %d vendor calls (%v), want 0", n, s.sim.Calls(lmssim.ELeaP))
	}
	update(t, s.conn, func() { s.conn.Spec.AllowedRoles = []v1alpha1.LearnerRole{v1alpha1.RoleLearner, v1alpha1.RoleManager} })
	waitReady(t, boss)
	if u, ok := s.sim.ELeaP.UserByEmail("boss@example.com"); !ok || u.AccessLevel == 0 {
		t.Errorf("once the role is granted the manager is created: %+v (found %v)", u, ok)
	}
}

func TestCreateWhoseAnswerWasLostIsNotTakenForAnAdoptionWhereAdoptionIsRefused(t *testing.T) {
	s := newSharedConnection(t, lmssim.ELeaP, lmssim.DefaultSeed(), nil)
	s.sim.Inject(lmssim.ELeaP, lmssim.Fault{Kind: lmssim.FaultDropAfterCommit, Endpoint: "users/add"})
	l := s.learner(s.nsA, "crash", "crash@example.com")
	create(t, l)
	waitFor(t, "the create to be committed and its answer dropped", eventually, func() (bool, string) {
		return len(s.sim.PendingFaults(lmssim.ELeaP)) == 0, fmt.Sprintf("%d faults pending", len(s.sim.PendingFaults(lmssim.ELeaP)))
	})
	testPool.Remove(connectionKey(s.nsA, l.Spec.ConnectionRef))                                   // a restart loses the in-memory snapshot
	update(t, s.conn, func() { s.conn.Annotations = map[string]string{"test/restarted": "yes"} }) // and sets the connection up at once
	waitReady(t, l)
	if l.Status.Adopted || l.Status.CreateRequestedTime == nil {
		t.Errorf("status.adopted %v, createRequestedTime %v: the user the operator created is its own, recorded before the create",
			l.Status.Adopted, l.Status.CreateRequestedTime)
	}
	if n := countUsers(s.setup(), "crash@example.com"); n != 1 || s.sim.Calls(lmssim.ELeaP)["users/add"] != 1 {
		t.Errorf("%d users and %d users/add calls, want 1 and 1", n, s.sim.Calls(lmssim.ELeaP)["users/add"])
	}
}

// seedELeaPUsers returns the default seed with n more eLeaP users named
// g000@example.com..., as a Learner made by guardLearner asks for them.
func seedELeaPUsers(n int) lmssim.Seed {
	seed := lmssim.DefaultSeed()
	for i := range n {
		seed.ELeaP.Users = append(seed.ELeaP.Users, eleapsim.SeedUser{User: eleapsim.User{ID: strconv.Itoa(5000 + i),
			FirstName: "First", LastName: "Last", Email: fmt.Sprintf("g%03d@example.com", i)}})
	}
	return seed
}

// guardLearner is the Learner of seeded user i in namespace ns.
func (s *sharedConnection) guardLearner(ns string, i int) *v1alpha1.Learner {
	l := s.learner(ns, fmt.Sprintf("g%03d", i), fmt.Sprintf("g%03d@example.com", i))
	l.Spec.FirstName = "First"
	return l
}

// learnersLeft counts the Learners of the namespaces, and those Reconciling
// with reason DeletionHeld.
func learnersLeft(t *testing.T, namespaces ...string) (left, held int) {
	t.Helper()
	for _, ns := range namespaces {
		var list v1alpha1.LearnerList
		if err := k8s.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
			t.Fatal(err)
		}
		left += len(list.Items)
		for _, l := range list.Items {
			if c := findCondition(l.Status.Conditions, v1alpha1.ConditionReconciling); c != nil && c.Reason == v1alpha1.ReasonDeletionHeld {
				held++
			}
		}
	}
	return left, held
}

// waitLearnersReady waits until every Learner of the namespaces is Ready.
func waitLearnersReady(t *testing.T, want int, namespaces ...string) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d Learners Ready", want), 3*time.Minute, func() (bool, string) {
		ready := 0
		for _, ns := range namespaces {
			var list v1alpha1.LearnerList
			if err := k8s.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
				return false, err.Error()
			}
			for _, l := range list.Items {
				if isReady(l.Status.Conditions, l.Generation) {
					ready++
				}
			}
		}
		return ready == want, fmt.Sprintf("%d Ready", ready)
	})
}

// waitHeld waits until the connection shows DeletionsHeld with held operations.
func waitHeld(t *testing.T, conn client.Object, st func() *v1alpha1.ConnectionStatus, held int32) {
	t.Helper()
	waitFor(t, fmt.Sprintf("DeletionsHeld with %d held", held), time.Minute, func() (bool, string) {
		get(t, conn)
		c := findCondition(st().Conditions, v1alpha1.ConditionDeletionsHeld)
		dp := st().DeletionProtection
		ok := c != nil && c.Status == metav1.ConditionTrue && dp != nil && dp.Held == held
		return ok, fmt.Sprintf("condition %+v, status %+v", c, dp)
	})
}

func TestDeletionGuardSendsTheThresholdHoldsTheRestAcrossARestartAndReleasesThemOnApproval(t *testing.T) {
	const learners, threshold = 500, 100 // the defaults: the larger of 100 an hour and 10 % of 500
	s := newSharedConnection(t, lmssim.ELeaP, seedELeaPUsers(learners), func(sp *v1alpha1.ClusterLMSConnectionSpec) {
		sp.Adoption = &v1alpha1.ClusterAdoption{Policy: v1alpha1.AdoptionAdopt}
		sp.RateLimit = &v1alpha1.RateLimit{RequestsPerHour: ptr.To[int32](1000000), Burst: ptr.To[int32](1000)}
	})
	for i := range learners {
		create(t, s.guardLearner([]string{s.nsA, s.nsB}[i%2], i))
	}
	waitLearnersReady(t, learners, s.nsA, s.nsB)
	s.sim.ResetCalls()

	s.deleteLearners(t)
	s.checkHeld(t, "deleting 500 Learners", threshold, learners-threshold)
	// A restart forgets the guard in memory; the hour is in the connection's status.
	testGuards.forget(pool.Key{Kind: v1alpha1.ClusterLMSConnectionKind, Name: s.conn.Name})
	s.kickLearners(t)
	s.checkHeld(t, "after a restart", threshold, learners-threshold)

	annotate(t, s.conn, strconv.Itoa(learners-threshold))
	waitFor(t, "every Learner to be gone", 2*time.Minute, func() (bool, string) {
		left, held := learnersLeft(t, s.nsA, s.nsB)
		return left == 0, fmt.Sprintf("%d left, %d held", left, held)
	})
	if n := s.sim.Calls(lmssim.ELeaP)["users/deactivate"]; n != learners {
		t.Errorf("after approving %d, %d deactivations in all, want %d", learners-threshold, n, learners)
	}
	waitCondition(t, s.conn, v1alpha1.ConditionDeletionsHeld, metav1.ConditionFalse, v1alpha1.ReasonWithinThreshold)
	dp := s.conn.Status.DeletionProtection
	if _, still := s.conn.Annotations[v1alpha1.AnnotationApproveDeletions]; still || dp.LastApproval == nil || dp.LastApproval.Count != learners-threshold {
		t.Errorf("the approval must be recorded in status and the annotation removed: annotations %v, status %+v", s.conn.Annotations, dp)
	}
}

// deleteLearners deletes every Learner of both namespaces.
func (s *sharedConnection) deleteLearners(t *testing.T) {
	t.Helper()
	for _, ns := range []string{s.nsA, s.nsB} {
		if err := k8s.DeleteAllOf(context.Background(), &v1alpha1.Learner{}, client.InNamespace(ns)); err != nil {
			t.Fatal(err)
		}
	}
}

// kickLearners enqueues every Learner of both namespaces, as a restarted
// manager does.
func (s *sharedConnection) kickLearners(t *testing.T) {
	t.Helper()
	for _, ns := range []string{s.nsA, s.nsB} {
		var list v1alpha1.LearnerList
		if err := k8s.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
			t.Fatal(err)
		}
		for i := range list.Items {
			testGuards.kicks["Learner"] <- event.GenericEvent{Object: &list.Items[i]}
		}
	}
}

// checkHeld waits until the connection shows held deletions held, then
// checks that exactly sent deactivations went out and the rest wait with
// their finalizers, in status and in the metric.
func (s *sharedConnection) checkHeld(t *testing.T, when string, sent, held int) {
	t.Helper()
	waitHeld(t, s.conn, func() *v1alpha1.ConnectionStatus { return &s.conn.Status }, int32(held))
	time.Sleep(2 * time.Second) // nothing more may go out
	if n := s.sim.Calls(lmssim.ELeaP)["users/deactivate"]; n != sent {
		t.Errorf("%s: %d deactivations were sent, want exactly the threshold %d", when, n, sent)
	}
	if left, waiting := learnersLeft(t, s.nsA, s.nsB); left != held || waiting != held {
		t.Errorf("%s: %d Learners left, %d of them Reconciling DeletionHeld; want %d, all held (finalizers kept)", when, left, waiting, held)
	}
	if got := testutil.ToFloat64(testMetric.DeletionsHeld.WithLabelValues(s.conn.Name)); got != float64(held) {
		t.Errorf("%s: lms_deletions_held{connection=%q} = %v, want %d", when, s.conn.Name, got, held)
	}
}

func TestDeletionGuardHoldsMemberRemovalsAndUnassignmentsOnAnLMSConnection(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{requestsPerHour: 36000, burst: 50})
	readyLearners(t, v, "m1@example.com", "m2@example.com", "m3@example.com")
	g := learnerGroupOf(v, "team", "Team", "m1", "m2", "m3")
	e := enrollmentOf(v, "course", courseByID("104"), "m1", "m2")
	create(t, g)
	create(t, e)
	waitReady(t, g)
	waitReady(t, e)
	update(t, v.conn, func() {
		v.conn.Spec.DeletionProtection = &v1alpha1.DeletionProtection{MaxPerHour: ptr.To[int32](1), MaxPercent: ptr.To[int32](0)}
	})
	waitFor(t, "the threshold of 1", eventually, func() (bool, string) {
		get(t, v.conn)
		dp := v.conn.Status.DeletionProtection
		return dp != nil && dp.Threshold == 1, fmt.Sprintf("%+v", dp)
	})
	status := func() *v1alpha1.ConnectionStatus { return &v.conn.Status }

	update(t, g, func() { g.Spec.Members.LearnerRefs = nil })
	waitCondition(t, g, v1alpha1.ConditionReconciling, metav1.ConditionTrue, v1alpha1.ReasonDeletionHeld)
	waitHeld(t, v.conn, status, 2)
	if got := eleapMembers(v, g.Status.ExternalID); len(got) != 2 {
		t.Errorf("with a threshold of 1, removing 3 members left %v in the group, want 2 (one removal sent)", got)
	}
	annotate(t, v.conn, "2")
	waitReady(t, g)
	if got := eleapMembers(v, g.Status.ExternalID); len(got) != 0 {
		t.Errorf("after approving 2, the group has members %v, want none", got)
	}

	remove(t, e)
	waitCondition(t, e, v1alpha1.ConditionReconciling, metav1.ConditionTrue, v1alpha1.ReasonDeletionHeld)
	waitHeld(t, v.conn, status, 2)
	annotate(t, v.conn, "2")
	waitGone(t, e)
	if got := eleapAssigned(v, eleapsim.TargetCourse, "104"); len(got) != 0 {
		t.Errorf("after approving, course 104 is still assigned to %v", got)
	}
}

// annotate approves count held deletions on conn.
func annotate(t *testing.T, conn client.Object, count string) {
	t.Helper()
	update(t, conn, func() {
		a := conn.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		a[v1alpha1.AnnotationApproveDeletions] = count
		conn.SetAnnotations(a)
	})
}
