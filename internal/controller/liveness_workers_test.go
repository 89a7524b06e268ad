package controller

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// TestOneSlowConnectionDoesNotHoldUpAnother sets up a connection whose
// vendor answers in 4 s (its first reconcile takes two calls), then another
// one: the second must be Ready while the first is still being checked.
func TestOneSlowConnectionDoesNotHoldUpAnother(t *testing.T) {
	slow := newConnection(t, newNamespace(t), lmssim.Exceed, lmssim.DefaultSeed(), connOpts{simLatency: 4 * time.Second})
	time.Sleep(300 * time.Millisecond) // the slow connection's reconcile starts first
	fast := newConnection(t, newNamespace(t), lmssim.Exceed, lmssim.DefaultSeed(), connOpts{})
	waitReady(t, fast.conn)
	if get(t, slow.conn); isReady(slow.conn.Status.Conditions, slow.conn.Generation) {
		t.Errorf("the slow connection was Ready before the fast one: the fast one waited for its reconcile (one worker)")
	}
}

// TestClusterConnectionWorkersAreIndependentToo checks the same for
// ClusterLMSConnections, which have their own controller.
func TestClusterConnectionWorkersAreIndependentToo(t *testing.T) {
	ns := newNamespace(t)
	slowSim := lmssim.NewTestServer(t, lmssim.DefaultSeed(), lmssim.Options{
		Config: map[string]lmssim.VendorConfig{lmssim.Exceed: {Latency: 4 * time.Second}}})
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "slow"}, StringData: credentials(lmssim.Exceed)})
	slow := &v1alpha1.ClusterLMSConnection{ObjectMeta: metav1.ObjectMeta{Name: "slow-" + ns}}
	slow.Spec.Provider, slow.Spec.Exceed = v1alpha1.ProviderExceed, &v1alpha1.ExceedSettings{Subdomain: "acme"}
	slow.Spec.Endpoint, slow.Spec.AllowInsecureHTTP = slowSim.BaseURL(lmssim.Exceed), true
	slow.Spec.CredentialsSecretRef = v1alpha1.SecretReference{Namespace: ns, Name: "slow"}
	create(t, slow)
	t.Cleanup(func() { remove(t, slow) })
	time.Sleep(300 * time.Millisecond)
	fast, _ := newClusterConnection(t, ns, nil)
	waitReady(t, fast)
	if get(t, slow); isReady(slow.Status.Conditions, slow.Generation) {
		t.Error("the slow ClusterLMSConnection was Ready before the fast one: the fast one waited for its reconcile")
	}
}
