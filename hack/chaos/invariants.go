package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// A check is one invariant on one vendor: of the objects it covers, those
// that break it, one line each.
type check struct {
	vendor string
	name   string
	of     int
	bad    []string
	// figure, if set, is printed instead of the count of objects.
	figure string
}

// ok reports whether nothing breaks the invariant.
func (c check) ok() bool { return len(c.bad) == 0 }

// fail records a violation.
func (c *check) fail(format string, args ...any) {
	c.bad = append(c.bad, fmt.Sprintf(format, args...))
}

// The invariants' names, as printed.
const (
	nameOneUser        = "vendor users per Learner: exactly one"
	nameUserFields     = "Learners' users as declared (names, active)"
	nameDeletedUsers   = "deleted Learners: nothing beyond the policy"
	nameGroups         = "LearnerGroups: one LMS group with the declared members"
	nameDeletedGroups  = "deleted LearnerGroups: nothing beyond the policy"
	nameAssignments    = "Enrollments: the declared assignments"
	nameDeletedAssigns = "deleted Enrollments (Unassign): no assignment left"
	nameReady          = "objects Ready at their generation"
	nameGone           = "deleted objects gone from the API server"
	namePauses         = "calls sent during a 429 pause"
)

// lmsChecks are the invariants on what the vendor holds; atDelete counts,
// by apiKey, the LMS objects of each deleted Learner and LearnerGroup when
// the campaign deleted it.
func lmsChecks(m *model, k vendorKit, v lmsView, atDelete map[string]int) []check {
	checks := []check{checkUsers(m, v), checkUserFields(m, v), checkDeletedLearners(m, v, atDelete)}
	if m.canGroup {
		checks = append(checks, checkGroups(m, k, v), checkDeletedGroups(m, k, v, atDelete))
	}
	if m.canEnroll {
		checks = append(checks, checkAssignments(m, k, v), checkDeletedEnrollments(m, v))
	}
	for i := range checks {
		checks[i].vendor = m.vendor
	}
	return checks
}

// checkUsers: every live Learner has exactly one user of its email.
func checkUsers(m *model, v lmsView) check {
	c := check{name: nameOneUser}
	for _, l := range m.liveLearners() {
		c.of++
		if n := len(v.users[strings.ToLower(l.email)]); n != 1 {
			c.fail("Learner %s (%s, policy %s): %d users", l.name, strings.ToLower(l.email), l.policy, n)
		}
	}
	return c
}

// checkUserFields: the user of every live Learner has its names and active flag.
func checkUserFields(m *model, v lmsView) check {
	c := check{name: nameUserFields}
	for _, l := range m.liveLearners() {
		users := v.users[strings.ToLower(l.email)]
		if len(users) != 1 {
			continue
		}
		c.of++
		want := lmsUser{first: l.firstName, last: l.lastName, active: l.active}
		if users[0] != want {
			c.fail("Learner %s: the LMS holds %s, want %s", l.name, describeUser(users[0]), describeUser(want))
		}
	}
	return c
}

// describeUser prints a user's names and active flag.
func describeUser(u lmsUser) string {
	state := "active"
	if !u.active {
		state = "inactive"
	}
	return fmt.Sprintf("%s %s (%s)", u.first, u.last, state)
}

// checkDeletedLearners: a deleted Learner with Delete leaves no user,
// Deactivate at most one, inactive, Orphan at most one; with Deactivate and
// Orphan the user must be left when it existed as the Learner was deleted
// (atDelete counts the users then). The fields of an Orphan user are not
// checked: a change the operator had not written before the deletion is
// legitimately lost.
func checkDeletedLearners(m *model, v lmsView, atDelete map[string]int) check {
	c := check{name: nameDeletedUsers}
	for _, l := range m.learners {
		if !l.deleted {
			continue
		}
		c.of++
		users := v.users[strings.ToLower(l.email)]
		existed := atDelete[apiKey("Learner", l.name)] > 0
		switch {
		case len(users) > 1:
			c.fail("Learner %s (%s): %d users", l.name, l.policy, len(users))
		case l.policy == string(v1alpha1.LearnerDelete) && len(users) != 0:
			c.fail("Learner %s (Delete): the user is left", l.name)
		case len(users) == 0 && existed && l.policy != string(v1alpha1.LearnerDelete):
			c.fail("Learner %s (%s): the user existed when the Learner was deleted and is gone", l.name, l.policy)
		case len(users) == 1 && l.policy == string(v1alpha1.LearnerDeactivate) && users[0].active:
			c.fail("Learner %s (Deactivate): the user is still active", l.name)
		}
	}
	return c
}

// memberEmails returns the lower-case emails of the named Learners.
func memberEmails(m *model, names []string) map[string]bool {
	out := map[string]bool{}
	for _, n := range names {
		if l := m.learner(n); l != nil {
			out[strings.ToLower(l.email)] = true
		}
	}
	return out
}

