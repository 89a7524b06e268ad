// Command controlplane runs a local Kubernetes control plane (etcd and
// kube-apiserver, through controller-runtime's envtest) for hack/demo.sh:
// it starts them, writes an admin kubeconfig, and stops them on SIGINT or
// SIGTERM. It installs nothing: the demo applies the CRDs with kubectl.
//
// Usage: controlplane --write-kubeconfig FILE [--assets DIR]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// startTimeout bounds the start of etcd and of kube-apiserver each; a busy
// 2-core machine needs more than envtest's default 20s.
const startTimeout = 2 * time.Minute

func main() {
	kubeconfig := flag.String("write-kubeconfig", "", "`file` to write the admin kubeconfig to (required)")
	assets := flag.String("assets", os.Getenv("KUBEBUILDER_ASSETS"),
		"`directory` holding kube-apiserver and etcd (default $KUBEBUILDER_ASSETS)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *kubeconfig, *assets); err != nil {
		fmt.Fprintln(os.Stderr, "controlplane:", err)
		os.Exit(1)
	}
}

// run starts the control plane, writes the kubeconfig and serves until ctx is done.
func run(ctx context.Context, kubeconfig, assets string) error {
	if kubeconfig == "" || assets == "" {
		return errors.New("--write-kubeconfig and --assets (or $KUBEBUILDER_ASSETS) are required")
	}
	env := &envtest.Environment{BinaryAssetsDirectory: assets, ControlPlaneStartTimeout: startTimeout,
		ControlPlaneStopTimeout: 30 * time.Second}
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("start etcd and kube-apiserver: %w", err)
	}
	defer func() {
		if err := env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "controlplane: stop:", err)
		}
	}()
	if err := writeFile(kubeconfig, env.KubeConfig); err != nil {
		return err
	}
	fmt.Printf("kube-apiserver %s is ready; kubeconfig: %s\n", cfg.Host, kubeconfig)
	<-ctx.Done()
	fmt.Println("Stopping kube-apiserver and etcd")
	return nil
}

// writeFile writes data atomically, so that a reader never sees half a file.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create the kubeconfig's directory: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write the kubeconfig: %w", err)
	}
	return os.Rename(tmp, path)
}
