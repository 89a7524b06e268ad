package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

const (
	// samplesNamespace is where the samples' namespaced objects go; it
	// carries the label the ClusterLMSConnection sample allows.
	samplesNamespace = "e2e-samples"
	// samplesTimeout bounds the wait for every sample to become Ready.
	samplesTimeout = 3 * time.Minute
)

// demoCredentials are the simulator's demo values of every credentials key.
var demoCredentials = map[string]string{
	"apiToken":  lmssim.DemoELeaPToken,
	"clientKey": lmssim.DemoEnableyClient,
	"secret":    lmssim.DemoEnableySecret,
	"apiKey":    lmssim.DemoExceedAPIKey,
}

// TestEverySampleBecomesReady applies config/samples as a user would
// (kubectl kustomize), with only what a user changes to try them on the
// simulator: the connections' endpoints, allowInsecureHTTP and the Secrets'
// values. The ClusterLMSConnection's Secret, which the sample tells the user
// to create in lms-operator-system, is created first. Every object must
// become Ready for its current generation.
func TestEverySampleBecomesReady(t *testing.T) {
	requireEnv(t)
	kubectl(t, "create", "namespace", samplesNamespace)
	kubectl(t, "label", "namespace", samplesNamespace, "training.lmsoperator.dev/lms=corporate")
	kubectl(t, "create", "namespace", "lms-operator-system")
	kubectl(t, "create", "secret", "generic", "eleap-corporate", "-n", "lms-operator-system",
		"--from-literal=apiToken="+lmssim.DemoELeaPToken)

	objs := parseObjects(t, kubectl(t, "kustomize", repoRoot+"/config/samples"))
	var want []string
	for _, obj := range objs {
		pointAtSimulator(t, obj)
		if obj.GetKind() != "Secret" {
			want = append(want, obj.GetKind()+"/"+obj.GetName())
		}
	}
	apply(t, samplesNamespace, manifests(t, objs))
	eventually(t, samplesTimeout, func() string { return notReady(t, want) })
}

// pointAtSimulator rewrites a connection's endpoint to the simulator and a
// Secret's values to the simulator's demo credentials.
func pointAtSimulator(t *testing.T, obj *unstructured.Unstructured) {
	t.Helper()
	switch obj.GetKind() {
	case "LMSConnection", "ClusterLMSConnection":
		provider, _, _ := unstructured.NestedString(obj.Object, "spec", "provider")
		vc, ok := vendorCases[provider]
		if !ok {
			t.Fatalf("%s %s: unknown provider %q", obj.GetKind(), obj.GetName(), provider)
		}
		setField(t, obj, env.simURL+vc.path, "spec", "endpoint")
		setField(t, obj, true, "spec", "allowInsecureHTTP")
	case "Secret":
		data, _, _ := unstructured.NestedStringMap(obj.Object, "stringData")
		for key := range data {
			value, ok := demoCredentials[key]
			if !ok {
				t.Fatalf("Secret %s has key %q, which no vendor reads", obj.GetName(), key)
			}
			data[key] = value
		}
		setField(t, obj, toAnyMap(data), "stringData")
	}
}

// notReady returns what is not Ready among want ("Kind/name"), or "".
func notReady(t *testing.T, want []string) string {
	t.Helper()
	out := kubectl(t, "get", "-n", samplesNamespace, "-o", "json",
		"lmsconnections,clusterlmsconnections,learners,learnergroups,enrollments")
	var list struct {
		Items []unstructured.Unstructured `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("decode kubectl get -o json: %v", err)
	}
	found := map[string]string{}
	for _, obj := range list.Items {
		found[obj.GetKind()+"/"+obj.GetName()] = readiness(&obj)
	}
	var problems []string
	for _, key := range want {
		state, ok := found[key]
		if !ok {
			state = "missing"
		}
		if state != "" {
			problems = append(problems, key+": "+state)
		}
	}
	slices.Sort(problems)
	if len(problems) > 0 {
		return "samples not Ready:\n  " + strings.Join(problems, "\n  ")
	}
	return ""
}

// readiness returns "" when obj is Ready for its generation, else why not.
func readiness(obj *unstructured.Unstructured) string {
	observed, _, _ := unstructured.NestedInt64(obj.Object, "status", "observedGeneration")
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] != "Ready" {
			continue
		}
		if m["status"] == "True" && observed == obj.GetGeneration() {
			return ""
		}
		return fmt.Sprintf("Ready %v, %v: %v (observedGeneration %d of %d)",
			m["status"], m["reason"], m["message"], observed, obj.GetGeneration())
	}
	return "no Ready condition yet"
}

// parseObjects returns every object of a YAML stream.
func parseObjects(t *testing.T, stream string) []*unstructured.Unstructured {
	t.Helper()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(stream)))
	var objs []*unstructured.Unstructured
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("read a YAML document: %v", err)
		}
		var content map[string]any
		if err := yaml.Unmarshal(doc, &content); err != nil {
			t.Fatalf("decode a YAML document: %v\n%s", err, doc)
		}
		if len(content) > 0 {
			objs = append(objs, &unstructured.Unstructured{Object: content})
		}
	}
}

// manifests returns objs as one YAML stream.
func manifests(t *testing.T, objs []*unstructured.Unstructured) string {
	t.Helper()
	var out bytes.Buffer
	for _, obj := range objs {
		doc, err := yaml.Marshal(obj.Object)
		if err != nil {
			t.Fatalf("encode %s %s: %v", obj.GetKind(), obj.GetName(), err)
		}
		out.WriteString("---\n")
		out.Write(doc)
	}
	return out.String()
}

// setField sets a field of obj, failing the test when it cannot.
func setField(t *testing.T, obj *unstructured.Unstructured, value any, fields ...string) {
	t.Helper()
	if err := unstructured.SetNestedField(obj.Object, value, fields...); err != nil {
		t.Fatalf("set %s of %s %s: %v", strings.Join(fields, "."), obj.GetKind(), obj.GetName(), err)
	}
}

// toAnyMap returns m with values of type any, as unstructured fields need.
func toAnyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
