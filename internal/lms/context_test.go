package lms

import (
	"context"
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
