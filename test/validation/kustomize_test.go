package validation

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// installNamespace is the namespace config/default installs the manager into.
const installNamespace = "lms-operator-system"

// TestDefaultKustomizationPassesServerDryRun runs
// `kubectl apply -k config/default --dry-run=server`: kustomize builds the
// tree and the API server validates every object (CRDs, RBAC, Deployment,
// Service) without storing it.
func TestDefaultKustomizationPassesServerDryRun(t *testing.T) {
	requireAPIServer(t)
	// A server-side dry run does not create the Namespace, so the objects
	// inside it would be refused with "namespaces not found": the Namespace
	// is created for real first, and the dry run then sees it unchanged.
	createNamespace(t, installNamespace)
	out, err := kubectl(t, "apply", "-k", filepath.Join(repoRoot, "config", "default"), "--dry-run=server")
	if err != nil {
		t.Fatalf("kubectl apply -k config/default --dry-run=server failed: %v\n%s", err, out)
	}
	t.Logf("kubectl apply -k config/default --dry-run=server:\n%s", out)
}

// createNamespace creates a namespace with a fixed name, unless it exists.
func createNamespace(t *testing.T, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := k8s.Create(context.Background(), ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace %s: %v", name, err)
	}
}

// kubectl runs the kubectl of $KUBEBUILDER_ASSETS against testEnv and
// returns its combined output.
func kubectl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, testEnv.KubeConfig, 0o600); err != nil {
		t.Fatalf("write the kubeconfig of the test API server: %v", err)
	}
	bin := filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kubectl")
	cmd := exec.Command(bin, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
