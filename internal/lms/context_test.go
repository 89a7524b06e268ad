package lms

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPrioritiesAreOrderedHighestFirst(t *testing.T) {
	want := []string{"Write", "Batch", "Read", "Progress"}
	var got []string
	for i, p := range Priorities() {
		got = append(got, p.String())
		if i > 0 && p <= Priorities()[i-1] {
			t.Errorf("%s is not served after %s: priorities must be listed highest (lowest value) first", p, Priorities()[i-1])
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Priorities() (-want +got):\n%s", diff)
	}
	if PriorityBatch <= PriorityWrite || PriorityBatch >= PriorityRead {
		t.Errorf("PriorityBatch = %d, want between PriorityWrite (%d) and PriorityRead (%d)", PriorityBatch, PriorityWrite, PriorityRead)
	}
}

func TestPriorityOf(t *testing.T) {
	cases := map[string]struct {
		reason string
		ctx    context.Context
		want   Priority
	}{
		"none":  {reason: "a call without a priority is a single-object write", ctx: context.Background(), want: PriorityWrite},
		"batch": {reason: "the priority set is the one read", ctx: WithPriority(context.Background(), PriorityBatch), want: PriorityBatch},
		"inner": {reason: "the innermost priority wins", ctx: WithPriority(WithPriority(context.Background(), PriorityRead), PriorityProgress), want: PriorityProgress},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := PriorityOf(tc.ctx); got != tc.want {
				t.Errorf("%s: PriorityOf = %s, want %s", tc.reason, got, tc.want)
			}
		})
	}
}

func TestPriorityStringNamesUnknownValues(t *testing.T) {
	if got := Priority(9).String(); got != "Priority(9)" {
		t.Errorf("Priority(9).String() = %q, want %q", got, "Priority(9)")
	}
}

func TestCallerKey(t *testing.T) {
	cases := map[string]struct {
		reason                string
		kind, namespace, name string
		want                  string
	}{
		"namespaced": {reason: "a namespaced object is Kind/namespace/name", kind: "Learner", namespace: "ns", name: "ada", want: "Learner/ns/ada"},
		"cluster":    {reason: "a cluster-scoped object has no namespace", kind: "ClusterLMSConnection", name: "corp", want: "ClusterLMSConnection/corp"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := CallerKey(tc.kind, tc.namespace, tc.name); got != tc.want {
				t.Errorf("%s: CallerKey = %q, want %q", tc.reason, got, tc.want)
			}
			if got := CallerOf(WithCaller(context.Background(), tc.want)); got != tc.want {
				t.Errorf("CallerOf(WithCaller(%q)) = %q", tc.want, got)
			}
		})
	}
	if got := CallerOf(context.Background()); got != "" {
		t.Errorf("CallerOf a context without a caller = %q, want anonymous", got)
	}
}

func TestMemoizeReadsOncePerMemoAndKeepsNoFailure(t *testing.T) {
	reads := 0
	read := func() (int, error) { reads++; return reads, nil }
	ctx := WithMemo(context.Background())
	for range 3 {
		if v, _ := Memoize(ctx, "k", read); v != 1 {
			t.Fatalf("Memoize = %d, want the first read's 1", v)
		}
	}
	if v, _ := Memoize(context.Background(), "k", read); v != 2 {
		t.Errorf("without a memo Memoize = %d, want a new read (2)", v)
	}
	fail := func() (int, error) { reads++; return 0, errors.New("503") }
	_, _ = Memoize(ctx, "f", fail)
	if v, _ := Memoize(ctx, "f", read); v != reads {
		t.Errorf("after a failed read Memoize = %d, want a new read", v)
	}
}
