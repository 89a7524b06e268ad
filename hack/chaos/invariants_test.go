package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// email is the lower-case email of the n-th eLeaP Learner.
func email(n int) string {
	return strings.ToLower(newLearnerState(lmssim.ELeaP, n, "").email)
}

// learnerModel returns an eLeaP model with the given Learners.
func learnerModel(ls ...*learnerState) *model {
	return &model{vendor: lmssim.ELeaP, ns: "chaos-eleap", learners: ls}
}

// learnerAs returns the n-th Learner with policy, deleted or not.
func learnerAs(n int, policy string, deleted bool) *learnerState {
	l := newLearnerState(lmssim.ELeaP, n, policy)
	l.deleted = deleted
	return l
}

// usersView returns a view holding the given users by email.
func usersView(users map[string][]lmsUser) lmsView {
	v := newView()
	for k, u := range users {
		v.users[k] = u
	}
	return v
}

// declaredUser is the user a fresh Learner n declares.
func declaredUser(n int) lmsUser {
	l := newLearnerState(lmssim.ELeaP, n, "")
	return lmsUser{first: l.firstName, last: l.lastName, active: true}
}

func TestCheckUsers(t *testing.T) {
	cases := map[string]struct {
		reason  string
		view    lmsView
		wantBad int
	}{
		"one user":   {reason: "exactly one user is right", view: usersView(map[string][]lmsUser{email(0): {declaredUser(0)}})},
		"no user":    {reason: "a live Learner needs its user", view: newView(), wantBad: 1},
		"duplicated": {reason: "two users of one email is a duplicate create", view: usersView(map[string][]lmsUser{email(0): {{}, {}}}), wantBad: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := checkUsers(learnerModel(learnerAs(0, "Delete", false)), tc.view)
			if len(c.bad) != tc.wantBad || c.of != 1 {
				t.Errorf("%s: %d of %d bad (%v), want %d of 1", tc.reason, len(c.bad), c.of, c.bad, tc.wantBad)
			}
		})
	}
}

func TestCheckUserFieldsComparesNamesAndActive(t *testing.T) {
	stale := declaredUser(0)
	stale.active = false
	c := checkUserFields(learnerModel(learnerAs(0, "Delete", false)), usersView(map[string][]lmsUser{email(0): {stale}}))
	if len(c.bad) != 1 || !strings.Contains(c.bad[0], "inactive") {
		t.Errorf("bad %v, want one line saying the user is inactive", c.bad)
	}
}

func TestCheckDeletedLearners(t *testing.T) {
	active, inactive := lmsUser{active: true}, lmsUser{}
	cases := map[string]struct {
		reason   string
		policy   string
		users    []lmsUser
		existed  bool
		wantFail string
	}{
		"delete leaves none":             {reason: "Delete removes the user", policy: "Delete"},
		"delete left the user":           {reason: "Delete must not leave it", policy: "Delete", users: []lmsUser{inactive}, existed: true, wantFail: "the user is left"},
		"deactivate leaves it inactive":  {reason: "Deactivate keeps an inactive user", policy: "Deactivate", users: []lmsUser{inactive}, existed: true},
		"deactivate left it active":      {reason: "Deactivate must deactivate", policy: "Deactivate", users: []lmsUser{active}, existed: true, wantFail: "still active"},
		"deactivate removed it":          {reason: "Deactivate must not delete", policy: "Deactivate", existed: true, wantFail: "is gone"},
		"deactivate before any create":   {reason: "a Learner deleted before its user was made leaves none", policy: "Deactivate"},
		"orphan keeps it as it was":      {reason: "Orphan leaves the user, active or not", policy: "Orphan", users: []lmsUser{active}, existed: true},
		"orphan removed it":              {reason: "Orphan must not delete", policy: "Orphan", existed: true, wantFail: "is gone"},
		"orphan with a duplicate create": {reason: "two users is a duplicate", policy: "Orphan", users: []lmsUser{active, active}, existed: true, wantFail: "2 users"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v := usersView(map[string][]lmsUser{email(0): tc.users})
			atDelete := map[string]int{}
			if tc.existed {
				atDelete[apiKey("Learner", "l-0")] = 1
			}
			c := checkDeletedLearners(learnerModel(learnerAs(0, tc.policy, true)), v, atDelete)
			switch {
			case tc.wantFail == "" && !c.ok():
				t.Errorf("%s: failed with %v", tc.reason, c.bad)
			case tc.wantFail != "" && (len(c.bad) != 1 || !strings.Contains(c.bad[0], tc.wantFail)):
				t.Errorf("%s: bad %v, want one line with %q", tc.reason, c.bad, tc.wantFail)
			}
		})
	}
}

