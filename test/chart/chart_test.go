package chart

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// allOptions switches on every option of the chart.
var allOptions = filepath.Join("testdata", "all-options.yaml")

// render runs helm template for release name in namespace with extra args.
func render(t *testing.T, name, namespace string, args ...string) string {
	t.Helper()
	return helm(t, append([]string{"template", name, chartDir, "--namespace", namespace}, args...)...)
}

func TestChartLintsClean(t *testing.T) {
	for name, args := range map[string][]string{
		"default values":     nil,
		"every option is on": {"-f", allOptions},
	} {
		t.Run(name, func(t *testing.T) {
			out := helm(t, append([]string{"lint", "--strict", chartDir}, args...)...)
			if strings.Contains(out, "[WARNING]") || strings.Contains(out, "[ERROR]") {
				t.Errorf("helm lint --strict reports problems:\n%s", out)
			}
		})
	}
}

func TestSchemaRefusesInvalidValues(t *testing.T) {
	cases := map[string]struct {
		set  string
		want string
	}{
		"unknown top-level value":   {set: "replicas=2", want: "additional properties 'replicas' not allowed"},
		"unknown nested value":      {set: "metrics.serviceMonitor.enable=true", want: "additional properties 'enable' not allowed"},
		"negative replica count":    {set: "replicaCount=-1", want: "/replicaCount"},
		"zero workers":              {set: "maxConcurrentReconciles=0", want: "/maxConcurrentReconciles"},
		"unknown log level":         {set: "logLevel=verbose", want: "/logLevel"},
		"invalid namespace name":    {set: "watchNamespaces={Team_A}", want: "/watchNamespaces/0"},
		"string where bool is due":  {set: "leaderElect=yes", want: "/leaderElect"},
		"port out of range":         {set: "metrics.port=70000", want: "/metrics/port"},
		"invalid vendor timeout":    {set: "vendorTimeout=30", want: "/vendorTimeout"},
		"invalid pull policy":       {set: "image.pullPolicy=Sometimes", want: "/image/pullPolicy"},
		"invalid CIDR":              {set: "networkPolicy.vendor.cidrs={any}", want: "/networkPolicy/vendor/cidrs/0"},
		"extra argument not a flag": {set: "extraArgs={verbose}", want: "/extraArgs/0"},
		"dashboard switch not bool": {set: "grafanaDashboard.enabled=yes", want: "/grafanaDashboard/enabled"},
		"dashboard namespace":       {set: "grafanaDashboard.namespace=Monitoring", want: "/grafanaDashboard/namespace"},
		"unknown dashboard value":   {set: "grafanaDashboard.label=x", want: "additional properties 'label' not allowed"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, errOut, err := helmRun(t, "template", "t", chartDir, "--set", tc.set)
			if err == nil {
				t.Fatalf("helm template --set %s succeeded; values.schema.json should refuse it", tc.set)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("helm template --set %s failed without naming %q:\n%s", tc.set, tc.want, errOut)
			}
		})
	}
}

func TestDefaultValuesRenderTheOperatorAndNoOptionalObject(t *testing.T) {
	objs := parseManifests(t, render(t, "lms", "lms-system"))
	want := map[string]int{"ServiceAccount": 1, "ClusterRole": 3, "ClusterRoleBinding": 2, "Role": 1,
		"RoleBinding": 1, "Service": 1, "Deployment": 1}
	if got := kinds(objs); !maps.Equal(got, want) {
		t.Errorf("kinds rendered with default values = %v, want %v", got, want)
	}
	args := managerArgs(t, findObject(t, objs, "Deployment", "lms-lms-operator-controller-manager"))
	for _, a := range []string{"--leader-elect=true", "--metrics-bind-address=:8443", "--health-probe-bind-address=:8081",
		"--max-concurrent-reconciles=4", "--zap-log-level=info"} {
		if !slices.Contains(args, a) {
			t.Errorf("manager args %q lack %s", args, a)
		}
	}
	for _, a := range args {
		if strings.HasPrefix(a, "--watch-namespaces") {
			t.Errorf("manager args %q restrict namespaces although watchNamespaces is empty", args)
		}
	}
}

