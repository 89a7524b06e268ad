package controller

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/budget"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
	"github.com/lmsoperator/lms-operator/internal/lms/vendors"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// The integration suite: one real kube-apiserver and etcd (envtest), one
// manager running every controller, and per test a simulator served over
// HTTP with connections pointing at it.
var (
	testCfg    *rest.Config
	k8s        client.Client
	testScheme = runtime.NewScheme()
	testPool   *pool.Pool
	// testGuards are the manager's deletion guards, so that a test can drop
	// one as a restart would.
	testGuards *deletionGuards
	testMetric = metrics.New()
	nsCounter  atomic.Int32
)

// eventually is how long a test waits for the operator to converge.
const eventually = 30 * time.Second

func TestMain(m *testing.M) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		fmt.Println("KUBEBUILDER_ASSETS is not set: the integration tests are skipped, the unit tables run; " +
			"`make test` builds the envtest assets")
		os.Exit(m.Run())
	}
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	logf.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.UseDevMode(true), zap.Level(zapLevel()),
		zap.StacktraceLevel(zapcore.PanicLevel)))
	utilruntime.Must(clientgoscheme.AddToScheme(testScheme))
	utilruntime.Must(v1alpha1.AddToScheme(testScheme))
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start envtest:", err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	testCfg = cfg
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mgrCfg, err := managerConfig(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "grant the manager's role:", err)
		return 1
	}
	if err := startManager(ctx, cfg, mgrCfg); err != nil {
		fmt.Fprintln(os.Stderr, "start manager:", err)
		return 1
	}
	return m.Run()
}

func zapLevel() zapcore.Level {
	if os.Getenv("TEST_VERBOSE") != "" {
		return zapcore.Level(-2)
	}
	return zapcore.DPanicLevel // reconcile errors are expected in these tests: keep the output readable
}

// managerServiceAccount is the user the test manager acts as.
const managerServiceAccount = "system:serviceaccount:lms-system:lms-operator"

// managerConfig binds the ClusterRole of config/rbac/role.yaml (what the
// chart and config/default grant) to a service account, and returns cfg
// acting as it: the manager of these tests has exactly the manager's rights,
// so that a grant the code needs and the role lacks fails the suite.
func managerConfig(ctx context.Context, cfg *rest.Config) (*rest.Config, error) {
	admin, err := client.New(cfg, client.Options{Scheme: testScheme})
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "rbac", "role.yaml"))
	if err != nil {
		return nil, err
	}
	var role rbacv1.ClusterRole
	if err := yaml.Unmarshal(data, &role); err != nil {
		return nil, fmt.Errorf("parse config/rbac/role.yaml: %w", err)
	}
	binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: role.Name},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: "lms-system", Name: "lms-operator"}}}
	for _, o := range []client.Object{&role, binding} {
		if err := admin.Create(ctx, o); err != nil {
			return nil, fmt.Errorf("create %T %s: %w", o, o.GetName(), err)
		}
	}
	sa := rest.CopyConfig(cfg)
	sa.Impersonate = rest.ImpersonationConfig{UserName: managerServiceAccount,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:lms-system", "system:authenticated"}}
	return sa, nil
}

// startManager runs every controller against the envtest API server, with
// the real vendor clients, acting with mgrCfg; the tests' own client uses cfg.
func startManager(ctx context.Context, cfg, mgrCfg *rest.Config) error {
	mgr, err := ctrl.NewManager(mgrCfg, ctrl.Options{Scheme: testScheme,
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0"})
	if err != nil {
		return err
	}
	// Tests read the API server directly: the manager's cache may lag behind
	// the test's own writes.
	if k8s, err = client.New(cfg, client.Options{Scheme: testScheme}); err != nil {
		return err
	}
	testPool = &pool.Pool{Registry: vendors.Registry(), Clock: clock.RealClock{}, Timeout: 5 * time.Second, MaxWait: 200 * time.Millisecond,
		Observer: func(k pool.Key, p lms.Provider) budget.Observer {
			return metrics.Observer{M: testMetric, Vendor: string(p), Connection: k.String()}
		}}
	d := Deps{Client: mgr.GetClient(), APIReader: secretReads.wrap(mgr.GetAPIReader()), Pool: testPool,
		Recorder: func(n string) events.EventRecorder { return mgr.GetEventRecorder(n) },
		Clock:    clock.RealClock{}, Metrics: testMetric}
	testGuards = newDeletionGuards(ctx, mgr.GetClient(), clock.RealClock{}, testMetric)
	d.guards = testGuards
	if err := Setup(ctx, mgr, d, 4); err != nil {
		return err
	}
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager:", err)
		}
	}()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		return fmt.Errorf("cache did not sync")
	}
	return nil
}

