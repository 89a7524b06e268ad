package chart

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// parseManifests returns every non-empty YAML document of a stream as an
// unstructured object.
func parseManifests(t *testing.T, stream string) []*unstructured.Unstructured {
	t.Helper()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader([]byte(stream))))
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

// findObject returns the one object of kind whose name is name; it fails the
// test when there is none.
func findObject(t *testing.T, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s named %s among the %d objects", kind, name, len(objs))
	return nil
}

// kinds counts the objects by kind.
func kinds(objs []*unstructured.Unstructured) map[string]int {
	out := map[string]int{}
	for _, o := range objs {
		out[o.GetKind()]++
	}
	return out
}

// convert turns an unstructured object into a typed one.
func convert(t *testing.T, obj *unstructured.Unstructured, into any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, into); err != nil {
		t.Fatalf("convert %s %s: %v", obj.GetKind(), obj.GetName(), err)
	}
}

// rulesOf returns the rules of a ClusterRole object.
func rulesOf(t *testing.T, obj *unstructured.Unstructured) []rbacv1.PolicyRule {
	t.Helper()
	var role rbacv1.ClusterRole
	convert(t, obj, &role)
	return role.Rules
}

// countItems returns the number of items of a list.
func countItems(t *testing.T, list client.ObjectList) int {
	t.Helper()
	items, err := meta.ExtractList(list)
	if err != nil {
		t.Fatalf("read the items of a list: %v", err)
	}
	return len(items)
}

// readFile returns a file's content.
func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// diffRules compares two rule lists; empty when they are equal.
func diffRules(got, want []rbacv1.PolicyRule) string {
	return cmp.Diff(want, got, cmpopts.EquateEmpty())
}
