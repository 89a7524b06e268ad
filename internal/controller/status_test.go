package controller

import (
	"testing"
)

func TestRebaseSet(t *testing.T) {
	type args struct{ fresh, orig, mine []string }
	cases := map[string]row[args, []string]{
		"KeepsWhatAnotherReconcileAdded": {reason: "an entry written meanwhile by another reconcile survives",
			args: args{fresh: []string{"a", "other"}, orig: []string{"a"}, mine: []string{"a", "b"}}, want: []string{"a", "b", "other"}},
		"RemovesWhatThisReconcileRemoved": {reason: "an entry this reconcile removed goes, even if fresh still has it",
			args: args{fresh: []string{"a", "b"}, orig: []string{"a", "b"}, mine: []string{"a"}}, want: []string{"a"}},
		"KeepsWhatAnotherRemoved": {reason: "an entry another reconcile removed is not brought back when this one did not touch it",
			args: args{fresh: []string{"a"}, orig: []string{"a", "b"}, mine: []string{"a", "b"}}, want: []string{"a"}},
		"EmptyIsNil": {reason: "an empty set is written as nil (omitted)",
			args: args{fresh: []string{"a"}, orig: []string{"a"}, mine: nil}, want: nil},
	}
	checkTable(t, "rebaseSet", cases, func(a args) []string { return rebaseSet(a.fresh, a.orig, a.mine) })
}

func TestTruncated(t *testing.T) {
	cases := map[string]row[[]string, string]{
		"Few":  {reason: "a short list is listed whole", args: []string{"a", "b"}, want: "a, b"},
		"Many": {reason: "a long list names the first and counts the rest", args: []string{"a", "b", "c", "d"}, want: "a, b and 2 more"},
	}
	checkTable(t, "truncated", cases, func(names []string) string { return truncated(names, 2) })
}
