package controller

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// namespaceDeletionBound is how long a namespace deletion may take: the
// issue's bound, which a loaded machine still meets by far.
const namespaceDeletionBound = 60 * time.Second

// A tenant is a namespace with a connection, its Secret and one Learner per
// deletion policy, all Ready.
type tenant struct {
	*vendorSetup
	secret   *corev1.Secret
	learners map[v1alpha1.LearnerDeletionPolicy]*v1alpha1.Learner
}

// newTenant sets up a tenant of vendor in a namespace of its own.
func newTenant(t *testing.T, vendor string) *tenant {
	t.Helper()
	v := newConnection(t, newNamespace(t), vendor, lmssim.DefaultSeed(), connOpts{})
	waitReady(t, v.conn)
	tn := &tenant{vendorSetup: v, learners: map[v1alpha1.LearnerDeletionPolicy]*v1alpha1.Learner{},
		secret: &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: v.conn.Namespace, Name: v.conn.Spec.CredentialsSecretRef.Name}}}
	for _, p := range []v1alpha1.LearnerDeletionPolicy{v1alpha1.LearnerDeactivate, v1alpha1.LearnerDelete, v1alpha1.LearnerOrphan} {
		name := strings.ToLower(string(p))
		l := v.learner(name, name+"@example.com")
		l.Spec.DeletionPolicy = p
		create(t, l)
		tn.learners[p] = l
	}
	for _, l := range tn.learners {
		waitReady(t, l)
	}
	return tn
}

// deleteLearners deletes every Learner of the tenant.
func (tn *tenant) deleteLearners(t *testing.T) {
	t.Helper()
	for _, l := range tn.learners {
		remove(t, l)
	}
}

// waitAllGone waits until the connection and the Learners are gone, within
// the namespace deletion's bound counted from start.
func (tn *tenant) waitAllGone(t *testing.T, start time.Time) {
	t.Helper()
	objs := []client.Object{tn.conn}
	for _, l := range tn.learners {
		objs = append(objs, l)
	}
	waitFor(t, "the connection and its Learners to be gone", time.Until(start.Add(namespaceDeletionBound)), func() (bool, string) {
		var left []string
		for _, o := range objs {
			err := k8s.Get(context.Background(), client.ObjectKeyFromObject(o), o)
			if !apierrors.IsNotFound(err) {
				left = append(left, fmt.Sprintf("%s %s (finalizers %v, Ready %s)", kindOf(o), o.GetName(), o.GetFinalizers(), readySummary(o)))
			}
		}
		return len(left) == 0, strings.Join(left, "; ")
	})
	t.Logf("deleted within %s", time.Since(start).Round(100*time.Millisecond))
}

// readySummary is the reason and message of obj's Ready condition, for failure messages.
func readySummary(obj client.Object) string {
	c := findCondition(conditionsOf(obj), v1alpha1.ConditionReady)
	if c == nil {
		return "none"
	}
	return c.Reason + ": " + c.Message
}

// assertPoliciesApplied checks that each Learner's user was handled by its deletion policy.
func (tn *tenant) assertPoliciesApplied(t *testing.T) {
	t.Helper()
	want := map[v1alpha1.LearnerDeletionPolicy][2]bool{ // exists, active
		v1alpha1.LearnerDeactivate: {true, false}, v1alpha1.LearnerDelete: {false, false}, v1alpha1.LearnerOrphan: {true, true},
	}
	for p, l := range tn.learners {
		exists, active := remoteUser(t, tn.vendorSetup, l.Spec.Email)
		if exists != want[p][0] || (exists && active != want[p][1]) {
			t.Errorf("deletionPolicy %s: user %s exists=%v active=%v, want exists=%v active=%v",
				p, l.Spec.Email, exists, active, want[p][0], want[p][1])
		}
	}
}

// assertUsersLeftAsTheyWere checks that no deletion policy touched the users,
// and that each Learner whose policy had something to do has a Warning
// event saying so.
func (tn *tenant) assertUsersLeftAsTheyWere(t *testing.T) {
	t.Helper()
	for p, l := range tn.learners {
		if exists, active := remoteUser(t, tn.vendorSetup, l.Spec.Email); !exists || !active {
			t.Errorf("deletionPolicy %s: user %s exists=%v active=%v, want it left as it was (active)", p, l.Spec.Email, exists, active)
		}
		if p != v1alpha1.LearnerOrphan {
			waitWarning(t, l.Namespace, l.Name, v1alpha1.EventDeletionPolicySkipped)
		}
	}
}

