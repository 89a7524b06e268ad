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

// A writeOp is one assignment write of a batch.
type writeOp struct {
	// what names the write in messages: "assign user 1001".
	what string
	// noun is what is written: "learner" or "group".
	noun string
	// unassign: a NotFound answer means done.
	unassign bool
	do       func(context.Context) error
	// ok records the write in status.
	ok func()
}

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

// assignUsers reads the target's direct assignments once, assigns the
// desired users missing from them (which also repairs assignments removed
// by hand) and unassigns the users this Enrollment assigned that are no
// longer desired.
func (run *enrollmentRun) assignUsers(ctx context.Context, t lms.Target, s *enrollmentSubjects, st *assignState) *outcome {
	desired := desiredUsers(s.direct)
	return run.reconcileAssignments(ctx, t, assignments{
		owned: &run.e.Status.AssignedUserIDs, held: st.users, none: len(desired) == 0,
		list: func(ctx context.Context, owned sets.Set[string]) (sets.Set[string], *outcome) {
			return run.listAssignedUsers(ctx, t, owned)
		},
		writes: func(listed, owned sets.Set[string]) []writeOp {
			run.driftCorrected(t, sets.List(owned.Intersection(sets.KeySet(desired)).Difference(listed)))
			return run.userWrites(t, desired, listed, owned, st)
		},
	})
}

// assignments are one of an Enrollment's two kinds of assignment: users
// assigned directly, or groups.
type assignments struct {
	// owned is the status field recording the assignments this Enrollment made.
	owned *[]string
	// held receives the ids the target has assigned, by anyone.
	held sets.Set[string]
	// none: nothing is desired.
	none bool
	// list reads what the target has assigned.
	list func(ctx context.Context, owned sets.Set[string]) (sets.Set[string], *outcome)
	// writes plans the writes from what is listed and owned.
	writes func(listed, owned sets.Set[string]) []writeOp
}