// newNamespace creates a namespace of the test's own.
func newNamespace(t *testing.T) string {
	t.Helper()
	if k8s == nil {
		t.Skip("needs a real API server: KUBEBUILDER_ASSETS is not set")
	}
	name := fmt.Sprintf("t%d-%s", nsCounter.Add(1), strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name())))
	if len(name) > 60 {
		name = name[:60]
	}
	name = strings.TrimRight(name, "-")
	create(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
	return name
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := k8s.Create(context.Background(), obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

// vendorSetup is a simulator and a connection to one of its vendors.
type vendorSetup struct {
	sim    *lmssim.TestServer
	vendor string
	conn   *v1alpha1.LMSConnection
}

// connOpts tune a test connection.
type connOpts struct {
	requestsPerHour int32
	burst           int32
	syncInterval    time.Duration
	// simRequestsPerHour is the simulator's own hourly limit (0: none).
	simRequestsPerHour int
	// seed, when set, changes the simulator's seed (DefaultSeed in eachVendor).
	seed func(*lmssim.Seed)
	// simLatency is added by the simulator to every request.
	simLatency time.Duration
	// pagesPerSync sets spec.rateLimit.pagesPerSync (0: unset).
	pagesPerSync int32
}

// credentials returns the Secret data the simulator's default seed accepts.
func credentials(vendor string) map[string]string {
	switch vendor {
	case lmssim.ELeaP:
		return map[string]string{"apiToken": lmssim.DemoELeaPToken}
	case lmssim.Enabley:
		return map[string]string{"clientKey": lmssim.DemoEnableyClient, "secret": lmssim.DemoEnableySecret}
	}
	return map[string]string{"apiKey": lmssim.DemoExceedAPIKey}
}

// newConnection starts a simulator with seed and creates a Secret and an
// LMSConnection named vendor in ns pointing at it.
func newConnection(t *testing.T, ns, vendor string, seed lmssim.Seed, o connOpts) *vendorSetup {
	t.Helper()
	simOpts := lmssim.Options{}
	if o.simRequestsPerHour > 0 || o.simLatency > 0 {
		simOpts.Config = map[string]lmssim.VendorConfig{vendor: {RequestsPerHour: o.simRequestsPerHour, Latency: o.simLatency}}
	}
	sim := lmssim.NewTestServer(t, seed, simOpts)
	return connectTo(t, ns, vendor, sim, sim.BaseURL(vendor), o)
}

// connectTo creates a Secret and an LMSConnection named vendor in ns,
// pointing at endpoint (sim's, or a proxy in front of it).
func connectTo(t *testing.T, ns, vendor string, sim *lmssim.TestServer, endpoint string, o connOpts) *vendorSetup {
	t.Helper()
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: vendor + "-credentials"},
		StringData: credentials(vendor)})
	c := &v1alpha1.LMSConnection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: vendor}}
	c.Spec.Provider = v1alpha1.Provider(vendor)
	c.Spec.Endpoint = endpoint
	c.Spec.AllowInsecureHTTP = true
	c.Spec.CredentialsSecretRef.Name = vendor + "-credentials"
	switch vendor {
	case lmssim.ELeaP:
		c.Spec.ELeaP = &v1alpha1.ELeaPSettings{Subdomain: "acme"}
	case lmssim.Exceed:
		c.Spec.Exceed = &v1alpha1.ExceedSettings{Subdomain: "acme"}
	case lmssim.Enabley:
		c.Spec.Enabley = &v1alpha1.EnableySettings{SubAccountName: lmssim.DemoEnableySubAcct}
	}
	if o.requestsPerHour > 0 || o.burst > 0 {
		c.Spec.RateLimit = &v1alpha1.RateLimit{}
		if o.requestsPerHour > 0 {
			c.Spec.RateLimit.RequestsPerHour = ptr.To(o.requestsPerHour)
		}
		if o.burst > 0 {
			c.Spec.RateLimit.Burst = ptr.To(o.burst)
		}
	}
	if o.pagesPerSync > 0 {
		if c.Spec.RateLimit == nil {
			c.Spec.RateLimit = &v1alpha1.RateLimit{}
		}
		c.Spec.RateLimit.PagesPerSync = ptr.To(o.pagesPerSync)
	}
	if o.syncInterval > 0 {
		c.Spec.SyncInterval = &metav1.Duration{Duration: o.syncInterval}
	}
	create(t, c)
	return &vendorSetup{sim: sim, vendor: vendor, conn: c}
}

// learner returns a Learner of the connection, not yet created.
func (v *vendorSetup) learner(name, email string) *v1alpha1.Learner {
	return &v1alpha1.Learner{
		ObjectMeta: metav1.ObjectMeta{Namespace: v.conn.Namespace, Name: name},
		Spec: v1alpha1.LearnerSpec{ConnectionRef: v1alpha1.ConnectionReference{Name: v.conn.Name},
			Email: email, FirstName: "First " + name, LastName: "Last"},
	}
}

// get re-reads obj.
func get(t *testing.T, obj client.Object) {
	t.Helper()
	if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
		t.Fatalf("get %T %s: %v", obj, obj.GetName(), err)
	}
}