// groupModel returns an eLeaP model with Learners l-0 and l-1 and the group.
func groupModel(g *groupState) *model {
	m := learnerModel(learnerAs(0, "Delete", false), learnerAs(1, "Delete", false))
	m.canGroup, m.groups = true, []*groupState{g}
	return m
}

func TestCheckGroupsAndDeletedGroups(t *testing.T) {
	k := kits[lmssim.ELeaP]
	group := func(members ...string) map[string][]lmsGroup {
		set := map[string]bool{}
		for _, m := range members {
			set[m] = true
		}
		return map[string][]lmsGroup{"Chaos Group 0": {{id: "301", members: set}}}
	}
	cases := map[string]struct {
		reason   string
		state    groupState
		groups   map[string][]lmsGroup
		existed  bool
		wantName string
		wantBad  int
	}{
		"members as declared": {reason: "the group holds exactly its members", wantName: nameGroups,
			state: groupState{name: "g-0", displayName: "Chaos Group 0", members: []string{"l-0"}}, groups: group(email(0))},
		"extra member": {reason: "a member dropped from the spec must be removed", wantName: nameGroups, wantBad: 1,
			state: groupState{name: "g-0", displayName: "Chaos Group 0", members: []string{"l-0"}}, groups: group(email(0), email(1))},
		"group missing": {reason: "a live LearnerGroup needs its group", wantName: nameGroups, wantBad: 1,
			state: groupState{name: "g-0", displayName: "Chaos Group 0"}},
		"deleted with Delete, left": {reason: "Delete removes the group", wantName: nameDeletedGroups, wantBad: 1,
			state: groupState{name: "g-0", displayName: "Chaos Group 0", policy: "Delete", deleted: true}, groups: group(), existed: true},
		"deleted with Orphan, gone": {reason: "Orphan keeps the group", wantName: nameDeletedGroups, wantBad: 1,
			state: groupState{name: "g-0", displayName: "Chaos Group 0", policy: "Orphan", deleted: true}, existed: true},
		"deleted with Orphan before any create": {reason: "no group was ever made", wantName: nameDeletedGroups,
			state: groupState{name: "g-0", displayName: "Chaos Group 0", policy: "Orphan", deleted: true}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v := newView()
			for key, gs := range tc.groups {
				v.groups[key] = gs
			}
			atDelete := map[string]int{}
			if tc.existed {
				atDelete[apiKey("LearnerGroup", "g-0")] = 1
			}
			for _, c := range lmsChecks(groupModel(&tc.state), k, v, atDelete) {
				if c.name == tc.wantName && len(c.bad) != tc.wantBad {
					t.Errorf("%s: %q has %d bad (%v), want %d", tc.reason, c.name, len(c.bad), c.bad, tc.wantBad)
				}
			}
		})
	}
}

func TestCheckAssignmentsAndDeletedEnrollments(t *testing.T) {
	k := kits[lmssim.ELeaP]
	tgt := target{kind: "course", id: "5000"}
	m := groupModel(&groupState{name: "g-0", displayName: "Chaos Group 0"})
	m.canEnroll = true
	v := newView()
	v.groups["Chaos Group 0"] = []lmsGroup{{id: "301"}}
	v.assign(targetKey("course", "5000"), email(0), "")
	v.assign(targetKey("course", "5000"), "", "301")
	v.assign(targetKey("course", "5001"), email(1), "")

	m.enrollments = []*enrollmentState{
		{name: "e-0", target: tgt, learners: []string{"l-0"}, groups: []string{"g-0"}},
		{name: "e-1", target: target{kind: "course", id: "5001"}, learners: []string{"l-1"}, policy: "Unassign", deleted: true},
		{name: "e-2", target: target{kind: "course", id: "5002"}, learners: []string{"l-1"}, policy: "Orphan", deleted: true},
	}
	got := map[string]int{}
	for _, c := range lmsChecks(m, k, v, nil) {
		got[c.name] = len(c.bad)
	}
	want := map[string]int{nameAssignments: 0, nameDeletedAssigns: 1}
	if diff := cmp.Diff(want[nameAssignments], got[nameAssignments]); diff != "" {
		t.Errorf("e-0 has exactly its learner and group assigned: bad count (-want +got):\n%s", diff)
	}
	if got[nameDeletedAssigns] != want[nameDeletedAssigns] {
		t.Errorf("deleted Unassign e-1 left l-1 assigned: %d bad, want 1 (Orphan e-2 is not checked)", got[nameDeletedAssigns])
	}
}

