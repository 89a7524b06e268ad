package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// controlPlaneTimeout bounds the start of etcd and of kube-apiserver each; a
// busy 2-core machine needs more than envtest's default 20s.
const controlPlaneTimeout = 2 * time.Minute

// createWorkers is how many Learners the bench creates at once.
const createWorkers = 8

// A cluster is the API server every scenario shares, and the bench's clients.
type cluster struct {
	env        *envtest.Environment
	kubeconfig string
	k          client.WithWatch
	clientset  kubernetes.Interface
}

// startCluster starts etcd and kube-apiserver with the CRDs and writes an
// admin kubeconfig into dir for the manager.
func startCluster(dir string) (*cluster, error) {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("config", "crd", "bases")},
		ErrorIfCRDPathMissing: true, ControlPlaneStartTimeout: controlPlaneTimeout, ControlPlaneStopTimeout: time.Minute}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("start envtest: %w", err)
	}
	cl := &cluster{env: env, kubeconfig: filepath.Join(dir, "kubeconfig")}
	if err := cl.connect(cfg, scheme); err != nil {
		cl.stop()
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		cl.stop()
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	if err := os.WriteFile(cl.kubeconfig, env.KubeConfig, 0o600); err != nil {
		cl.stop()
		return nil, fmt.Errorf("write the kubeconfig: %w", err)
	}
	return cl, nil
}

// connect builds the bench's clients. They are not rate limited on the
// client side, so that creating 10,000 Learners takes seconds, not minutes.
func (cl *cluster) connect(cfg *rest.Config, scheme *runtime.Scheme) error {
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 1000, 2000
	k, err := client.NewWithWatch(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return fmt.Errorf("build the bench's client: %w", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("build the bench's clientset: %w", err)
	}
	cl.k, cl.clientset = k, cs
	return nil
}

// stop stops kube-apiserver and etcd.
func (cl *cluster) stop() {
	if err := cl.env.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "bench: stop envtest:", err)
	}
}

// createAll creates objs in order.
func (cl *cluster) createAll(ctx context.Context, objs []client.Object) error {
	for _, o := range objs {
		if err := cl.k.Create(ctx, o); err != nil {
			return fmt.Errorf("create %T %s: %w", o, o.GetName(), err)
		}
	}
	return nil
}

// createLearners creates the scenario's Learners, createWorkers at a time.
func (cl *cluster) createLearners(ctx context.Context, s scenario) error {
	next := make(chan int)
	errs := make(chan error, createWorkers)
	var wg sync.WaitGroup
	for range createWorkers {
		wg.Go(func() {
			for i := range next {
				if err := cl.k.Create(ctx, s.learner(i)); err != nil {
					errs <- fmt.Errorf("create Learner %d: %w", i, err)
					return
				}
			}
		})
	}
	err := feed(ctx, next, s.learners, errs)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

// feed sends 0..n-1 to next until done or an error arrives on errs, then
// closes next.
func feed(ctx context.Context, next chan<- int, n int, errs <-chan error) error {
	defer close(next)
	for i := range n {
		select {
		case next <- i:
		case err := <-errs:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
