package controller

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/utils/clock"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/inventory"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

func TestLearnerGroupMemberOpsFollowTheMembershipPolicy(t *testing.T) {
	type want struct {
		adds, removes, managedAfter []string
	}
	cases := map[string]struct {
		reason  string
		policy  v1alpha1.MembershipPolicy
		want    []string
		current []string
		managed []string
		out     want
	}{
		"adds missing": {reason: "declared members not in the group are added",
			want: []string{"a", "b"}, current: []string{"a"}, out: want{adds: []string{"b"}}},
		"additive keeps hand-added": {reason: "Additive removes only undeclared members it added",
			policy: v1alpha1.MembershipAdditive, want: []string{"a"}, current: []string{"a", "hand", "old"}, managed: []string{"a", "old"},
			out: want{removes: []string{"old"}, managedAfter: []string{"a", "old"}}},
		"authoritative removes hand-added": {reason: "Authoritative removes every undeclared member",
			policy: v1alpha1.MembershipAuthoritative, want: []string{"a"}, current: []string{"a", "hand"},
			out: want{removes: []string{"hand"}}},
		"managed gone by hand is forgotten": {reason: "a managed member no longer in the group and not declared needs no call",
			want: nil, current: nil, managed: []string{"gone"}, out: want{}},
		"managed gone by hand but declared is added again": {reason: "drift: a declared member removed in the LMS comes back",
			want: []string{"x"}, current: nil, managed: []string{"x"}, out: want{adds: []string{"x"}, managedAfter: []string{"x"}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			g := &v1alpha1.LearnerGroup{}
			g.Spec.MembershipPolicy = tc.policy
			run := &groupRun{g: g, runBase: runBase{conn: &pool.Connection{Users: inventory.New(clock.RealClock{})}}}
			wantUsers := map[string]lms.User{}
			for _, id := range tc.want {
				wantUsers[id] = lms.User{ID: id}
			}
			m := groupMembership{current: sets.New(tc.current...), managed: sets.New(tc.managed...), pending: sets.New[string]()}
			var got want
			for _, w := range run.memberWrites(wantUsers, m) {
				if w.remove {
					got.removes = append(got.removes, w.id)
				} else {
					got.adds = append(got.adds, w.id)
				}
			}
			got.managedAfter = sortedList(m.managed)
			if diff := cmp.Diff(tc.out, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
