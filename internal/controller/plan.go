package controller

import (
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/utils/clock"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/inventory"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// The exports of this file are thin wrappers for `kubectl lms plan`
// (internal/kubectllms): the plan must be the controllers' own diff, not a
// copy that drifts from it.

// The vendor calls of the Learner's operations, as the controller takes them
// from the connection's budget.
const (
	// LearnerLookupCalls confirms a user's absence the inventory cannot vouch for.
	LearnerLookupCalls = lookupCalls
	// LearnerCreateCalls is a create.
	LearnerCreateCalls = createCalls
	// LearnerInactiveCalls deactivates a user created inactive.
	LearnerInactiveCalls = inactiveCalls
	// LearnerUpdateCalls is an update and the activation change after it.
	LearnerUpdateCalls = updateCalls
	// LearnerDeletionCalls is a deletion policy's one call (delete or deactivate).
	LearnerDeletionCalls = 1
	// GroupWriteCalls is a group's create or update.
	GroupWriteCalls = groupWriteCalls
	// MemberWriteCalls is one member added or removed.
	MemberWriteCalls = 1
)

// DesiredUser is the LMS user a Learner's spec asks for (desiredUser).
func DesiredUser(l *v1alpha1.Learner, caps lms.Capabilities) lms.User {
	return desiredUser(l, caps)
}

// UserDiff names the spec fields in which actual differs from desired (userDiff).
func UserDiff(desired, actual lms.User, caps lms.Capabilities) []string {
	return userDiff(desired, actual, caps)
}

// UnobservedWrites names the fields a spec change writes although the
// vendor's answer did not carry them (unobservedWrites).
func UnobservedWrites(desired, actual lms.User, caps lms.Capabilities) []string {
	return unobservedWrites(desired, actual, caps)
}

// SettingsOf resolves a connection's spec into pool settings with the
// manager's defaults (settingsOf).
func SettingsOf(s *v1alpha1.ConnectionSettings) pool.Settings {
	return settingsOf(s)
}

// DeletionThreshold is the number of deletions an hour a connection's
// deletion guard lets through for its count of Learners (thresholdOf).
func DeletionThreshold(p *v1alpha1.DeletionProtection, learners int) int {
	return thresholdOf(p, learners)
}

// Deactivates reports whether writing want over have deactivates the user,
// which the deletion guard counts (deactivates).
func Deactivates(want, have lms.User) bool {
	return deactivates(want, have)
}

// planGroupRun is a groupRun of g that only computes: it has no client,
// and an empty inventory.
func planGroupRun(g *v1alpha1.LearnerGroup, caps lms.Capabilities) *groupRun {
	run := &groupRun{g: g}
	run.caps = caps
	run.conn = &pool.Connection{Users: inventory.New(clock.RealClock{})}
	return run
}

// DesiredGroup is the LMS group g's spec asks for, with the parent's group
// identifier parentID (desiredGroup).
func DesiredGroup(g *v1alpha1.LearnerGroup, caps lms.Capabilities, parentID string) lms.Group {
	return planGroupRun(g, caps).desiredGroup(parentID)
}

// GroupID is the identifier g's group has or will have: status.externalID,
// or namespace.name where the caller chooses it (Enabley); "" on eLeaP
// before the group is known (groupID).
func GroupID(g *v1alpha1.LearnerGroup, caps lms.Capabilities) string {
	return planGroupRun(g, caps).groupID()
}

// GroupDiff names the spec fields in which actual differs from desired (groupDiff).
func GroupDiff(desired, actual lms.Group, caps lms.Capabilities) []string {
	return groupDiff(desired, actual, caps)
}

// MemberChanges are the member writes the LearnerGroup controller sends for
// g (memberWrites): the user IDs of want that current lacks, and those it
// removes under g's membership policy, from current (Authoritative) or from
// the members it added (status.managedMembers and pendingAdds, Additive).
func MemberChanges(g *v1alpha1.LearnerGroup, caps lms.Capabilities, want, current []string) (add, remove []string) {
	users := map[string]lms.User{}
	for _, id := range want {
		users[id] = lms.User{ID: id}
	}
	m := groupMembership{current: sets.New(current...),
		managed: sets.New(g.Status.ManagedMembers...), pending: sets.New(g.Status.PendingAdds...)}
	settle(m.managed, m.pending, m.current)
	for _, w := range planGroupRun(g, caps).memberWrites(users, m) {
		if w.remove {
			remove = append(remove, w.id)
		} else {
			add = append(add, w.id)
		}
	}
	return add, remove
}

// TargetSpec is the kind of the target e names and its reference (targetSpec).
func TargetSpec(e *v1alpha1.Enrollment) (lms.TargetKind, v1alpha1.TargetReference) {
	return targetSpec(e)
}

// Assignments are the assignment writes of one Enrollment.
type Assignments struct {
	// Assign and Unassign are user IDs; AssignGroups and UnassignGroups group IDs.
	Assign, Unassign, AssignGroups, UnassignGroups []string
	// Pending names the subjects not Ready yet, assigned once they are.
	Pending []string
}

// AssignmentChanges are the writes the Enrollment controller sends for e on
// target t (userWrites, groupWrites), from the subjects it resolves
// (learners of its connection and groups of its namespace, by name, with
// the user and group IDs in status.externalID) and what the target lists as
// assigned (listedGroups nil where the vendor cannot list groups).
func AssignmentChanges(e *v1alpha1.Enrollment, conn *pool.Connection, caps lms.Capabilities,
	learners map[string]*v1alpha1.Learner, groups map[string]*v1alpha1.LearnerGroup, listedUsers, listedGroups []string) Assignments {
	run := &enrollmentRun{e: e}
	run.caps, run.conn = caps, conn
	s := planSubjects(run, learners, groups)
	a := Assignments{Pending: s.pending}
	owned, pending := sets.New(e.Status.AssignedUserIDs...), sets.New(e.Status.PendingUserIDs...)
	listed := sets.New(listedUsers...)
	if enrollmentRole(e) != lms.RoleLearner {
		listed = listed.Union(owned)
	}
	settle(owned, pending, listed)
	for _, w := range run.userWrites(lms.Target{}, desiredUsers(s.direct), listed, owned.Union(pending)) {
		appendWrite(w, &a.Assign, &a.Unassign)
	}
	gOwned, gPending := sets.New(e.Status.AssignedGroups...), sets.New(e.Status.PendingGroups...)
	gListed := gOwned.Clone()
	if listedGroups != nil {
		gListed = sets.New(listedGroups...)
	}
	settle(gOwned, gPending, gListed)
	desired := sets.New(slices.Collect(maps.Values(s.groups))...)
	for _, w := range run.groupWrites(lms.Target{}, desired, gListed, gOwned.Union(gPending)) {
		appendWrite(w, &a.AssignGroups, &a.UnassignGroups)
	}
	return a
}

// planSubjects resolves e's subjects among learners and groups as
// resolveSubjects does, without reading the cluster.
func planSubjects(run *enrollmentRun, learners map[string]*v1alpha1.Learner, groups map[string]*v1alpha1.LearnerGroup) *enrollmentSubjects {
	s := newEnrollmentSubjects()
	for _, ref := range run.e.Spec.Subjects.LearnerRefs {
		if l, ok := learners[ref.Name]; ok {
			s.addDirect(l)
		} else {
			s.pending = append(s.pending, "Learner "+ref.Name+" (not found)")
		}
	}
	selected, _ := selectLearners(run.e.Spec.Subjects.LearnerSelector, learners, "spec.subjects.learnerSelector")
	for _, l := range selected {
		s.addDirect(l)
	}
	for _, ref := range run.e.Spec.Subjects.GroupRefs {
		if g, ok := groups[ref.Name]; ok {
			_ = run.addGroup(s, g, learners)
		} else {
			s.pending = append(s.pending, "LearnerGroup "+ref.Name+" (not found)")
		}
	}
	return s
}

// appendWrite sorts a write into adds or removes by its id.
func appendWrite(w write, add, remove *[]string) {
	if w.remove {
		*remove = append(*remove, w.id)
	} else {
		*add = append(*add, w.id)
	}
}
