package kubectllms

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

func TestEnvCredentials(t *testing.T) {
	env := map[string]string{"KUBECTL_LMS_APITOKEN": "t", "KUBECTL_LMS_CLIENTKEY": "k", "OTHER": "x"}
	got := envCredentials(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	want := map[string][]byte{"apiToken": []byte("t"), "clientKey": []byte("k")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the credential keys from KUBECTL_LMS_<KEY>: -want, +got:\n%s", diff)
	}
}

// offlineManifests are a connection to the simulator's eLeaP with Ada, who
// exists there, and Hedy, who does not.
const offlineManifests = `apiVersion: training.lmsoperator.dev/v1alpha1
kind: LMSConnection
metadata: {name: eleap, namespace: ci}
spec:
  provider: eleap
  eleap: {subdomain: demo}
  endpoint: %s
  allowInsecureHTTP: true
  credentialsSecretRef: {name: eleap-credentials}
---
apiVersion: training.lmsoperator.dev/v1alpha1
kind: Learner
metadata: {name: ada, namespace: ci}
spec: {connectionRef: {name: eleap}, email: ada@example.com, firstName: Ada, lastName: Lovelace}
---
apiVersion: training.lmsoperator.dev/v1alpha1
kind: Learner
metadata: {name: hedy, namespace: ci}
spec: {connectionRef: {name: eleap}, email: hedy@example.com, firstName: Hedy, lastName: Lamarr}
---
apiVersion: training.lmsoperator.dev/v1alpha1
kind: Enrollment
metadata: {name: conduct, namespace: ci}
spec:
  connectionRef: {name: eleap}
  course: {id: "102"}
  subjects: {learnerRefs: [{name: ada}, {name: hedy}]}
---
apiVersion: training.lmsoperator.dev/v1alpha1
kind: Enrollment
metadata: {name: k8s, namespace: ci}
spec:
  connectionRef: {name: eleap}
  course: {name: Kubernetes Basics}
  subjects: {learnerRefs: [{name: ada}]}
`

// TestOfflinePlan plans without a cluster, as CI does: the connection from
// the manifests, the token from the environment, the LMS from the
// simulator; JSON on stdout, exit status 2, no vendor write.
func TestOfflinePlan(t *testing.T) {
	s := newSim(t)
	t.Setenv("KUBECTL_LMS_APITOKEN", lmssim.DemoELeaPToken)
	path := writeFile(t, "m.yaml", fmt.Sprintf(offlineManifests, s.BaseURL(lmssim.ELeaP)))
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"--offline", "plan", "-f", path}, &out, &errOut)
	if code != ExitChanges {
		t.Fatalf("exit %d, want %d:\n%s", code, ExitChanges, errOut.String())
	}
	for _, want := range []string{"= adopt Learner ci/ada (ada@example.com)", "+ create Learner ci/hedy (hedy@example.com)",
		// Ada has course 102 in the demo data: only Hedy, after her create
		"~ update Enrollment ci/conduct (+assign Learner hedy (once it has its LMS record))",
		// the course found by name
		"~ update Enrollment ci/k8s (+assign ada@example.com)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the plan lacks %q:\n%s", want, out.String())
		}
	}
	if w := s.Writes(lmssim.ELeaP); len(w) > 0 {
		t.Errorf("vendor writes: %v", w)
	}
	out.Reset()
	if code := Main(context.Background(), []string{"--offline", "plan", "-f", path, "-o", "json"}, &out, &errOut); code != ExitChanges ||
		!strings.Contains(out.String(), `"action": "create"`) {
		t.Errorf("-o json: exit %d, output:\n%s", code, out.String())
	}
}

func TestExitStatusOfAnError(t *testing.T) {
	cases := map[string]struct {
		reason string
		args   []string
		want   string
	}{
		"NoFile":   {"a missing manifest file", []string{"--offline", "plan", "-f", "/nonexistent.yaml"}, "no such file"},
		"NoFlag":   {"plan without -f", []string{"--offline", "plan"}, `required flag(s) "filename" not set`},
		"NoConn":   {"a connection neither in the manifests nor in a cluster", []string{"--offline", "plan", "-f", "testdata/learner.yaml"}, "not in the manifests"},
		"ImportCI": {"import needs the cluster", []string{"--offline", "import", "--connection", "c"}, "cannot run --offline"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(context.Background(), tc.args, &out, &errOut)
			if code != ExitError || !strings.Contains(errOut.String(), tc.want) {
				t.Errorf("%s: exit %d, stderr %q; want %d and %q", tc.reason, code, errOut.String(), ExitError, tc.want)
			}
		})
	}
}
