package kubectllms

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// Manifests are the operator's objects of a set of manifest files; objects
// of other kinds (Namespaces, Secrets, ...) are passed over.
type Manifests struct {
	Learners           []v1alpha1.Learner
	LearnerGroups      []v1alpha1.LearnerGroup
	Enrollments        []v1alpha1.Enrollment
	Connections        []v1alpha1.LMSConnection
	ClusterConnections []v1alpha1.ClusterLMSConnection
	// Skipped counts the documents of other kinds.
	Skipped int
}

// ReadManifests reads a file, or every .yaml, .yml and .json file under a
// directory, giving objects without a namespace the namespace ns.
func ReadManifests(path, ns string) (*Manifests, error) {
	files, err := manifestFiles(path)
	if err != nil {
		return nil, err
	}
	m := &Manifests{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if err := m.add(data, ns); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	return m, nil
}

// manifestFiles lists path itself, or the manifest files under it, in order.
func manifestFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && isManifest(p) {
			out = append(out, p)
		}
		return err
	})
	return out, err
}

func isManifest(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return ext == ".yaml" || ext == ".yml" || ext == ".json"
}

// add decodes every document of data.
func (m *Manifests) add(data []byte, ns string) error {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var raw map[string]any
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if len(raw) == 0 {
			continue
		}
		doc, err := yaml.Marshal(raw)
		if err != nil {
			return err
		}
		if err := m.addDocument(doc, ns); err != nil {
			return err
		}
	}
}

// addDocument decodes one document into its kind's list.
func (m *Manifests) addDocument(doc []byte, ns string) error {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return err
	}
	if tm.APIVersion != v1alpha1.GroupVersion.String() {
		m.Skipped++
		return nil
	}
	switch tm.Kind {
	case "Learner":
		return decodeInto(doc, ns, &m.Learners)
	case "LearnerGroup":
		return decodeInto(doc, ns, &m.LearnerGroups)
	case "Enrollment":
		return decodeInto(doc, ns, &m.Enrollments)
	case v1alpha1.LMSConnectionKind:
		return decodeInto(doc, ns, &m.Connections)
	case v1alpha1.ClusterLMSConnectionKind:
		return decodeInto(doc, "", &m.ClusterConnections)
	}
	m.Skipped++
	return nil
}

// namespaced is a pointer to an object whose namespace can be defaulted.
type namespaced[T any] interface {
	*T
	GetNamespace() string
	SetNamespace(string)
}

// decodeInto decodes doc strictly (an unknown field is an error, as the API
// server's field validation would make it) and appends it to list.
func decodeInto[T any, P namespaced[T]](doc []byte, ns string, list *[]T) error {
	var obj T
	if err := yaml.UnmarshalStrict(doc, &obj); err != nil {
		return err
	}
	if P(&obj).GetNamespace() == "" && ns != "" {
		P(&obj).SetNamespace(ns)
	}
	*list = append(*list, obj)
	return nil
}
