package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// controlPlaneTimeout bounds the start of etcd and kube-apiserver on a busy
// 2-core machine.
const controlPlaneTimeout = 3 * time.Minute

// binaries are the commands the campaign builds, by name, with their packages.
var binaries = []struct{ name, pkg string }{
	{"manager", "./cmd"},
	{"lms-simulator", "./cmd/lms-simulator"},
	{"controlplane", "./hack/demo/controlplane"},
}

// buildBinaries builds every command of binaries from the repository at
// repo into dir, so that the campaign never writes into bin/.
func buildBinaries(ctx context.Context, repo, dir string) error {
	for _, b := range binaries {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, b.name), b.pkg)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %w\n%s", b.pkg, err, out)
		}
	}
	return nil
}

// startControlPlane runs hack/demo/controlplane (etcd and kube-apiserver
// from the envtest assets) and waits for its kubeconfig.
func startControlPlane(ctx context.Context, r *runDirs, assets string) (*process, *rest.Config, error) {
	kubeconfig := filepath.Join(r.dir, "kubeconfig")
	_ = os.Remove(kubeconfig)
	p, err := startProcess("controlplane", filepath.Join(r.logs, "controlplane.log"), nil,
		filepath.Join(r.bin, "controlplane"), "--write-kubeconfig", kubeconfig, "--assets", assets)
	if err != nil {
		return nil, nil, err
	}
	deadline := time.Now().Add(controlPlaneTimeout)
	for {
		if data, err := os.ReadFile(kubeconfig); err == nil && len(data) > 0 {
			cfg, err := clientcmd.RESTConfigFromKubeConfig(data)
			return p, cfg, err
		}
		if p.exited() || time.Now().After(deadline) || ctx.Err() != nil {
			p.stop()
			return nil, nil, fmt.Errorf("the control plane did not start (log: %s)", filepath.Join(r.logs, "controlplane.log"))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// newClient returns a client of the API server that knows the operator's kinds.
func newClient(cfg *rest.Config) (client.Client, error) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 200, 400
	return client.New(cfg, client.Options{Scheme: scheme})
}

// installCRDs installs the CRDs of config/crd/bases and waits until they
// are served.
func installCRDs(cfg *rest.Config, repo string) error {
	_, err := envtest.InstallCRDs(cfg, envtest.CRDInstallOptions{
		Paths: []string{filepath.Join(repo, "config", "crd", "bases")}, ErrorIfPathMissing: true,
	})
	if err != nil {
		return fmt.Errorf("install the CRDs: %w", err)
	}
	return nil
}

// createNamespace creates namespace ns.
func createNamespace(ctx context.Context, c client.Client, ns string) error {
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		return fmt.Errorf("create namespace %s: %w", ns, err)
	}
	return nil
}