// waitFor polls until cond holds, failing with what it last saw.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		ok, seen := cond()
		if ok {
			return
		}
		last = seen
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s; last seen: %s", timeout, what, last)
}

// conditionsOf returns obj's conditions.
func conditionsOf(obj client.Object) []metav1.Condition {
	switch o := obj.(type) {
	case *v1alpha1.LMSConnection:
		return o.Status.Conditions
	case *v1alpha1.ClusterLMSConnection:
		return o.Status.Conditions
	case *v1alpha1.Learner:
		return o.Status.Conditions
	case *v1alpha1.LearnerGroup:
		return o.Status.Conditions
	case *v1alpha1.Enrollment:
		return o.Status.Conditions
	}
	return nil
}

// waitCondition waits until obj has condition typ with status and, if set, reason.
func waitCondition(t *testing.T, obj client.Object, typ string, status metav1.ConditionStatus, reason string) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%s %s: %s=%s %s", kindOf(obj), obj.GetName(), typ, status, reason), eventually, func() (bool, string) {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return false, err.Error()
		}
		c := meta.FindStatusCondition(conditionsOf(obj), typ)
		if c == nil {
			return false, fmt.Sprintf("no %s condition; conditions: %+v", typ, conditionsOf(obj))
		}
		ok := c.Status == status && (reason == "" || c.Reason == reason) && c.ObservedGeneration == obj.GetGeneration()
		return ok, fmt.Sprintf("%s=%s reason=%s message=%q gen=%d/%d", typ, c.Status, c.Reason, c.Message, c.ObservedGeneration, obj.GetGeneration())
	})
}

// waitReady waits until obj is Ready for its current generation.
func waitReady(t *testing.T, obj client.Object) {
	t.Helper()
	waitCondition(t, obj, v1alpha1.ConditionReady, metav1.ConditionTrue, "")
}

// waitGone waits until obj no longer exists.
func waitGone(t *testing.T, obj client.Object) {
	t.Helper()
	waitFor(t, kindOf(obj)+" "+obj.GetName()+" to be gone", eventually, func() (bool, string) {
		err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		return apierrors.IsNotFound(err), fmt.Sprintf("err=%v finalizers=%v", err, obj.GetFinalizers())
	})
}

func kindOf(obj client.Object) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", obj), "*v1alpha1.")
}

// kstatusOf computes the kstatus of obj, as Flux and Argo CD would.
func kstatusOf(t *testing.T, obj client.Object) kstatus.Status {
	t.Helper()
	get(t, obj)
	gvk, err := k8s.GroupVersionKindFor(obj)
	if err != nil {
		t.Fatal(err)
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetGroupVersionKind(gvk)
	res, err := kstatus.Compute(u)
	if err != nil {
		t.Fatalf("kstatus.Compute: %v", err)
	}
	return res.Status
}

func update(t *testing.T, obj client.Object, mutate func()) {
	t.Helper()
	for range 5 {
		get(t, obj)
		mutate()
		err := k8s.Update(context.Background(), obj)
		if err == nil {
			return
		}
		if !apierrors.IsConflict(err) {
			t.Fatalf("update %T %s: %v", obj, obj.GetName(), err)
		}
	}
	t.Fatalf("update %T %s: conflicts", obj, obj.GetName())
}

func remove(t *testing.T, obj client.Object) {
	t.Helper()
	if err := k8s.Delete(context.Background(), obj); err != nil && !apierrors.IsNotFound(err) {
		t.Fatalf("delete %T %s: %v", obj, obj.GetName(), err)
	}
}

func readyCondition(t *testing.T, obj client.Object) metav1.Condition {
	t.Helper()
	c := meta.FindStatusCondition(conditionsOf(obj), v1alpha1.ConditionReady)
	if c == nil {
		t.Fatalf("%s %s has no Ready condition", kindOf(obj), obj.GetName())
	}
	return *c
}

func findCondition(conds []metav1.Condition, typ string) *metav1.Condition {
	return meta.FindStatusCondition(conds, typ)
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func clientInNamespace(ns string) client.ListOption { return client.InNamespace(ns) }

// eachVendor runs test once per vendor, as a subtest, with a Ready
// connection (tuned by o) to a simulator of its own in a namespace of its own.
func eachVendor(t *testing.T, o connOpts, test func(t *testing.T, v *vendorSetup)) {
	t.Helper()
	for _, vendor := range []string{lmssim.ELeaP, lmssim.Enabley, lmssim.Exceed} {
		t.Run(vendor, func(t *testing.T) {
			seed := lmssim.DefaultSeed()
			if o.seed != nil {
				o.seed(&seed)
			}
			v := newConnection(t, newNamespace(t), vendor, seed, o)
			waitReady(t, v.conn)
			test(t, v)
		})
	}
}

// readyLearner creates a Learner of the connection and waits until it is Ready.
func (v *vendorSetup) readyLearner(t *testing.T, name, email string) *v1alpha1.Learner {
	t.Helper()
	l := v.learner(name, email)
	create(t, l)
	waitReady(t, l)
	return l
}