// reconcileAssignments lists the target's assignments of one kind and
// makes them match, recording in status what this Enrollment owns.
func (run *enrollmentRun) reconcileAssignments(ctx context.Context, t lms.Target, a assignments) *outcome {
	owned := sets.New(*a.owned...)
	if a.none && owned.Len() == 0 {
		return nil
	}
	listed, o := a.list(ctx, owned)
	if o != nil {
		return o
	}
	a.held.Insert(listed.UnsortedList()...)
	defer func() { *a.owned = sortedList(owned) }()
	return run.writeBatch(ctx, t, a.writes(listed, owned))
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

// listAssignedUsers reads the users assigned to t directly. Vendors list
// learners only (Enabley), so users this Enrollment assigned with another
// role count as listed.
func (run *enrollmentRun) listAssignedUsers(ctx context.Context, t lms.Target, owned sets.Set[string]) (sets.Set[string], *outcome) {
	ids, err := run.conn.Client.Enrollments().AssignedUsers(lms.WithPriority(ctx, lms.PriorityRead), t)
	if lms.IsNotFound(err) {
		return nil, ptrTo(run.targetNotFound(t, "list users assigned to "+describeTarget(t), err))
	}
	if err != nil {
		return nil, run.failedPtr("list users assigned to "+describeTarget(t), err)
	}
	listed := sets.New(ids...)
	if enrollmentRole(run.e) != lms.RoleLearner {
		listed = listed.Union(owned)
	}
	return listed, nil
}

// userWrites returns the writes that assign the desired users not listed
// and unassign the owned users not desired, in a stable order.
func (run *enrollmentRun) userWrites(t lms.Target, desired map[string]lms.User, listed, owned sets.Set[string], st *assignState) []writeOp {
	enr := run.conn.Client.Enrollments()
	a := lms.Assignment{Role: enrollmentRole(run.e), Notify: run.e.Spec.Notify}
	var ops []writeOp
	for _, id := range slices.Sorted(maps.Keys(desired)) {
		if listed.Has(id) {
			continue
		}
		u := desired[id]
		ops = append(ops, writeOp{what: "assign user " + id + " to " + describeTarget(t), noun: "learner",
			do: func(ctx context.Context) error { return enr.AssignUser(ctx, t, u, a) },
			ok: func() { owned.Insert(u.ID); st.users.Insert(u.ID) }})
	}
	for _, id := range sets.List(owned) {
		if _, ok := desired[id]; ok {
			continue
		}
		u := run.knownUser(id)
		ops = append(ops, writeOp{what: "unassign user " + id + " from " + describeTarget(t), noun: "learner", unassign: true,
			do: func(ctx context.Context) error { return enr.UnassignUser(ctx, t, u) },
			ok: func() { owned.Delete(u.ID); st.users.Delete(u.ID) }})
	}
	return ops
}

// knownUser returns the user with id from the connection's inventory, or a
// user with only its ID (membership calls need only the id).
func (run *enrollmentRun) knownUser(id string) lms.User {
	if u, ok := run.conn.Users.Find(id, "", ""); ok {
		return u
	}
	return lms.User{ID: id}
}

// assignGroups assigns the desired groups missing from the target and
// unassigns the groups this Enrollment assigned that are no longer desired.
// Where the vendor cannot list a target's groups (Enabley), the groups this
// Enrollment assigned are taken as still assigned.
func (run *enrollmentRun) assignGroups(ctx context.Context, t lms.Target, s *enrollmentSubjects, st *assignState) *outcome {
	desired := sets.New(slices.Collect(maps.Values(s.groups))...)
	return run.reconcileAssignments(ctx, t, assignments{
		owned: &run.e.Status.AssignedGroups, held: st.groups, none: desired.Len() == 0,
		list: func(ctx context.Context, owned sets.Set[string]) (sets.Set[string], *outcome) {
			return run.listAssignedGroups(ctx, t, owned)
		},
		writes: func(listed, owned sets.Set[string]) []writeOp { return run.groupWrites(t, desired, listed, owned, st) },
	})
}

// groupWrites returns the writes that assign the desired groups not listed
// and unassign the owned groups not desired.
func (run *enrollmentRun) groupWrites(t lms.Target, desired, listed, owned sets.Set[string], st *assignState) []writeOp {
	enr := run.conn.Client.Enrollments()
	a := lms.Assignment{Role: enrollmentRole(run.e), Notify: run.e.Spec.Notify}
	var ops []writeOp
	for _, id := range sets.List(desired.Difference(listed)) {
		ops = append(ops, writeOp{what: "assign group " + id + " to " + describeTarget(t), noun: "group",
			do: func(ctx context.Context) error { return enr.AssignGroup(ctx, t, id, a) },
			ok: func() { owned.Insert(id); st.groups.Insert(id) }})
	}
	for _, id := range sets.List(owned.Difference(desired)) {
		ops = append(ops, writeOp{what: "unassign group " + id + " from " + describeTarget(t), noun: "group", unassign: true,
			do: func(ctx context.Context) error { return enr.UnassignGroup(ctx, t, id) },
			ok: func() { owned.Delete(id); st.groups.Delete(id) }})
	}
	return ops
}

// listAssignedGroups reads the groups assigned to t; where the vendor
// cannot list them, the owned groups stand in.
func (run *enrollmentRun) listAssignedGroups(ctx context.Context, t lms.Target, owned sets.Set[string]) (sets.Set[string], *outcome) {
	ids, err := run.conn.Client.Enrollments().AssignedGroups(lms.WithPriority(ctx, lms.PriorityRead), t)
	switch {
	case lms.KindOf(err) == lms.KindUnsupported:
		return owned.Clone(), nil
	case lms.IsNotFound(err):
		return nil, ptrTo(run.targetNotFound(t, "list groups assigned to "+describeTarget(t), err))
	case err != nil:
		return nil, run.failedPtr("list groups assigned to "+describeTarget(t), err)
	}
	return sets.New(ids...), nil
}

// writeBatch runs the writes with their tokens taken together (up to the
// connection's burst; the rest as the budget allows). Writes done before a
// failure stay recorded; one event summarises what was written.
func (run *enrollmentRun) writeBatch(ctx context.Context, t lms.Target, ops []writeOp) *outcome {
	if len(ops) == 0 {
		return nil
	}
	assigned, unassigned := map[string]int{}, map[string]int{}
	defer func() { run.batchEvents(t, assigned, unassigned) }()
	return spend(ctx, run.conn, len(ops), lms.PriorityWrite, func(ctx context.Context) *outcome {
		for _, op := range ops {
			err := op.do(ctx)
			if err != nil && op.unassign && lms.IsNotFound(err) {
				err = nil
			}
			if lms.IsNotFound(err) {
				return ptrTo(run.targetNotFound(t, op.what, err))
			}
			if err != nil {
				return run.failedPtr(op.what, err)
			}
			op.ok()
			if op.unassign {
				unassigned[op.noun]++
			} else {
				assigned[op.noun]++
			}
		}
		return nil
	})
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
		countNouns(map[string]int{"learner": len(ids)}), describeTarget(t), truncated(ids, driftShown))
}

// unassignAll removes every assignment this Enrollment made (deletion
// policy Unassign), recording each in status as it goes.
func (run *enrollmentRun) unassignAll(ctx context.Context) *outcome {
	rt := run.e.Status.Target
	if rt == nil || run.conn.Client.Enrollments() == nil {
		return nil
	}
	t := lms.Target{Kind: lms.TargetKind(rt.Kind), ID: rt.ID, Name: rt.Name}
	st := newAssignState()
	users, groups := sets.New(run.e.Status.AssignedUserIDs...), sets.New(run.e.Status.AssignedGroups...)
	defer func() {
		run.e.Status.AssignedUserIDs, run.e.Status.AssignedGroups = sortedList(users), sortedList(groups)
	}()
	none := sets.New[string]()
	ops := append(run.userWrites(t, nil, none, users, st), run.groupWrites(t, none, none, groups, st)...)
	return run.writeBatch(ctx, t, ops)
}