func TestValuesBecomeManagerFlags(t *testing.T) {
	objs := parseManifests(t, render(t, "lms", "lms-system", "-f", allOptions))
	args := managerArgs(t, findObject(t, objs, "Deployment", "lms-lms-operator-controller-manager"))
	for _, a := range []string{"--watch-namespaces=team-a,team-b", "--max-concurrent-reconciles=8",
		"--zap-log-level=debug", "--zap-encoder=console", "--vendor-timeout=45s", "--budget-max-wait=3s"} {
		if !slices.Contains(args, a) {
			t.Errorf("manager args %q lack %s", args, a)
		}
	}
	objs = parseManifests(t, render(t, "lms", "lms-system", "--set", "metrics.enabled=false,leaderElect=false"))
	args = managerArgs(t, findObject(t, objs, "Deployment", "lms-lms-operator-controller-manager"))
	for _, a := range []string{"--metrics-bind-address=0", "--leader-elect=false"} {
		if !slices.Contains(args, a) {
			t.Errorf("with metrics and leader election off, manager args %q lack %s", args, a)
		}
	}
	if got := kinds(objs); got["Service"] != 0 || got["Role"] != 0 {
		t.Errorf("with metrics and leader election off the chart still renders a Service or a Role: %v", got)
	}
}

func TestDeploymentMeetsTheRestrictedProfileAndProbesPort8081(t *testing.T) {
	objs := parseManifests(t, render(t, "lms", "lms-system"))
	var d appsv1.Deployment
	convert(t, findObject(t, objs, "Deployment", "lms-lms-operator-controller-manager"), &d)
	pod := d.Spec.Template.Spec
	if sc := pod.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot ||
		sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod securityContext %+v: want runAsNonRoot and seccomp RuntimeDefault", sc)
	}
	c := pod.Containers[0]
	sc := c.SecurityContext
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("container securityContext %+v: want no privilege escalation, read-only root, capabilities drop ALL", sc)
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("container resources %+v: want requests and limits", c.Resources)
	}
	for name, p := range map[string]*corev1.Probe{"/healthz": c.LivenessProbe, "/readyz": c.ReadinessProbe} {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != name || p.HTTPGet.Port.String() != "health" {
			t.Errorf("probe %s = %+v, want an HTTP GET of %s on the port named health", name, p, name)
		}
	}
	if port := containerPort(c, "health"); port != 8081 {
		t.Errorf("port health = %d, want 8081", port)
	}
}

func TestChartCopiesOfGeneratedFilesAreUpToDate(t *testing.T) {
	pairs := map[string]string{filepath.Join(repoRoot, "config", "rbac", "role.yaml"): filepath.Join(chartDir, "files", "manager-role.yaml")}
	bases, err := filepath.Glob(filepath.Join(repoRoot, "config", "crd", "bases", "*.yaml"))
	if err != nil || len(bases) == 0 {
		t.Fatalf("no CRDs in config/crd/bases (%v)", err)
	}
	for _, b := range bases {
		pairs[b] = filepath.Join(chartDir, "crds", filepath.Base(b))
	}
	copies, _ := filepath.Glob(filepath.Join(chartDir, "crds", "*.yaml"))
	if len(copies) != len(bases) {
		t.Errorf("charts/lms-operator/crds has %d files, config/crd/bases %d: run make manifests", len(copies), len(bases))
	}
	for src, dst := range pairs {
		a, errA := os.ReadFile(src)
		b, errB := os.ReadFile(dst)
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs from %s (%v, %v): run make manifests (hack/sync-chart-crds.sh)", dst, src, errA, errB)
		}
	}
}

// managerArgs returns the args of the manager container of a Deployment.
func managerArgs(t *testing.T, obj *unstructured.Unstructured) []string {
	t.Helper()
	var d appsv1.Deployment
	convert(t, obj, &d)
	for _, c := range d.Spec.Template.Spec.Containers {
		if c.Name == "manager" {
			return c.Args
		}
	}
	t.Fatal("the Deployment has no container named manager")
	return nil
}

// containerPort returns the number of the named port of c, 0 if none.
func containerPort(c corev1.Container, name string) int32 {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}
