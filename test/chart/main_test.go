package chart

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

const (
	// repoRoot is the repository's root, relative to this package.
	repoRoot = "../.."
	// helmVersion is the helm the Makefile builds into bin/.
	helmVersion = "v3.22.0"
)

var (
	// chartDir is the chart under test.
	chartDir = filepath.Join(repoRoot, "charts", "lms-operator")
	// testEnv is the API server the tests share; nil without KUBEBUILDER_ASSETS.
	testEnv *envtest.Environment
	// k8s is an admin client of testEnv.
	k8s client.Client
	// kubeconfig is a file with testEnv's admin kubeconfig.
	kubeconfig string
	// helmHome holds helm's cache, configuration and data, away from $HOME.
	helmHome string
)

// TestMain starts one API server, with only a minimal ServiceMonitor CRD
// installed (helm install must create the chart's CRDs itself), when
// KUBEBUILDER_ASSETS is set.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "chart-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	helmHome = dir
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return m.Run()
	}
	if err := start(dir); err != nil {
		fmt.Fprintf(os.Stderr, "start the API server: %v\n", err)
		return 1
	}
	defer func() {
		if err := testEnv.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stop the API server: %v\n", err)
		}
	}()
	return m.Run()
}

// start starts testEnv and writes its kubeconfig into dir.
func start(dir string) error {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	testEnv = &envtest.Environment{
		CRDDirectoryPaths:        []string{filepath.Join("testdata", "servicemonitor-crd.yaml")},
		ErrorIfCRDPathMissing:    true,
		Scheme:                   scheme,
		ControlPlaneStartTimeout: 2 * time.Minute,
	}
	cfg, err := testEnv.Start()
	if err != nil {
		return err
	}
	if k8s, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return err
	}
	kubeconfig = filepath.Join(dir, "kubeconfig")
	return os.WriteFile(kubeconfig, testEnv.KubeConfig, 0o600)
}

// requireAPIServer skips the test when no API server was started.
func requireAPIServer(t *testing.T) {
	t.Helper()
	if testEnv == nil {
		t.Skip("KUBEBUILDER_ASSETS is not set: this test needs kube-apiserver, etcd and kubectl; " +
			"run `make test`, or `make envtest-assets` and set KUBEBUILDER_ASSETS=bin/k8s/1.37.0-linux-amd64")
	}
}

// helmBinary returns the helm to test with: $HELM, else bin/helm-v3.22.0.
// When there is none the test is skipped, or fails in CI (CI=true).
func helmBinary(t *testing.T) string {
	t.Helper()
	path := os.Getenv("HELM")
	if path == "" {
		path = filepath.Join(repoRoot, "bin", "helm-"+helmVersion)
	}
	if _, err := os.Stat(path); err == nil {
		return path
	}
	msg := fmt.Sprintf("helm not found at %s: run `make helm` (or set HELM)", path)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI must run the chart tests")
	}
	t.Skip(msg)
	return ""
}

// helm runs helm with args and returns its stdout; it fails the test, with
// stderr, when helm fails.
func helm(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := helmRun(t, args...)
	if err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// helmRun runs helm with args, its state kept in helmHome.
func helmRun(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(helmBinary(t), args...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(helmHome, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(helmHome, "config"),
		"HELM_DATA_HOME="+filepath.Join(helmHome, "data"))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// kubectl runs the kubectl of $KUBEBUILDER_ASSETS against testEnv, with
// stdin, and returns its combined output.
func kubectl(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	bin := filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kubectl")
	cmd := exec.Command(bin, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
