package chart

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// operatorCRDs are the CRDs the chart installs.
var operatorCRDs = []string{
	"lmsconnections.training.lmsoperator.dev",
	"clusterlmsconnections.training.lmsoperator.dev",
	"learners.training.lmsoperator.dev",
	"learnergroups.training.lmsoperator.dev",
	"enrollments.training.lmsoperator.dev",
}

func TestRenderedChartPassesServerDryRun(t *testing.T) {
	requireAPIServer(t)
	cases := map[string]struct {
		release, namespace string
		args               []string
	}{
		"default values": {release: "dry-default", namespace: "dry-default"},
		// The ServiceMonitor needs the monitoring.coreos.com CRD: TestMain
		// installs a minimal copy of it.
		"every option is on": {release: "dry-all", namespace: "dry-all", args: []string{"-f", allOptions}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// A server-side dry run creates no Namespace, and the objects in
			// it would be refused: it is created for real first, and so is
			// the namespace of the dashboard's ConfigMap (every option).
			createNamespace(t, tc.namespace, nil)
			createNamespace(t, dashboardNamespace, nil)
			manifests := render(t, tc.release, tc.namespace, append([]string{"--include-crds"}, tc.args...)...)
			out, err := kubectl(t, manifests, "apply", "--dry-run=server", "-f", "-")
			if err != nil {
				t.Fatalf("kubectl apply --dry-run=server of helm template (%s) failed: %v\n%s", name, err, out)
			}
			t.Logf("kubectl apply --dry-run=server:\n%s", out)
		})
	}
}

func TestManagerPodIsAdmittedUnderRestrictedPodSecurity(t *testing.T) {
	requireAPIServer(t)
	ns := "restricted"
	createNamespace(t, ns, map[string]string{"pod-security.kubernetes.io/enforce": "restricted"})
	var d appsv1.Deployment
	convert(t, findObject(t, parseManifests(t, render(t, "lms", ns)), "Deployment", "lms-lms-operator-controller-manager"), &d)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "manager", Namespace: ns}, Spec: d.Spec.Template.Spec}
	if err := k8s.Create(context.Background(), pod, client.DryRunAll); err != nil {
		t.Fatalf("the API server refused the manager's pod in a namespace enforcing the restricted profile: %v", err)
	}
	// The check is real: the same pod allowed to escalate privileges is refused.
	bad := pod.DeepCopy()
	bad.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = ptr.To(true)
	err := k8s.Create(context.Background(), bad, client.DryRunAll)
	if err == nil || !strings.Contains(err.Error(), "restricted") {
		t.Fatalf("a pod with allowPrivilegeEscalation was not refused by PodSecurity (err %v): the test proves nothing", err)
	}
}

