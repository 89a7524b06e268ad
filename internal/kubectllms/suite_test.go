package kubectllms

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/lmsoperator/lms-operator/internal/controller"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
	"github.com/lmsoperator/lms-operator/internal/lms/vendors"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// The integration tests: one envtest API server with the CRDs, the
// operator's manager running every controller against it, and a kubeconfig
// file for the plugin. Without KUBEBUILDER_ASSETS only the unit tables run.
var (
	k8s        client.Client
	kubeconfig string
)

// eventually is how long a test waits for the operator to converge.
const eventually = 60 * time.Second

func TestMain(m *testing.M) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		fmt.Println("KUBEBUILDER_ASSETS is not set: the integration tests of kubectl lms are skipped")
		os.Exit(m.Run())
	}
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true}
	_, err := env.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start envtest:", err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	dir, err := os.MkdirTemp("", "kubectl-lms-test")
	if err != nil {
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, env.KubeConfig, 0o600); err != nil {
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := startManager(ctx, env); err != nil {
		fmt.Fprintln(os.Stderr, "start manager:", err)
		return 1
	}
	return m.Run()
}

// startManager runs the operator's controllers as cmd/main.go wires them.
func startManager(ctx context.Context, env *envtest.Environment) error {
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{Scheme: Scheme(),
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0"})
	if err != nil {
		return err
	}
	if k8s, err = client.New(env.Config, client.Options{Scheme: Scheme()}); err != nil {
		return err
	}
	p := &pool.Pool{Registry: vendors.Registry(), Clock: clock.RealClock{}, Timeout: 5 * time.Second, MaxWait: 200 * time.Millisecond}
	d := controller.Deps{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Pool: p,
		Recorder: func(n string) events.EventRecorder { return mgr.GetEventRecorder(n) },
		Clock:    clock.RealClock{}, Metrics: metrics.New()}
	if err := controller.Setup(ctx, mgr, d, 4); err != nil {
		return err
	}
	go func() { _ = mgr.Start(ctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		return fmt.Errorf("cache did not sync")
	}
	return nil
}

// A sim is the simulator of the three vendors with its demo data, counting
// the write requests each vendor receives (by the vendor's own IsWrite).
type sim struct {
	*lmssim.Server
	HTTP *httptest.Server

	mu     sync.Mutex
	writes map[string][]string
}

// newSim serves the simulator for one test.
func newSim(t *testing.T) *sim {
	sims := lmssim.NewSims(lmssim.DefaultSeed(), nil)
	s := &sim{Server: lmssim.New(lmssim.Options{}, sims.Vendors()...), writes: map[string][]string{}}
	s.HTTP = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() { s.Close(); s.HTTP.Close() })
	return s
}

// serve counts a write, then lets the simulator answer.
func (s *sim) serve(w http.ResponseWriter, r *http.Request) {
	vendor, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if v := s.Vendor(vendor); v != nil {
		inner := r.Clone(r.Context())
		inner.URL.Path = "/" + rest
		if v.IsWrite(inner) {
			s.mu.Lock()
			s.writes[vendor] = append(s.writes[vendor], r.Method+" "+r.URL.Path)
			s.mu.Unlock()
		}
	}
	s.ServeHTTP(w, r)
}

// Writes returns the write requests vendor received so far.
func (s *sim) Writes(vendor string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.writes[vendor]...)
}

// BaseURL is spec.endpoint of a connection to vendor.
func (s *sim) BaseURL(vendor string) string { return lmssim.VendorBaseURL(s.HTTP.URL, vendor) }
