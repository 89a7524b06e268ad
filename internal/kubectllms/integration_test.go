package kubectllms

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// eleapManifests are a connection to the simulator's eLeaP and two
// Learners: Ada exists in the demo data (adopted), Katherine is created.
const eleapManifests = `apiVersion: v1
kind: Namespace
metadata: {name: %[1]s}
---
apiVersion: v1
kind: Secret
metadata: {name: eleap-credentials, namespace: %[1]s}
stringData: {apiToken: demo-eleap-token}
---
apiVersion: training.lmsoperator.dev/v1alpha1
kind: LMSConnection
metadata: {name: eleap, namespace: %[1]s}
spec:
  provider: eleap
  eleap: {subdomain: demo}
  endpoint: %[2]s
  allowInsecureHTTP: true
  credentialsSecretRef: {name: eleap-credentials}
---
apiVersion: training.lmsoperator.dev/v1alpha1
kind: Learner
metadata: {name: ada-lovelace, namespace: %[1]s}
spec:
  connectionRef: {name: eleap}
  email: ada@example.com
  firstName: Ada
  lastName: %[3]s
`

const katherine = `---
apiVersion: training.lmsoperator.dev/v1alpha1
kind: Learner
metadata: {name: katherine-johnson, namespace: %[1]s}
spec:
  connectionRef: {name: eleap}
  email: katherine@example.com
  firstName: Katherine
  lastName: Johnson
`

// needCluster skips a test that needs the API server and the manager.
func needCluster(t *testing.T) {
	if k8s == nil {
		t.Skip("KUBEBUILDER_ASSETS is not set")
	}
}

// run runs the plugin with args against the test API server.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Main(context.Background(), append([]string{"--kubeconfig", kubeconfig}, args...), &out, &errOut)
	return out.String(), errOut.String(), code
}

// writeFile writes a manifest file of the test's own.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// applyManifests creates the objects of a manifest file, Namespaces and
// Secrets first, as kubectl apply would.
func applyManifests(t *testing.T, ns, path string) []client.Object {
	t.Helper()
	m, err := ReadManifests(path, ns)
	if err != nil {
		t.Fatal(err)
	}
	objs := objectsOf(m)
	for _, o := range objs {
		if err := k8s.Create(context.Background(), o); err != nil {
			t.Fatalf("create %T %s: %v", o, o.GetName(), err)
		}
	}
	return objs
}

// objectsOf lists the operator's objects of m, connections first.
func objectsOf(m *Manifests) []client.Object {
	var objs []client.Object
	for i := range m.Connections {
		objs = append(objs, &m.Connections[i])
	}
	for i := range m.Learners {
		objs = append(objs, &m.Learners[i])
	}
	for i := range m.LearnerGroups {
		objs = append(objs, &m.LearnerGroups[i])
	}
	for i := range m.Enrollments {
		objs = append(objs, &m.Enrollments[i])
	}
	return objs
}

// waitReady waits until every object's Ready condition is True for its generation.
func waitReady(t *testing.T, objs []client.Object) {
	t.Helper()
	deadline := time.Now().Add(eventually)
	for _, o := range objs {
		for {
			err := k8s.Get(context.Background(), client.ObjectKeyFromObject(o), o)
			c := readyCondition(o)
			if err == nil && c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == o.GetGeneration() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%T %s is not Ready: %+v (err %v)", o, o.GetName(), c, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// readyCondition is the Ready condition of one of the operator's objects.
func readyCondition(o client.Object) *metav1.Condition {
	type conditioned interface{ GetConditions() []metav1.Condition }
	var conds []metav1.Condition
	switch x := o.(type) {
	case *v1alpha1.LMSConnection:
		conds = x.Status.Conditions
	case *v1alpha1.Learner:
		conds = x.Status.Conditions
	case *v1alpha1.LearnerGroup:
		conds = x.Status.Conditions
	case *v1alpha1.Enrollment:
		conds = x.Status.Conditions
	case conditioned:
		conds = x.GetConditions()
	}
	return apimeta.FindStatusCondition(conds, v1alpha1.ConditionReady)
}

// createNamespaceAndSecret creates what ReadManifests passes over: the
// Namespace and the Secret.
func createNamespaceAndSecret(t *testing.T, ns string) {
	t.Helper()
	for _, o := range []client.Object{namespaceObject(ns), eleapSecret(ns)} {
		if err := k8s.Create(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPlanPrintsTheUpdateAndTheDeactivation applies Ada and Katherine,
// then plans the manifests with Ada's lastName changed and Katherine
// removed: exactly that update and that deactivation, exit status 2, and
// no vendor write while planning.
func TestPlanPrintsTheUpdateAndTheDeactivation(t *testing.T) {
	needCluster(t)
	s := newSim(t)
	ns := "plan-test"
	createNamespaceAndSecret(t, ns)
	applied := writeFile(t, "applied.yaml", fmt.Sprintf(eleapManifests+katherine, ns, s.BaseURL(lmssim.ELeaP), "Lovelace"))
	waitReady(t, applyManifests(t, ns, applied))
	if len(s.Writes(lmssim.ELeaP)) == 0 {
		t.Fatal("the simulator counted no write for Katherine's create: the write counter does not work")
	}
	before := s.Writes(lmssim.ELeaP)
	changed := writeFile(t, "changed.yaml", fmt.Sprintf(eleapManifests, ns, s.BaseURL(lmssim.ELeaP), "Byron"))

	out, errOut, code := run(t, "plan", "-f", changed, "--prune")
	if code != ExitChanges {
		t.Errorf("plan exit status %d, want %d; stderr:\n%s", code, ExitChanges, errOut)
	}
	changes := changeLines(out)
	want := []string{
		`~ update Learner plan-test/ada-lovelace (lastName: "Lovelace" -> "Byron")`,
		`- deactivate Learner plan-test/katherine-johnson (katherine@example.com)`,
	}
	if diff := cmp.Diff(want, changes); diff != "" {
		t.Errorf("plan's changes: -want, +got:\n%s\nwhole output:\n%s", diff, out)
	}
	if diff := cmp.Diff(before, s.Writes(lmssim.ELeaP)); diff != "" {
		t.Errorf("vendor writes during plan: -before, +after:\n%s", diff)
	}

	out, errOut, code = run(t, "plan", "-f", applied, "--prune")
	if code != ExitOK || !strings.Contains(out, "No changes") {
		t.Errorf("plan of the applied manifests: exit %d, want 0 and no changes:\n%s%s", code, out, errOut)
	}
}

// namespaceObject is a Namespace.
func namespaceObject(name string) client.Object {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

// eleapSecret is the demo credentials Secret of eLeaP in ns.
func eleapSecret(ns string) client.Object {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "eleap-credentials", Namespace: ns},
		StringData: map[string]string{"apiToken": lmssim.DemoELeaPToken}}
}

// changeLines returns the lines of a plan's output that name a change
// (+ create, ~ update, = adopt, - delete or deactivate), trimmed.
func changeLines(out string) []string {
	var changes []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" && strings.ContainsAny(l[:1], "+~=-") {
			changes = append(changes, l)
		}
	}
	return changes
}
