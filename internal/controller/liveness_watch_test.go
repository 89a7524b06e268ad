package controller

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
)

// fixDeadline is how soon a fixed Secret or a labelled namespace must
// reach the objects it stalled: seconds, with room for a loaded machine.
const fixDeadline = 15 * time.Second

// waitReadyWithin waits until obj is Ready, within d.
func waitReadyWithin(t *testing.T, obj client.Object, d time.Duration) {
	t.Helper()
	waitFor(t, kindOf(obj)+" "+obj.GetName()+" to be Ready", d, func() (bool, string) {
		get(t, obj)
		return isReady(conditionsOf(obj), obj.GetGeneration()), readySummary(obj)
	})
}

// TestLearnerStalledByRefusedCredentialsRecoversWhenTheSecretIsFixed has the
// vendor refuse a Learner's create as unauthorised while the connection
// stays Ready (the key was revoked, not yet rotated): a new Secret must reach
// the Stalled Learner within seconds.
func TestLearnerStalledByRefusedCredentialsRecoversWhenTheSecretIsFixed(t *testing.T) {
	v := newConnection(t, newNamespace(t), lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{})
	waitReady(t, v.conn)
	v.sim.ELeaP.FailNext(eleapsim.Failure{Endpoint: "users/add", Code: 4011})
	l := v.learner("kay", "kay@example.com")
	create(t, l)
	waitCondition(t, l, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonInvalidCredentials)
	if get(t, v.conn); !isReady(v.conn.Status.Conditions, v.conn.Generation) {
		t.Fatalf("the connection is not Ready (%s): the test needs it to stay Ready", readySummary(v.conn))
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: v.conn.Namespace, Name: v.conn.Spec.CredentialsSecretRef.Name}}
	update(t, secret, func() {
		secret.Data = map[string][]byte{"apiToken": []byte(lmssim.DemoELeaPToken)}
		secret.Annotations = map[string]string{"rotated": time.Now().Format(time.RFC3339Nano)}
	})
	waitReadyWithin(t, l, fixDeadline)
}

// TestNamespaceNotAllowedClearsWhenTheNamespaceIsLabelled labels a
// namespace into a ClusterLMSConnection's allowedNamespaces.selector, then
// out of it: its Learner follows within seconds each way.
func TestNamespaceNotAllowedClearsWhenTheNamespaceIsLabelled(t *testing.T) {
	ns := newNamespace(t)
	const label = "lms.example.com/tenant"
	cc, _ := newClusterConnection(t, ns, &v1alpha1.AllowedNamespaces{
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{label: "yes"}}})
	waitReady(t, cc)
	l := clusterLearner(ns, cc.Name, "lab", "lab@example.com")
	create(t, l)
	waitCondition(t, l, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonNamespaceNotAllowed)
	n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}
	update(t, n, func() { n.Labels[label] = "yes" })
	waitReadyWithin(t, l, fixDeadline)
	update(t, n, func() { delete(n.Labels, label) })
	waitFor(t, "the Learner to be Stalled NamespaceNotAllowed again", fixDeadline, func() (bool, string) {
		get(t, l)
		c := findCondition(l.Status.Conditions, v1alpha1.ConditionStalled)
		return c != nil && c.Reason == v1alpha1.ReasonNamespaceNotAllowed, readySummary(l)
	})
}
