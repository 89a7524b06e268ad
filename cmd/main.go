// Command manager runs the lms-operator controllers.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/controller"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/budget"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
	"github.com/lmsoperator/lms-operator/internal/lms/vendors"
	"github.com/lmsoperator/lms-operator/internal/memlimit"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// options are the manager's flags.
type options struct {
	metricsAddr, probeAddr string
	secureMetrics          bool
	leaderElect            bool
	leaderElectionID       string
	watchNamespaces        string
	concurrency            int
	vendorTimeout          time.Duration
	budgetMaxWait          time.Duration
	enableHTTP2            bool
	pprofAddr              string
}

func parseFlags() (options, zap.Options) {
	var o options
	flag.StringVar(&o.metricsAddr, "metrics-bind-address", "0",
		"Address of the metrics endpoint: :8443 for HTTPS, :8080 for HTTP, 0 to disable it.")
	flag.BoolVar(&o.secureMetrics, "metrics-secure", true,
		"Serve metrics over HTTPS with authentication and authorization (TokenReview/SubjectAccessReview).")
	flag.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "Address of the /healthz and /readyz probes.")
	flag.BoolVar(&o.leaderElect, "leader-elect", false, "Elect a leader, so that only one replica reconciles at a time.")
	flag.StringVar(&o.leaderElectionID, "leader-election-id", "lms-operator.training.lmsoperator.dev", "Name of the leader election Lease.")
	flag.StringVar(&o.watchNamespaces, "watch-namespaces", "",
		"Comma-separated namespaces to watch; empty watches all. ClusterLMSConnections are always watched.")
	flag.IntVar(&o.concurrency, "max-concurrent-reconciles", 4, "Workers per controller.")
	flag.DurationVar(&o.vendorTimeout, "vendor-timeout", 30*time.Second, "Timeout of one call to a vendor API.")
	flag.DurationVar(&o.budgetMaxWait, "budget-max-wait", 2*time.Second,
		"How long a worker may wait for a request token before it requeues the object instead.")
	flag.BoolVar(&o.enableHTTP2, "enable-http2", false, "Serve the metrics endpoint over HTTP/2 (off: CVE-2023-44487).")
	flag.StringVar(&o.pprofAddr, "pprof-bind-address", "", "Address of the Go profiler (net/http/pprof), such as 127.0.0.1:6060; empty disables it.")
	zopts := zap.Options{Development: false}
	zopts.BindFlags(flag.CommandLine)
	flag.Parse()
	return o, zopts
}

func main() {
	o, zopts := parseFlags()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zopts)))
	if soft := memlimit.Set(); soft > 0 {
		ctrl.Log.Info("Set the Go memory limit from the container's", "bytes", soft)
	}
	if err := run(o); err != nil {
		ctrl.Log.Error(err, "Manager stopped")
		os.Exit(1)
	}
}

func run(o options) error {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))

	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), managerOptions(o, scheme))
	if err != nil {
		return fmt.Errorf("create manager: %w", err)
	}
	m := metrics.New()
	if err := m.Register(); err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}
	clk := clock.RealClock{}
	p := &pool.Pool{Registry: vendors.Registry(), Clock: clk, Timeout: o.vendorTimeout, MaxWait: o.budgetMaxWait,
		Observer: func(k pool.Key, prov lms.Provider) budget.Observer {
			return metrics.Observer{M: m, Vendor: string(prov), Connection: k.String()}
		}}
	deps := controller.Deps{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Pool: p,
		Recorder: func(name string) events.EventRecorder { return mgr.GetEventRecorder(name) }, Clock: clk, Metrics: m}
	// SetupSignalHandler may be called only once: a second call panics.
	ctx := ctrl.SetupSignalHandler()
	if err := controller.Setup(ctx, mgr, deps, o.concurrency); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return fmt.Errorf("add health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return fmt.Errorf("add ready check: %w", err)
	}
	ctrl.Log.Info("Starting manager", "watchNamespaces", o.watchNamespaces, "providers", deps.Pool.Registry.Providers())
	return mgr.Start(ctx)
}

func managerOptions(o options, scheme *runtime.Scheme) ctrl.Options {
	var tlsOpts []func(*tls.Config)
	if !o.enableHTTP2 {
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	ms := metricsserver.Options{BindAddress: o.metricsAddr, SecureServing: o.secureMetrics, TLSOpts: tlsOpts}
	if o.secureMetrics {
		ms.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	opts := ctrl.Options{
		Scheme:                        scheme,
		Metrics:                       ms,
		HealthProbeBindAddress:        o.probeAddr,
		LeaderElection:                o.leaderElect,
		LeaderElectionID:              o.leaderElectionID,
		LeaderElectionReleaseOnCancel: true,
		PprofBindAddress:              o.pprofAddr,
	}
	// managedFields are the bulk of a cached object and the operator never
	// reads them: at 10,000 Learners they would cost more memory than the rest.
	opts.Cache = cache.Options{DefaultTransform: cache.TransformStripManagedFields()}
	if ns := splitNamespaces(o.watchNamespaces); len(ns) > 0 {
		opts.Cache.DefaultNamespaces = ns
	}
	return opts
}

func splitNamespaces(s string) map[string]cache.Config {
	out := map[string]cache.Config{}
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out[n] = cache.Config{}
		}
	}
	return out
}
