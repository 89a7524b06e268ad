package validation

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	trainingv1alpha1 "github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// repoRoot is the repository's root, relative to this package.
const repoRoot = "../.."

var (
	// testEnv is the API server every test of the package shares.
	testEnv *envtest.Environment
	// k8s is an admin client of testEnv.
	k8s client.Client
	// skipReason is set when no API server could be started for want of binaries.
	skipReason string
)

// TestMain starts one API server (kube-apiserver and etcd) with the CRDs of
// config/crd/bases for all the tests of the package, and stops it after them.
func TestMain(m *testing.M) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		skipReason = "KUBEBUILDER_ASSETS is not set: these tests need kube-apiserver, etcd and kubectl; " +
			"run `make test`, or `make envtest-assets` and set KUBEBUILDER_ASSETS=bin/k8s/1.37.0-linux-amd64"
		os.Exit(m.Run())
	}
	if err := start(); err != nil {
		fmt.Fprintf(os.Stderr, "start the API server: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	if err := testEnv.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "stop the API server: %v\n", err)
	}
	os.Exit(code)
}

// start starts testEnv with the generated CRDs and builds the k8s client.
func start() error {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := trainingv1alpha1.AddToScheme(scheme); err != nil {
		return err
	}
	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(repoRoot, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		Scheme:                scheme,
	}
	cfg, err := testEnv.Start()
	if err != nil {
		return err
	}
	k8s, err = client.New(cfg, client.Options{Scheme: scheme})
	return err
}

// requireAPIServer skips the test when TestMain started no API server.
func requireAPIServer(t *testing.T) {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
}

// newNamespace creates a namespace with a generated name for one test and
// returns its name. Envtest runs no namespace controller, so it is not
// deleted afterwards: every test works in a namespace of its own instead.
func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "validation-"}}
	if err := k8s.Create(context.Background(), ns); err != nil {
		t.Fatalf("create a namespace for the test: %v", err)
	}
	return ns.Name
}
