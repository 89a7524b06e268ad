package controller

import (
	"context"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// driftShown is how many user ids an event about repaired assignments names.
const driftShown = 10

// assignState is what the LMS holds of the target's assignments once the
// Enrollment's writes are done.
type assignState struct {
	// users are the IDs of the users assigned directly, by anyone.
	users sets.Set[string]
	// groups are the IDs of the groups assigned, by anyone.
	groups sets.Set[string]
}

func newAssignState() *assignState {
	return &assignState{users: sets.New[string](), groups: sets.New[string]()}
}

// The nouns of assignment writes in events.
const (
	nounLearner = "learner"
	nounGroup   = "group"
)

// usersView and groupsView are the keys of t's assignments in the
// connection's views.
func usersView(t lms.Target) string  { return "assigned-users:" + string(t.Kind) + "/" + t.ID }
func groupsView(t lms.Target) string { return "assigned-groups:" + string(t.Kind) + "/" + t.ID }

// assign makes the target's direct and group assignments match the
// subjects, touching only assignments this Enrollment made.
func (run *enrollmentRun) assign(ctx context.Context, t lms.Target, s *enrollmentSubjects) (*assignState, *outcome) {
	st := newAssignState()
	if o := run.assignUsers(ctx, t, s, st); o != nil {
		return st, o
	}
	if o := run.assignGroups(ctx, t, s, st); o != nil {
		return st, o
	}
	return st, nil
}

// assignUsers assigns the desired users missing from the target's direct
// assignments (which also repairs assignments removed by hand) and
// unassigns the users this Enrollment assigned that are no longer desired.
func (run *enrollmentRun) assignUsers(ctx context.Context, t lms.Target, s *enrollmentSubjects, st *assignState) *outcome {
	desired := desiredUsers(s.direct)
	return run.reconcileAssignments(ctx, t, assignments{
		owned: &run.e.Status.AssignedUserIDs, pending: &run.e.Status.PendingUserIDs,
		held: st.users, view: usersView(t), none: len(desired) == 0,
		list: func(ctx context.Context, owned sets.Set[string]) (sets.Set[string], *outcome) {
			return run.listAssignedUsers(ctx, t, owned)
		},
		writes: func(listed, mine sets.Set[string]) []write {
			owned := sets.New(run.e.Status.AssignedUserIDs...)
			run.driftCorrected(t, sets.List(owned.Intersection(sets.KeySet(desired)).Difference(listed)))
			return run.userWrites(t, desired, listed, mine)
		},
	})
}

// assignGroups assigns the desired groups missing from the target and
// unassigns the groups this Enrollment assigned that are no longer desired.
func (run *enrollmentRun) assignGroups(ctx context.Context, t lms.Target, s *enrollmentSubjects, st *assignState) *outcome {
	desired := sets.New(slices.Collect(maps.Values(s.groups))...)
	return run.reconcileAssignments(ctx, t, assignments{
		owned: &run.e.Status.AssignedGroups, pending: &run.e.Status.PendingGroups,
		held: st.groups, view: groupsView(t), none: desired.Len() == 0,
		list: func(ctx context.Context, owned sets.Set[string]) (sets.Set[string], *outcome) {
			return run.listAssignedGroups(ctx, t, owned)
		},
		writes: func(listed, owned sets.Set[string]) []write { return run.groupWrites(t, desired, listed, owned) },
	})
}

// assignments are one of an Enrollment's two kinds of assignment: users
// assigned directly, or groups.
type assignments struct {
	// owned and pending are the status fields recording the assignments this
	// Enrollment made and those it is making.
	owned, pending *[]string
	// held receives the ids the target has assigned, by anyone, once written.
	held sets.Set[string]
	// view is the key of the target's assignments in the connection's views.
	view string
	// none: nothing is desired.
	none bool
	// list reads what the target has assigned.
	list func(ctx context.Context, owned sets.Set[string]) (sets.Set[string], *outcome)
	// writes plans the writes from what is listed and owned.
	writes func(listed, owned sets.Set[string]) []write
}

// reconcileAssignments reads the target's assignments of one kind from the
// connection's view and sends the writes that make them match, a chunk per
// reconcile, recording in status what this Enrollment owns.
func (run *enrollmentRun) reconcileAssignments(ctx context.Context, t lms.Target, a assignments) *outcome {
	owned, pending := sets.New(*a.owned...), sets.New(*a.pending...)
	if a.none && owned.Len() == 0 && pending.Len() == 0 {
		return nil
	}
	listed, o := a.list(ctx, owned)
	if o != nil {
		return o
	}
	settle(owned, pending, listed)
	b := run.newBatch(owned, pending, func(owned, pending sets.Set[string]) {
		*a.owned, *a.pending = sortedList(owned), sortedList(pending)
	}, a.view)
	b.notFound = func(w write, err error) *outcome { return ptrTo(run.targetNotFound(t, w.what, err)) }
	o = b.send(ctx, a.writes(listed, owned.Union(pending)))
	a.held.Insert(listed.UnsortedList()...)
	for noun := range b.added {
		a.held.Insert(b.added[noun]...)
	}
	for noun := range b.removed {
		a.held.Delete(b.removed[noun]...)
	}
	run.batchEvents(t, counts(b.added), counts(b.removed))
	return o
}

// desiredUsers returns the Ready users of direct subjects, by ID.
func desiredUsers(direct map[string]lms.User) map[string]lms.User {
	out := make(map[string]lms.User, len(direct))
	for _, u := range direct {
		if u.ID != "" {
			out[u.ID] = u
		}
	}
	return out
}

// listAssignedUsers reads the users assigned to t directly, from the
// connection's view (read from the vendor at most once per sync interval).
// Vendors list learners only (Enabley), so users this Enrollment assigned
// with another role count as listed.
func (run *enrollmentRun) listAssignedUsers(ctx context.Context, t lms.Target, owned sets.Set[string]) (sets.Set[string], *outcome) {
	enr := run.conn.Client.Enrollments()
	listed, err := run.readView(ctx, usersView(t), func(ctx context.Context) ([]string, error) { return enr.AssignedUsers(ctx, t) })
	if lms.IsNotFound(err) {
		return nil, ptrTo(run.targetNotFound(t, "list users assigned to "+describeTarget(t), err))
	}
	if err != nil {
		return nil, run.failedPtr("list users assigned to "+describeTarget(t), err)
	}
	if enrollmentRole(run.e) != lms.RoleLearner {
		listed = listed.Union(owned)
	}
	return listed, nil
}

// listAssignedGroups reads the groups assigned to t from the connection's
// view; where the vendor cannot list them (Enabley), the groups this
// Enrollment assigned are taken as still assigned.
func (run *enrollmentRun) listAssignedGroups(ctx context.Context, t lms.Target, owned sets.Set[string]) (sets.Set[string], *outcome) {
	enr := run.conn.Client.Enrollments()
	listed, err := run.readView(ctx, groupsView(t), func(ctx context.Context) ([]string, error) { return enr.AssignedGroups(ctx, t) })
	switch {
	case lms.KindOf(err) == lms.KindUnsupported:
		return owned.Clone(), nil
	case lms.IsNotFound(err):
		return nil, ptrTo(run.targetNotFound(t, "list groups assigned to "+describeTarget(t), err))
	case err != nil:
		return nil, run.failedPtr("list groups assigned to "+describeTarget(t), err)
	}
	return listed, nil
}

// userWrites returns the writes that assign the desired users not listed
// and unassign the owned users not desired, in a stable order.
func (run *enrollmentRun) userWrites(t lms.Target, desired map[string]lms.User, listed, owned sets.Set[string]) []write {
	enr := run.conn.Client.Enrollments()
	a := lms.Assignment{Role: enrollmentRole(run.e), Notify: run.e.Spec.Notify}
	var writes []write
	for _, id := range slices.Sorted(maps.Keys(desired)) {
		if !listed.Has(id) {
			u := desired[id]
			writes = append(writes, write{id: id, what: "assign user " + id + " to " + describeTarget(t), noun: nounLearner,
				do: func(ctx context.Context) error { return enr.AssignUser(ctx, t, u, a) }})
		}
	}
	for _, id := range sets.List(owned) {
		if _, ok := desired[id]; !ok {
			u := run.knownUser(id)
			writes = append(writes, write{id: id, what: "unassign user " + id + " from " + describeTarget(t), noun: nounLearner,
				remove: true, do: func(ctx context.Context) error { return enr.UnassignUser(ctx, t, u) }})
		}
	}
	return writes
}

// groupWrites returns the writes that assign the desired groups not listed
// and unassign the owned groups not desired.
func (run *enrollmentRun) groupWrites(t lms.Target, desired, listed, owned sets.Set[string]) []write {
	enr := run.conn.Client.Enrollments()
	a := lms.Assignment{Role: enrollmentRole(run.e), Notify: run.e.Spec.Notify}
	var writes []write
	for _, id := range sets.List(desired.Difference(listed)) {
		writes = append(writes, write{id: id, what: "assign group " + id + " to " + describeTarget(t), noun: nounGroup,
			do: func(ctx context.Context) error { return enr.AssignGroup(ctx, t, id, a) }})
	}
	for _, id := range sets.List(owned.Difference(desired)) {
		writes = append(writes, write{id: id, what: "unassign group " + id + " from " + describeTarget(t), noun: nounGroup,
			remove: true, do: func(ctx context.Context) error { return enr.UnassignGroup(ctx, t, id) }})
	}
	return writes
}

// knownUser returns the user with id from the connection's inventory, or a
// user with only its ID (membership calls need only the id).
func (run *enrollmentRun) knownUser(id string) lms.User {
	if u, ok := run.conn.Users.Find(id, "", ""); ok {
		return u
	}
	return lms.User{ID: id}
}

// batchEvents records one event per kind of write of a batch: "Assigned 3
// learners to course ...".
func (run *enrollmentRun) batchEvents(t lms.Target, assigned, unassigned map[string]int) {
	if n := countNouns(assigned); n != "" {
		run.event(corev1.EventTypeNormal, v1alpha1.EventAssigned, actionAssign, "Assigned %s to %s", n, describeTarget(t))
	}
	if n := countNouns(unassigned); n != "" {
		run.event(corev1.EventTypeNormal, v1alpha1.EventUnassigned, actionUnassign, "Unassigned %s from %s", n, describeTarget(t))
	}
}

// driftCorrected counts the assignments removed in the LMS by hand, which
// are about to be made again, and records one event for them.
func (run *enrollmentRun) driftCorrected(t lms.Target, ids []string) {
	if len(ids) == 0 {
		return
	}
	run.metrics.DriftCorrections.WithLabelValues("Enrollment").Add(float64(len(ids)))
	run.event(corev1.EventTypeNormal, v1alpha1.EventDriftCorrected, actionAssign,
		"%s had been unassigned from %s in the LMS; assigning again (user ids %s)",
		countNouns(map[string]int{nounLearner: len(ids)}), describeTarget(t), truncated(ids, driftShown))
}

// unassignAll removes every assignment this Enrollment made (deletion
// policy Unassign), a chunk per reconcile, recording each in status as it
// goes.
func (run *enrollmentRun) unassignAll(ctx context.Context) *outcome {
	rt := run.e.Status.Target
	if rt == nil || run.conn.Client.Enrollments() == nil {
		return nil
	}
	t := lms.Target{Kind: lms.TargetKind(rt.Kind), ID: rt.ID, Name: rt.Name}
	none := sets.New[string]()
	st := newAssignState()
	for _, a := range []assignments{
		{owned: &run.e.Status.AssignedUserIDs, pending: &run.e.Status.PendingUserIDs, held: st.users, view: usersView(t), none: true,
			list:   func(context.Context, sets.Set[string]) (sets.Set[string], *outcome) { return none, nil },
			writes: func(_, owned sets.Set[string]) []write { return run.userWrites(t, nil, none, owned) }},
		{owned: &run.e.Status.AssignedGroups, pending: &run.e.Status.PendingGroups, held: st.groups, view: groupsView(t), none: true,
			list:   func(context.Context, sets.Set[string]) (sets.Set[string], *outcome) { return none, nil },
			writes: func(_, owned sets.Set[string]) []write { return run.groupWrites(t, none, none, owned) }},
	} {
		if o := run.reconcileAssignments(ctx, t, a); o != nil {
			return o
		}
	}
	return nil
}
