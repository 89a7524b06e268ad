package validation

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// readManifests returns every non-empty YAML document of a file as an
// unstructured object.
func readManifests(path string) ([]*unstructured.Unstructured, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var objs []*unstructured.Unstructured
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, err
		}
		obj, err := decodeObject(doc)
		if err != nil {
			return nil, err
		}
		if obj != nil {
			objs = append(objs, obj)
		}
	}
}

// decodeObject decodes one YAML document; it returns nil for a document that
// holds only comments.
func decodeObject(doc []byte) (*unstructured.Unstructured, error) {
	var content map[string]any
	if err := yaml.Unmarshal(doc, &content); err != nil {
		return nil, err
	}
	if len(content) == 0 {
		return nil, nil
	}
	return &unstructured.Unstructured{Object: content}, nil
}

// mustYAML decodes a YAML map written in a test.
func mustYAML(t *testing.T, doc string) map[string]any {
	t.Helper()
	var content map[string]any
	if err := yaml.Unmarshal([]byte(doc), &content); err != nil {
		t.Fatalf("the test's YAML does not decode: %v\n%s", err, doc)
	}
	return content
}

// mergePatch applies a JSON merge patch (RFC 7386) to doc, in place: maps are
// merged key by key, a null removes the key, anything else replaces it.
func mergePatch(doc, patch map[string]any) {
	for key, value := range patch {
		if value == nil {
			delete(doc, key)
			continue
		}
		sub, isMap := value.(map[string]any)
		target, targetIsMap := doc[key].(map[string]any)
		if isMap && targetIsMap {
			mergePatch(target, sub)
			continue
		}
		doc[key] = value
	}
}
