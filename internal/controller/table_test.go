package controller

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A row is one case of a table test, in crossplane-runtime's form: why the
// case holds, the arguments, and the result wanted.
type row[A, W any] struct {
	reason string
	args   A
	want   W
}

// checkTable runs fn over every row of cases as a subtest named by its key,
// and fails with the reason and a -want +got diff where the result differs.
func checkTable[A, W any](t *testing.T, fn string, cases map[string]row[A, W], call func(A) W, opts ...cmp.Option) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, call(tc.args), opts...); diff != "" {
				t.Errorf("%s\n%s(...): -want, +got:\n%s", tc.reason, fn, diff)
			}
		})
	}
}