func TestCheckAssignmentsAcceptsALearnerReachedThroughAnAssignedGroup(t *testing.T) {
	k := kits[lmssim.ELeaP]
	cases := map[string]struct {
		reason    string
		learners  []string
		direct    []string
		members   []string
		wantBad   int
		wantLines string
	}{
		"direct":              {reason: "a Learner assigned directly", learners: []string{"l-0"}, direct: []string{email(0)}},
		"through the group":   {reason: "a Learner who is a member of an assigned group", learners: []string{"l-0"}, members: []string{email(0)}},
		"not assigned at all": {reason: "a declared Learner must be assigned", learners: []string{"l-0"}, wantBad: 1, wantLines: "not assigned"},
		"assigned, not declared": {reason: "a direct assignment the spec dropped must go", direct: []string{email(0), email(1)},
			learners: []string{"l-0"}, wantBad: 1, wantLines: "not declared"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := groupModel(&groupState{name: "g-0", displayName: "Chaos Group 0"})
			m.canEnroll = true
			m.enrollments = []*enrollmentState{{name: "e-0", target: target{kind: "course", id: "5000"}, learners: tc.learners, groups: []string{"g-0"}}}
			v := newView()
			members := map[string]bool{}
			for _, e := range tc.members {
				members[e] = true
			}
			v.groups["Chaos Group 0"] = []lmsGroup{{id: "301", members: members}}
			v.assign(targetKey("course", "5000"), "", "301")
			for _, e := range tc.direct {
				v.assign(targetKey("course", "5000"), e, "")
			}
			c := checkAssignments(m, k, v)
			if len(c.bad) != tc.wantBad || (tc.wantBad > 0 && !strings.Contains(c.bad[0], tc.wantLines)) {
				t.Errorf("%s: bad %v, want %d line(s) with %q", tc.reason, c.bad, tc.wantBad, tc.wantLines)
			}
		})
	}
}

func TestAPIChecksWantLiveObjectsReadyAtTheirGenerationAndDeletedOnesGone(t *testing.T) {
	ready := &metav1.Condition{Type: "Ready", Status: metav1.ConditionTrue, Reason: "Synced"}
	notReady := &metav1.Condition{Type: "Ready", Status: metav1.ConditionFalse, Reason: "VendorUnavailable"}
	m := learnerModel(learnerAs(0, "Delete", false), learnerAs(1, "Delete", false), learnerAs(2, "Delete", false),
		learnerAs(3, "Orphan", true))
	view := apiView{
		apiKey("LMSConnection", connName): {generation: 1, observed: 1, ready: ready},
		apiKey("Learner", "l-0"):          {generation: 2, observed: 2, ready: ready},
		apiKey("Learner", "l-1"):          {generation: 3, observed: 2, ready: ready},
		apiKey("Learner", "l-2"):          {generation: 1, observed: 1, ready: notReady},
		apiKey("Learner", "l-3"):          {generation: 1, deleting: true, finalizers: []string{"training.lmsoperator.dev/finalizer"}},
	}
	checks := apiChecks(m, view)
	if n := len(checks[0].bad); n != 2 || checks[0].of != 4 {
		t.Errorf("Ready: %d of %d bad (%v), want 2 of 4: l-1 is behind its generation, l-2 is not Ready", n, checks[0].of, checks[0].bad)
	}
	if n := len(checks[1].bad); n != 1 || !strings.Contains(checks[1].bad[0], "finalizers") {
		t.Errorf("gone: bad %v, want l-3 still present with its finalizers", checks[1].bad)
	}
}

func TestSameSet(t *testing.T) {
	cases := map[string]struct {
		a, b map[string]bool
		want bool
	}{
		"both empty": {a: nil, b: map[string]bool{}, want: true},
		"equal":      {a: map[string]bool{"x": true}, b: map[string]bool{"x": true}, want: true},
		"missing":    {a: map[string]bool{"x": true}, b: map[string]bool{"y": true}, want: false},
		"extra":      {a: map[string]bool{"x": true, "y": true}, b: map[string]bool{"x": true}, want: false},
	}
	for name, tc := range cases {
		if got := sameSet(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: sameSet(%v, %v) = %v, want %v", name, tc.a, tc.b, got, tc.want)
		}
	}
}