// waitWarning waits for a Warning event with reason about the object name in ns.
func waitWarning(t *testing.T, ns, name, reason string) {
	t.Helper()
	waitFor(t, fmt.Sprintf("a Warning %s event on %s", reason, name), eventually, func() (bool, string) {
		var list eventsv1.EventList
		if err := k8s.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
			return false, err.Error()
		}
		var seen []string
		for _, e := range list.Items {
			if e.Regarding.Name != name {
				continue
			}
			if e.Type == corev1.EventTypeWarning && e.Reason == reason {
				return true, ""
			}
			seen = append(seen, e.Type+" "+e.Reason+": "+e.Note)
		}
		return false, fmt.Sprintf("events of %s: %v", name, seen)
	})
}

// TestNamespaceDeletionEndsWithinAMinute deletes a tenant's Secret, connection
// and Learners in the orders a namespace deletion may take (envtest has no
// namespace controller), the Secret first included, and checks that
// everything is gone within a minute with each user handled by its policy.
func TestNamespaceDeletionEndsWithinAMinute(t *testing.T) {
	type step func(t *testing.T, tn *tenant)
	secret := func(t *testing.T, tn *tenant) {
		remove(t, tn.secret)
		waitCondition(t, tn.conn, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonSecretNotFound)
	}
	learners := func(t *testing.T, tn *tenant) {
		tn.deleteLearners(t)
		time.Sleep(time.Second) // let them reconcile against the connection as it is now
	}
	secretLast := func(t *testing.T, tn *tenant) { remove(t, tn.secret) }
	connection := func(t *testing.T, tn *tenant) { remove(t, tn.conn) }
	all := func(t *testing.T, tn *tenant) {
		remove(t, tn.secret)
		remove(t, tn.conn)
		tn.deleteLearners(t)
	}
	cases := map[string]struct {
		vendor string
		steps  []step
	}{
		"eleap Secret then Learners then connection":   {lmssim.ELeaP, []step{secret, learners, connection}},
		"enabley Secret then Learners then connection": {lmssim.Enabley, []step{secret, learners, connection}},
		"exceed Secret then Learners then connection":  {lmssim.Exceed, []step{secret, learners, connection}},
		"exceed Secret then connection then Learners":  {lmssim.Exceed, []step{secret, connection, learners}},
		"exceed connection then Learners then Secret":  {lmssim.Exceed, []step{connection, learners, secretLast}},
		"exceed all at once":                           {lmssim.Exceed, []step{all}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tn := newTenant(t, tc.vendor)
			start := time.Now()
			for _, s := range tc.steps {
				s(t, tn)
			}
			tn.waitAllGone(t, start)
			tn.assertPoliciesApplied(t)
		})
	}
}

// TestRestartDuringConnectionDeletionFinishesIt loses the pool (a restart)
// while a connection waits for its Learners to go: the Learners' deletion
// policies still run, and the connection goes after them.
func TestRestartDuringConnectionDeletionFinishesIt(t *testing.T) {
	tn := newTenant(t, lmssim.Exceed)
	remove(t, tn.conn)
	waitCondition(t, tn.conn, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonDeleting)
	testPool.Remove(connectionKey(tn.conn.Namespace, tn.learners[v1alpha1.LearnerDelete].Spec.ConnectionRef))
	start := time.Now()
	tn.deleteLearners(t)
	tn.waitAllGone(t, start)
	tn.assertPoliciesApplied(t)
}

// TestDeletionWithoutAnyClientReleasesDependents restarts after the Secret
// went: no client can be built, so the Learners being deleted let go
// without vendor calls, with a Warning event, and the connection goes.
func TestDeletionWithoutAnyClientReleasesDependents(t *testing.T) {
	tn := newTenant(t, lmssim.Exceed)
	remove(t, tn.secret)
	waitCondition(t, tn.conn, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonSecretNotFound)
	testPool.Remove(connectionKey(tn.conn.Namespace, tn.learners[v1alpha1.LearnerDelete].Spec.ConnectionRef))
	tn.sim.ResetCalls()
	start := time.Now()
	tn.deleteLearners(t)
	remove(t, tn.conn)
	tn.waitAllGone(t, start)
	tn.assertUsersLeftAsTheyWere(t)
	if n := tn.sim.Total(lmssim.Exceed); n != 0 {
		t.Errorf("%d vendor calls without credentials, want none: %v", n, tn.sim.Calls(lmssim.Exceed))
	}
}

