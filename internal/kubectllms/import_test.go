package kubectllms

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// vendorConnection is a connection to the simulator's vendor with the demo
// credentials, and its Secret.
func vendorConnection(s *sim, ns, vendor string) []client.Object {
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: vendor + "-credentials", Namespace: ns}}
	spec := v1alpha1.LMSConnectionSpec{CredentialsSecretRef: v1alpha1.LocalSecretReference{Name: secret.Name}}
	spec.Provider, spec.Endpoint, spec.AllowInsecureHTTP = v1alpha1.Provider(vendor), s.BaseURL(vendor), true
	switch vendor {
	case lmssim.ELeaP:
		secret.StringData = map[string]string{"apiToken": lmssim.DemoELeaPToken}
		spec.ELeaP = &v1alpha1.ELeaPSettings{Subdomain: "demo"}
	case lmssim.Enabley:
		secret.StringData = map[string]string{"clientKey": lmssim.DemoEnableyClient, "secret": lmssim.DemoEnableySecret}
		spec.Enabley = &v1alpha1.EnableySettings{SubAccountName: lmssim.DemoEnableySubAcct}
	default:
		secret.StringData = map[string]string{"apiKey": lmssim.DemoExceedAPIKey}
		spec.Exceed = &v1alpha1.ExceedSettings{Subdomain: "demo"}
	}
	conn := &v1alpha1.LMSConnection{ObjectMeta: metav1.ObjectMeta{Name: vendor, Namespace: ns}, Spec: spec}
	return []client.Object{secret, conn}
}

// TestImportAppliesAndBecomesReadyWithoutWrites imports each vendor's demo
// data, applies the manifests written, and checks that every object becomes
// Ready while the simulator counts no write.
func TestImportAppliesAndBecomesReadyWithoutWrites(t *testing.T) {
	needCluster(t)
	// want are the objects of each vendor's demo data: eLeaP's Ada and Grace,
	// its group Engineering and the course Ada is assigned to; Enabley's Linus
	// (its groups' identifiers are not namespace.name, which a LearnerGroup
	// needs); Exceed's Margaret and Alan.
	want := map[string]string{
		lmssim.ELeaP:   "Learners: Observed 2\n  LearnerGroups: Observed 1\n  Enrollments: Observed 1\n",
		lmssim.Enabley: "Learners: Observed 1\n",
		lmssim.Exceed:  "Learners: Observed 2\n",
	}
	for _, vendor := range []string{lmssim.ELeaP, lmssim.Enabley, lmssim.Exceed} {
		t.Run(vendor, func(t *testing.T) {
			s := newSim(t)
			ns := "import-" + vendor
			objs := append([]client.Object{namespaceObject(ns)}, vendorConnection(s, ns, vendor)...)
			for _, o := range objs {
				if err := k8s.Create(context.Background(), o); err != nil {
					t.Fatal(err)
				}
			}
			waitReady(t, objs[2:])
			out, errOut, code := run(t, "import", "--connection", vendor, "-n", ns)
			if code != ExitOK {
				t.Fatalf("import: exit %d:\n%s", code, errOut)
			}
			t.Logf("import of %s:\n%s\nstderr:\n%s", vendor, out, errOut)
			imported := applyManifests(t, ns, writeFile(t, "imported.yaml", out))
			if len(imported) == 0 {
				t.Fatal("import wrote no object")
			}
			waitReady(t, imported)
			if w := s.Writes(vendor); len(w) > 0 {
				t.Errorf("vendor writes after the import was applied: %v", w)
			}
			if strings.Contains(out, "status:") {
				t.Errorf("the manifests written carry a status:\n%s", out)
			}
			status, errOut, code := run(t, "status", "-n", ns)
			if code != ExitOK || !strings.Contains(status, "LMSConnection "+ns+"/"+vendor+": Ready True") ||
				!strings.Contains(status, want[vendor]) {
				t.Errorf("status: exit %d, want 0 and the connection Ready with\n%s\ngot:\n%s%s", code, want[vendor], status, errOut)
			}
		})
	}
}
