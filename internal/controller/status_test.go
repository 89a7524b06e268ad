package controller

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
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

func TestStatusOfComparesWhatTheAPIServerWouldHold(t *testing.T) {
	at := metav1.NewTime(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	base := func() *v1alpha1.Enrollment {
		return &v1alpha1.Enrollment{Status: v1alpha1.EnrollmentStatus{AssignedUserIDs: []string{"1", "2"}, LastProgressTime: &at}}
	}
	type args struct{ a, b func() client.Object }
	cases := map[string]row[args, bool]{
		"Same": {reason: "two copies of one status are equal",
			args: args{a: func() client.Object { return base() }, b: func() client.Object { return base() }}, want: true},
		"EmptyIsNil": {reason: "an empty list and no list both leave the field out, as the API server holds them",
			args: args{a: func() client.Object { return base() }, b: func() client.Object {
				e := base()
				e.Status.CompletedUserIDs = []string{}
				return e
			}}, want: true},
		"SubSecond": {reason: "times differ only below the second the API server keeps",
			args: args{a: func() client.Object { return base() }, b: func() client.Object {
				e := base()
				t := metav1.NewTime(at.Add(300 * time.Millisecond))
				e.Status.LastProgressTime = &t
				return e
			}}, want: true},
		"ListChanged": {reason: "an entry added to a list is a change",
			args: args{a: func() client.Object { return base() }, b: func() client.Object {
				e := base()
				e.Status.AssignedUserIDs = append(e.Status.AssignedUserIDs, "3")
				return e
			}}, want: false},
		"SpecIgnored": {reason: "only the status is compared",
			args: args{a: func() client.Object { return base() }, b: func() client.Object {
				e := base()
				e.Spec.Course = &v1alpha1.TargetReference{}
				return e
			}}, want: true},
	}
	checkTable(t, "statusOf equal", cases, func(a args) bool {
		return equality.Semantic.DeepEqual(statusOf(a.a()), statusOf(a.b()))
	})
}
