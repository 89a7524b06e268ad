// Command bench measures what the operator costs the vendor and the API
// server: it starts a real kube-apiserver and etcd (envtest), the vendor
// simulator and the manager in one process, creates Learners, and prints the
// vendor calls and times to converge, then the calls of the steady state.
//
// Usage: go run ./hack/bench [-learners 2000] [-vendor eleap] [-sync 10s]
// (make bench). KUBEBUILDER_ASSETS must point at the envtest binaries.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"time"

	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/controller"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
	"github.com/lmsoperator/lms-operator/internal/lms/vendors"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

type config struct {
	learners    int
	vendor      string
	sync        time.Duration
	intervals   int
	concurrency int
}

func main() {
	var c config
	flag.IntVar(&c.learners, "learners", 2000, "Learners to create.")
	flag.StringVar(&c.vendor, "vendor", lmssim.ELeaP, "Vendor: eleap, enabley or exceed.")
	flag.DurationVar(&c.sync, "sync", 10*time.Second, "The connection's syncInterval for the steady-state phase.")
	flag.IntVar(&c.intervals, "intervals", 3, "Sync intervals to observe the steady state for.")
	flag.IntVar(&c.concurrency, "concurrency", 4, "Workers per controller.")
	flag.Parse()
	logf.SetLogger(zap.New(zap.Level(zapLevelErrorOnly)))
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// zapLevelErrorOnly is quieter than errors: reconcile retries are expected under a budget.
const zapLevelErrorOnly = zapcore.DPanicLevel

func run(c config) error {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return fmt.Errorf("KUBEBUILDER_ASSETS is not set: run `make bench`")
	}
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("config", "crd", "bases")}, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("start envtest: %w", err)
	}
	defer func() { _ = env.Stop() }()
	sim := lmssim.NewDefault(lmssim.DefaultSeed(), lmssim.Options{})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	k, err := startManager(ctx, cfg, scheme, c.concurrency)
	if err != nil {
		return err
	}
	return measure(ctx, k, sim, srv.URL, c)
}

func startManager(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme, concurrency int) (client.Client, error) {
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{Scheme: scheme,
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0"})
	if err != nil {
		return nil, err
	}
	p := &pool.Pool{Registry: vendors.Registry(), Clock: clock.RealClock{}, MaxWait: 200 * time.Millisecond}
	d := controller.Deps{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Pool: p,
		Recorder: func(n string) events.EventRecorder { return mgr.GetEventRecorder(n) },
		Clock:    clock.RealClock{}, Metrics: metrics.New()}
	if err := controller.Setup(ctx, mgr, d, concurrency); err != nil {
		return nil, err
	}
	go func() { _ = mgr.Start(ctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		return nil, fmt.Errorf("cache did not sync")
	}
	return client.New(cfg, client.Options{Scheme: scheme})
}

func measure(ctx context.Context, k client.Client, sim *lmssim.Server, url string, c config) error {
	ns := "bench"
	if err := setup(ctx, k, ns, url, c); err != nil {
		return err
	}
	start := time.Now()
	if err := createLearners(ctx, k, ns, c); err != nil {
		return err
	}
	created := time.Since(start)
	if err := waitAllReady(ctx, k, ns, c.learners); err != nil {
		return err
	}
	converged := time.Since(start)
	calls := sim.Calls(c.vendor)
	total := sim.Total(c.vendor)
	fmt.Printf("vendor=%s learners=%d concurrency=%d\n", c.vendor, c.learners, c.concurrency)
	fmt.Printf("create phase: %d objects created in %s, all Ready after %s (%.0f Learners/s)\n",
		c.learners, created.Round(time.Millisecond), converged.Round(time.Millisecond), float64(c.learners)/converged.Seconds())
	fmt.Printf("create phase: %d vendor calls, %.2f calls per Learner, 429s=%d\n", total, float64(total)/float64(c.learners), sim.Count429(c.vendor))
	printCalls(calls)
	sim.ResetCalls()
	time.Sleep(time.Duration(c.intervals) * c.sync)
	steady := sim.Total(c.vendor)
	fmt.Printf("steady state: %d vendor calls in %d sync intervals of %s (%.2f per interval, %.4f per Learner per interval)\n",
		steady, c.intervals, c.sync, float64(steady)/float64(c.intervals), float64(steady)/float64(c.intervals)/float64(c.learners))
	printCalls(sim.Calls(c.vendor))
	return nil
}

func printCalls(calls map[string]int) {
	keys := make([]string, 0, len(calls))
	for k := range calls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  %-32s %8d\n", k, calls[k])
	}
}

func setup(ctx context.Context, k client.Client, ns, url string, c config) error {
	if err := k.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		return err
	}
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "creds"}, StringData: credentials(c.vendor)}
	if err := k.Create(ctx, sec); err != nil {
		return err
	}
	conn := &v1alpha1.LMSConnection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "lms"}}
	conn.Spec.Provider = v1alpha1.Provider(c.vendor)
	conn.Spec.Endpoint, conn.Spec.AllowInsecureHTTP = lmssim.VendorBaseURL(url, c.vendor), true
	conn.Spec.CredentialsSecretRef.Name = "creds"
	conn.Spec.SyncInterval = &metav1.Duration{Duration: c.sync}
	conn.Spec.RateLimit = &v1alpha1.RateLimit{RequestsPerHour: ptr.To(int32(1000000)), Burst: ptr.To(int32(1000))}
	switch c.vendor {
	case lmssim.ELeaP:
		conn.Spec.ELeaP = &v1alpha1.ELeaPSettings{Subdomain: "bench"}
	case lmssim.Exceed:
		conn.Spec.Exceed = &v1alpha1.ExceedSettings{Subdomain: "bench"}
	}
	return k.Create(ctx, conn)
}

func credentials(vendor string) map[string]string {
	switch vendor {
	case lmssim.ELeaP:
		return map[string]string{"apiToken": lmssim.DemoELeaPToken}
	case lmssim.Enabley:
		return map[string]string{"clientKey": lmssim.DemoEnableyClient, "secret": lmssim.DemoEnableySecret}
	}
	return map[string]string{"apiKey": lmssim.DemoExceedAPIKey}
}

func createLearners(ctx context.Context, k client.Client, ns string, c config) error {
	for i := range c.learners {
		l := &v1alpha1.Learner{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("l%05d", i)},
			Spec: v1alpha1.LearnerSpec{ConnectionRef: v1alpha1.ConnectionReference{Name: "lms"},
				Email: fmt.Sprintf("l%05d@bench.example.com", i), FirstName: "Bench", LastName: fmt.Sprintf("L%05d", i)}}
		if err := k.Create(ctx, l); err != nil {
			return fmt.Errorf("create learner %d: %w", i, err)
		}
	}
	return nil
}

func waitAllReady(ctx context.Context, k client.Client, ns string, n int) error {
	deadline := time.Now().Add(30 * time.Minute)
	for time.Now().Before(deadline) {
		var list v1alpha1.LearnerList
		if err := k.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return err
		}
		ready := 0
		for _, l := range list.Items {
			for _, c := range l.Status.Conditions {
				if c.Type == v1alpha1.ConditionReady && c.Status == metav1.ConditionTrue {
					ready++
				}
			}
		}
		if ready == n {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return fmt.Errorf("not every Learner became Ready in 30 minutes")
}