// TestConnectionDeletedWhileNotReadyReleasesDependents deletes a connection
// whose credentials the vendor refuses: its Learners being deleted cannot
// apply their policies and let go with a Warning event instead of hanging.
func TestConnectionDeletedWhileNotReadyReleasesDependents(t *testing.T) {
	tn := newTenant(t, lmssim.Exceed)
	update(t, tn.secret, func() { tn.secret.Data = map[string][]byte{"apiKey": []byte("revoked")} })
	waitCondition(t, tn.conn, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonInvalidCredentials)
	start := time.Now()
	remove(t, tn.conn)
	tn.deleteLearners(t)
	tn.waitAllGone(t, start)
	tn.assertUsersLeftAsTheyWere(t)
}

// TestLearnerOfNamespaceNoLongerAllowedIsReleased removes a namespace from a
// ClusterLMSConnection's allowedNamespaces: its Learner is Stalled
// NamespaceNotAllowed, and when deleted lets go, leaving the user as it was.
func TestLearnerOfNamespaceNoLongerAllowedIsReleased(t *testing.T) {
	ns := newNamespace(t)
	cc, sim := newClusterConnection(t, ns, &v1alpha1.AllowedNamespaces{Names: []string{ns}})
	waitReady(t, cc)
	l := clusterLearner(ns, cc.Name, "kept", "kept@example.com")
	create(t, l)
	waitReady(t, l)
	update(t, cc, func() { cc.Spec.AllowedNamespaces.Names = []string{"elsewhere"} })
	waitCondition(t, l, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonNamespaceNotAllowed)
	start := time.Now()
	remove(t, l)
	waitFor(t, "the Learner to be gone", time.Until(start.Add(namespaceDeletionBound)), func() (bool, string) {
		err := k8s.Get(context.Background(), client.ObjectKeyFromObject(l), l)
		return apierrors.IsNotFound(err), fmt.Sprintf("err=%v finalizers=%v Ready %s", err, l.GetFinalizers(), readySummary(l))
	})
	if u, ok := sim.Exceed.UserByEmail("kept@example.com"); !ok || !u.IsActive {
		t.Errorf("user exists=%v active=%v, want it left as it was (active)", ok, u.IsActive)
	}
	waitWarning(t, ns, l.Name, v1alpha1.EventDeletionPolicySkipped)
}

// newClusterConnection starts an Exceed simulator and creates a Secret in ns
// and a ClusterLMSConnection using it, deleted when the test ends.
func newClusterConnection(t *testing.T, ns string, allowed *v1alpha1.AllowedNamespaces) (*v1alpha1.ClusterLMSConnection, *lmssim.TestServer) {
	t.Helper()
	sim := lmssim.NewTestServer(t, lmssim.DefaultSeed(), lmssim.Options{})
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "creds"}, StringData: credentials(lmssim.Exceed)})
	cc := &v1alpha1.ClusterLMSConnection{ObjectMeta: metav1.ObjectMeta{Name: "exceed-" + ns}}
	cc.Spec.Provider, cc.Spec.Exceed = v1alpha1.ProviderExceed, &v1alpha1.ExceedSettings{Subdomain: "acme"}
	cc.Spec.Endpoint, cc.Spec.AllowInsecureHTTP = sim.BaseURL(lmssim.Exceed), true
	cc.Spec.CredentialsSecretRef = v1alpha1.SecretReference{Namespace: ns, Name: "creds"}
	cc.Spec.AllowedNamespaces = allowed
	create(t, cc)
	t.Cleanup(func() { remove(t, cc) })
	return cc, sim
}

// clusterLearner returns a Learner in ns of the ClusterLMSConnection named conn, not yet created.
func clusterLearner(ns, conn, name, email string) *v1alpha1.Learner {
	return &v1alpha1.Learner{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.LearnerSpec{ConnectionRef: v1alpha1.ConnectionReference{Name: conn, Kind: v1alpha1.ClusterLMSConnectionKind},
			Email: email, FirstName: "First " + name, LastName: "Last"}}
}
