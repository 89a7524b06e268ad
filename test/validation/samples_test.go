package validation

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// samplesDir holds an example of every kind for every vendor.
var samplesDir = filepath.Join(repoRoot, "config", "samples")

// TestEverySampleIsAcceptedByTheAPIServer creates every object of every file
// in config/samples, the Secrets too; the namespaced ones in a fresh
// namespace per file.
func TestEverySampleIsAcceptedByTheAPIServer(t *testing.T) {
	requireAPIServer(t)
	for _, file := range sampleFiles(t) {
		t.Run(file, func(t *testing.T) {
			objs, err := readManifests(filepath.Join(samplesDir, file))
			if err != nil {
				t.Fatalf("read %s: %v", file, err)
			}
			if len(objs) == 0 {
				t.Fatalf("%s holds no object", file)
			}
			ns := newNamespace(t)
			for _, obj := range objs {
				namespaced, err := k8s.IsObjectNamespaced(obj)
				if err != nil {
					t.Fatalf("%s %s: is it namespaced? %v", obj.GetKind(), obj.GetName(), err)
				}
				if namespaced {
					obj.SetNamespace(ns)
				}
				if err := k8s.Create(context.Background(), obj); err != nil {
					t.Errorf("the API server refused %s %s: %v", obj.GetKind(), obj.GetName(), err)
				}
			}
		})
	}
}

// TestSamplesKustomizationListsEverySample checks that `kubectl apply -k
// config/samples` applies every sample file, and only those.
func TestSamplesKustomizationListsEverySample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(samplesDir, "kustomization.yaml"))
	if err != nil {
		t.Fatalf("read the samples' kustomization: %v", err)
	}
	var kustomization struct {
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal(data, &kustomization); err != nil {
		t.Fatalf("decode the samples' kustomization: %v", err)
	}
	listed := slices.Sorted(slices.Values(kustomization.Resources))
	if diff := cmp.Diff(sampleFiles(t), listed); diff != "" {
		t.Errorf("config/samples/kustomization.yaml resources differ from the sample files (-files +listed):\n%s", diff)
	}
}

// sampleFiles returns the sorted names of the YAML files in config/samples,
// kustomization.yaml excepted.
func sampleFiles(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(samplesDir)
	if err != nil {
		t.Fatalf("list the samples: %v", err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".yaml") && e.Name() != "kustomization.yaml" {
			files = append(files, e.Name())
		}
	}
	return files
}