// checkGroups: every live LearnerGroup has one LMS group, with exactly its
// members.
func checkGroups(m *model, k vendorKit, v lmsView) check {
	c := check{name: nameGroups}
	for _, g := range m.liveGroups() {
		c.of++
		groups := v.groups[k.groupKey(m.ns, g)]
		if len(groups) != 1 {
			c.fail("LearnerGroup %s (%q): %d LMS groups, want one", g.name, k.groupKey(m.ns, g), len(groups))
			continue
		}
		if want := memberEmails(m, g.members); !sameSet(groups[0].members, want) {
			c.fail("LearnerGroup %s: the LMS group has members %v, want %v", g.name, sorted(groups[0].members), sorted(want))
		}
	}
	return c
}

// checkDeletedGroups: a deleted LearnerGroup with Delete leaves no group,
// one with Orphan at most one, which must be left when it existed as the
// LearnerGroup was deleted (atDelete counts the groups then).
func checkDeletedGroups(m *model, k vendorKit, v lmsView, atDelete map[string]int) check {
	c := check{name: nameDeletedGroups}
	for _, g := range m.groups {
		if !g.deleted {
			continue
		}
		c.of++
		n := len(v.groups[k.groupKey(m.ns, g)])
		existed := atDelete[apiKey("LearnerGroup", g.name)] > 0
		switch {
		case n > 1:
			c.fail("LearnerGroup %s (%s): %d LMS groups", g.name, g.policy, n)
		case g.policy == string(v1alpha1.GroupDelete) && n != 0:
			c.fail("LearnerGroup %s (Delete): the LMS group is left", g.name)
		case g.policy == string(v1alpha1.GroupOrphan) && n == 0 && existed:
			c.fail("LearnerGroup %s (Orphan): the LMS group existed when the LearnerGroup was deleted and is gone", g.name)
		}
	}
	return c
}

// checkAssignments: the target of every live Enrollment (its own, no other
// Enrollment uses it) has exactly its LearnerGroups' vendor groups assigned,
// no user assigned directly but its Learners, and each of its Learners
// assigned directly or through an assigned group (a vendor may list a
// group's members among a target's users, and the operator then need not
// assign them one by one).
func checkAssignments(m *model, k vendorKit, v lmsView) check {
	c := check{name: nameAssignments}
	for _, e := range m.liveEnrollments() {
		c.of++
		got := v.assignments[targetKey(e.target.kind, e.target.id)]
		where := fmt.Sprintf("Enrollment %s (%s %s)", e.name, e.target.kind, e.target.id)
		wantGroups := map[string]bool{}
		for _, name := range e.groups {
			if gs := v.groups[k.groupKey(m.ns, m.group(name))]; len(gs) == 1 {
				wantGroups[gs[0].id] = true
			} else {
				wantGroups["<no single LMS group for "+name+">"] = true
			}
		}
		if !sameSet(got.groups, wantGroups) {
			c.fail("%s: groups %v assigned, want %v", where, sorted(got.groups), sorted(wantGroups))
		}
		wantUsers := memberEmails(m, e.learners)
		if extra := minus(got.users, wantUsers); len(extra) > 0 {
			c.fail("%s: users %v assigned directly, not declared (declared: %v)", where, sorted(extra), sorted(wantUsers))
		}
		if missing := minus(minus(wantUsers, got.users), groupMembers(v, got.groups)); len(missing) > 0 {
			c.fail("%s: users %v declared and not assigned, directly or through an assigned group", where, sorted(missing))
		}
	}
	return c
}

// groupMembers returns the members of the groups with the given ids.
func groupMembers(v lmsView, ids map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, gs := range v.groups {
		for _, g := range gs {
			if ids[g.id] {
				maps.Copy(out, g.members)
			}
		}
	}
	return out
}

// minus returns the keys of a that are not in b.
func minus(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		if !b[k] {
			out[k] = true
		}
	}
	return out
}

// checkDeletedEnrollments: the target of a deleted Enrollment with Unassign
// has nothing assigned. What an Orphan Enrollment leaves is not checked: it
// is whatever the operator had written when the deletion came.
func checkDeletedEnrollments(m *model, v lmsView) check {
	c := check{name: nameDeletedAssigns}
	for _, e := range m.enrollments {
		if !e.deleted || e.policy != string(v1alpha1.EnrollmentUnassign) {
			continue
		}
		c.of++
		got := v.assignments[targetKey(e.target.kind, e.target.id)]
		if len(got.users)+len(got.groups) > 0 {
			c.fail("Enrollment %s (%s %s): users %v and groups %v still assigned", e.name, e.target.kind, e.target.id,
				sorted(got.users), sorted(got.groups))
		}
	}
	return c
}

// sameSet reports whether a and b hold the same keys (nil is empty).
func sameSet(a, b map[string]bool) bool {
	return len(a) == len(b) && !slices.ContainsFunc(slices.Collect(maps.Keys(a)), func(k string) bool { return !b[k] })
}

// sorted returns the keys of set, sorted.
func sorted(set map[string]bool) []string {
	return slices.Sorted(maps.Keys(set))
}