func TestHelmInstallCreatesEveryObject(t *testing.T) {
	requireAPIServer(t)
	const release, ns = "lms", "lms-operator-system"
	createNamespace(t, dashboardNamespace, nil)
	out := helm(t, "install", release, chartDir, "--namespace", ns, "--create-namespace", "--wait=false",
		"--kubeconfig", kubeconfig, "-f", allOptions)
	t.Logf("helm install:\n%s", out)

	ctx := context.Background()
	inRelease := client.MatchingLabels{"app.kubernetes.io/instance": release}
	want := map[string]struct {
		list  client.ObjectList
		count int
		// namespace of the objects; "" for cluster-scoped kinds.
		namespace string
	}{
		"Deployment":         {&appsv1.DeploymentList{}, 1, ns},
		"ServiceAccount":     {&corev1.ServiceAccountList{}, 1, ns},
		"Service":            {&corev1.ServiceList{}, 1, ns},
		"Role":               {&rbacv1.RoleList{}, 1, ns},
		"RoleBinding":        {&rbacv1.RoleBindingList{}, 1, ns},
		"ClusterRole":        {&rbacv1.ClusterRoleList{}, 3, ""},
		"ClusterRoleBinding": {&rbacv1.ClusterRoleBindingList{}, 2, ""},
		"NetworkPolicy":      {unstructuredList("networking.k8s.io", "v1", "NetworkPolicyList"), 1, ns},
		"ServiceMonitor":     {unstructuredList("monitoring.coreos.com", "v1", "ServiceMonitorList"), 1, ns},
		"ConfigMap":          {&corev1.ConfigMapList{}, 1, dashboardNamespace},
	}
	for kind, w := range want {
		opts := []client.ListOption{inRelease}
		if w.namespace != "" {
			opts = append(opts, client.InNamespace(w.namespace))
		}
		if err := k8s.List(ctx, w.list, opts...); err != nil {
			t.Fatalf("list %s: %v", kind, err)
		}
		if n := countItems(t, w.list); n != w.count {
			t.Errorf("helm install created %d %s objects of release %s, want %d", n, kind, release, w.count)
		}
	}
	for _, name := range operatorCRDs {
		crd := &unstructured.Unstructured{}
		crd.SetGroupVersionKind(schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"})
		if err := k8s.Get(ctx, client.ObjectKey{Name: name}, crd); err != nil {
			t.Errorf("helm install did not create CRD %s: %v", name, err)
		}
	}
}

func TestChartConfigAndKustomizeGrantTheSameManagerRBAC(t *testing.T) {
	generated := rulesOf(t, parseManifests(t, readFile(t, repoRoot+"/config/rbac/role.yaml"))[0])
	chart := rulesOf(t, findObject(t, parseManifests(t, render(t, "lms", "lms-system")), "ClusterRole", "lms-lms-operator-manager-role"))
	if d := diffRules(chart, generated); d != "" {
		t.Errorf("the chart's manager ClusterRole differs from config/rbac/role.yaml (-chart +role.yaml):\n%s", d)
	}
	requireAPIServer(t) // for kubectl
	out, err := kubectl(t, "", "kustomize", repoRoot+"/config/default")
	if err != nil {
		t.Fatalf("kubectl kustomize config/default: %v\n%s", err, out)
	}
	kustomized := rulesOf(t, findObject(t, parseManifests(t, out), "ClusterRole", "lms-operator-manager-role"))
	if d := diffRules(kustomized, generated); d != "" {
		t.Errorf("config/default's manager ClusterRole differs from config/rbac/role.yaml (-kustomize +role.yaml):\n%s", d)
	}
}

func TestManagerOnlyReadsSecrets(t *testing.T) {
	objs := parseManifests(t, render(t, "lms", "lms-system", "-f", allOptions))
	for _, o := range objs {
		if o.GetKind() != "ClusterRole" && o.GetKind() != "Role" {
			continue
		}
		for _, r := range rulesOf(t, o) {
			if !coversSecrets(r) {
				continue
			}
			for _, v := range r.Verbs {
				if v != "get" && v != "list" && v != "watch" {
					t.Errorf("%s %s grants %q on Secrets; only get, list and watch are allowed", o.GetKind(), o.GetName(), v)
				}
			}
		}
	}
}

// coversSecrets reports whether r applies to core Secrets.
func coversSecrets(r rbacv1.PolicyRule) bool {
	core := false
	for _, g := range r.APIGroups {
		core = core || g == "" || g == "*"
	}
	for _, res := range r.Resources {
		if core && (res == "secrets" || res == "*") {
			return true
		}
	}
	return false
}

// createNamespace creates a namespace with labels, unless it exists.
func createNamespace(t *testing.T, name string, labels map[string]string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	if err := k8s.Create(context.Background(), ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace %s: %v", name, err)
	}
}

func unstructuredList(group, version, kind string) *unstructured.UnstructuredList {
	l := &unstructured.UnstructuredList{}
	l.SetGroupVersionKind(schema.GroupVersionKind{Group: group, Version: version, Kind: kind})
	return l
}
