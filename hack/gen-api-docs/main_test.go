package main

import (
	"go/ast"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCommittedReferenceIsUpToDate fails when docs/api-reference.md differs
// from what the Go types of api/v1alpha1 generate.
func TestCommittedReferenceIsUpToDate(t *testing.T) {
	got, err := generate("../../api/v1alpha1")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../docs/api-reference.md")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("docs/api-reference.md is out of date: run `make api-docs` and commit it (-committed +generated):\n%s", d)
	}
}

func TestReferenceDocumentsEveryKindWithItsFields(t *testing.T) {
	got, err := generate("../../api/v1alpha1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## LMSConnection", "## ClusterLMSConnection", "## Learner", "## LearnerGroup",
		"## Enrollment", "### LearnerSpec", "| `email` | string | **yes** |", "`Deactivate`",
		"set exactly one target: spec.course, spec.learningPath or spec.channel", "| ReasonSecretNotFound | `SecretNotFound` |"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the generated reference lacks %q", want)
		}
	}
}

// TestOperationsGuideCoversEveryReason fails when a condition reason of
// api/v1alpha1/conditions.go has no troubleshooting entry (a "### `Reason`"
// heading) in docs/operations.md.
func TestOperationsGuideCoversEveryReason(t *testing.T) {
	pkg, err := load("../../api/v1alpha1")
	if err != nil {
		t.Fatal(err)
	}
	guide, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range pkg.Consts {
		for _, spec := range c.Decl.Specs {
			vs := spec.(*ast.ValueSpec)
			if !strings.HasPrefix(vs.Names[0].Name, "Reason") {
				continue
			}
			n++
			if heading := "### `" + constValue(vs) + "`"; !strings.Contains(string(guide), heading) {
				t.Errorf("docs/operations.md has no troubleshooting entry %q for %s", heading, vs.Names[0].Name)
			}
		}
	}
	if n == 0 {
		t.Fatal("found no Reason constants in api/v1alpha1: the test reads the wrong package")
	}
}
