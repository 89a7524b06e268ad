package controller

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// assignState is what the LMS holds of the target's assignments once the
// Enrollment's writes are done.
type assignState struct {
	// users are the IDs of the users assigned directly, by anyone.
	users map[string]bool
	// groups are the IDs of the groups assigned, by anyone.
	groups map[string]bool
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
	st := &assignState{users: map[string]bool{}, groups: map[string]bool{}}
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
	owned := idSet(run.e.Status.AssignedUserIDs)
	if len(desired) == 0 && len(owned) == 0 {
		return nil
	}
	listed, o := run.listAssignedUsers(ctx, t, owned)
	if o != nil {
		return o
	}
	for id := range listed {
		st.users[id] = true
	}
	defer func() { run.e.Status.AssignedUserIDs = sortedIDs(owned) }()
	var drifted []string
	for id := range owned {
		if _, ok := desired[id]; ok && !listed[id] {
			drifted = append(drifted, id)
		}
	}
	run.driftCorrected(t, drifted)
	ops := run.userWrites(t, desired, listed, owned, st)
	return run.writeBatch(ctx, t, ops)
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
func (run *enrollmentRun) listAssignedUsers(ctx context.Context, t lms.Target, owned map[string]bool) (map[string]bool, *outcome) {
	ids, err := run.conn.Client.Enrollments().AssignedUsers(lms.WithPriority(ctx, lms.PriorityRead), t)
	if lms.IsNotFound(err) {
		o := run.targetNotFound(t, "list users assigned to "+describeTarget(t), err)
		return nil, &o
	}
	if err != nil {
		o := run.failed("list users assigned to "+describeTarget(t), err)
		return nil, &o
	}
	listed := idSet(ids)
	if enrollmentRole(run.e) != lms.RoleLearner {
		for id := range owned {
			listed[id] = true
		}
	}
	return listed, nil
}

// userWrites returns the writes that assign the desired users not listed
// and unassign the owned users not desired, in a stable order, and events
// summarising them once they ran.
func (run *enrollmentRun) userWrites(t lms.Target, desired map[string]lms.User, listed, owned map[string]bool, st *assignState) []writeOp {
	enr := run.conn.Client.Enrollments()
	a := lms.Assignment{Role: enrollmentRole(run.e), Notify: run.e.Spec.Notify}
	var ops []writeOp
	for _, id := range sortedIDs(desired) {
		if listed[id] {
			continue
		}
		u := desired[id]
		ops = append(ops, writeOp{what: "assign user " + id + " to " + describeTarget(t), noun: "learner",
			do: func(ctx context.Context) error { return enr.AssignUser(ctx, t, u, a) },
			ok: func() { owned[u.ID], st.users[u.ID] = true, true }})
	}
	for _, id := range sortedIDs(owned) {
		if _, ok := desired[id]; ok {
			continue
		}
		u := run.knownUser(id)
		ops = append(ops, writeOp{what: "unassign user " + id + " from " + describeTarget(t), noun: "learner", unassign: true,
			do: func(ctx context.Context) error { return enr.UnassignUser(ctx, t, u) },
			ok: func() { delete(owned, u.ID); delete(st.users, u.ID) }})
	}
	return ops
}

// knownUser returns the user with id from the connection's inventory, or a
// user with only its ID.
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
	desired := map[string]bool{}
	for _, id := range s.groups {
		desired[id] = true
	}
	owned := idSet(run.e.Status.AssignedGroups)
	if len(desired) == 0 && len(owned) == 0 {
		return nil
	}
	listed, o := run.listAssignedGroups(ctx, t, owned)
	if o != nil {
		return o
	}
	for id := range listed {
		st.groups[id] = true
	}
	defer func() { run.e.Status.AssignedGroups = sortedIDs(owned) }()
	ops := run.groupWrites(t, desired, listed, owned, st)
	return run.writeBatch(ctx, t, ops)
}

// groupWrites returns the writes that assign the desired groups not listed
// and unassign the owned groups not desired.
func (run *enrollmentRun) groupWrites(t lms.Target, desired, listed, owned map[string]bool, st *assignState) []writeOp {
	enr := run.conn.Client.Enrollments()
	a := lms.Assignment{Role: enrollmentRole(run.e), Notify: run.e.Spec.Notify}
	var ops []writeOp
	for _, id := range sortedIDs(desired) {
		if !listed[id] {
			ops = append(ops, writeOp{what: "assign group " + id + " to " + describeTarget(t), noun: "group",
				do: func(ctx context.Context) error { return enr.AssignGroup(ctx, t, id, a) },
				ok: func() { owned[id], st.groups[id] = true, true }})
		}
	}
	for _, id := range sortedIDs(owned) {
		if !desired[id] {
			ops = append(ops, writeOp{what: "unassign group " + id + " from " + describeTarget(t), noun: "group", unassign: true,
				do: func(ctx context.Context) error { return enr.UnassignGroup(ctx, t, id) },
				ok: func() { delete(owned, id); delete(st.groups, id) }})
		}
	}
	return ops
}

// listAssignedGroups reads the groups assigned to t; where the vendor
// cannot list them, the owned groups stand in.
func (run *enrollmentRun) listAssignedGroups(ctx context.Context, t lms.Target, owned map[string]bool) (map[string]bool, *outcome) {
	ids, err := run.conn.Client.Enrollments().AssignedGroups(lms.WithPriority(ctx, lms.PriorityRead), t)
	switch {
	case lms.KindOf(err) == lms.KindUnsupported:
		listed := map[string]bool{}
		for id := range owned {
			listed[id] = true
		}
		return listed, nil
	case lms.IsNotFound(err):
		o := run.targetNotFound(t, "list groups assigned to "+describeTarget(t), err)
		return nil, &o
	case err != nil:
		o := run.failed("list groups assigned to "+describeTarget(t), err)
		return nil, &o
	}
	return idSet(ids), nil
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
	o := withTokens(ctx, run.conn, len(ops), lms.PriorityWrite, func(ctx context.Context) outcome {
		for _, op := range ops {
			err := op.do(ctx)
			if err != nil && op.unassign && lms.IsNotFound(err) {
				err = nil
			}
			if lms.IsNotFound(err) {
				return run.targetNotFound(t, op.what, err)
			}
			if err != nil {
				return run.failed(op.what, err)
			}
			op.ok()
			if op.unassign {
				unassigned[op.noun]++
			} else {
				assigned[op.noun]++
			}
		}
		return outcome{ready: true}
	})
	if !o.ready {
		return &o
	}
	return nil
}

// batchEvents records one event per kind of write of a batch: "Assigned 3
// learners to course ...".
func (run *enrollmentRun) batchEvents(t lms.Target, assigned, unassigned map[string]int) {
	if n := countNouns(assigned); n != "" {
		run.event(corev1.EventTypeNormal, "Assigned", "Assign", "Assigned %s to %s", n, describeTarget(t))
	}
	if n := countNouns(unassigned); n != "" {
		run.event(corev1.EventTypeNormal, "Unassigned", "Unassign", "Unassigned %s from %s", n, describeTarget(t))
	}
}

// countNouns writes counts as "3 learners and 1 group".
func countNouns(counts map[string]int) string {
	var parts []string
	for _, noun := range []string{"learner", "group"} {
		switch n := counts[noun]; n {
		case 0:
		case 1:
			parts = append(parts, "1 "+noun)
		default:
			parts = append(parts, fmt.Sprintf("%d %ss", n, noun))
		}
	}
	return strings.Join(parts, " and ")
}

// driftCorrected counts the assignments removed in the LMS by hand, which
// are about to be made again, and records one event for them.
func (run *enrollmentRun) driftCorrected(t lms.Target, ids []string) {
	if len(ids) == 0 {
		return
	}
	sort.Strings(ids)
	run.metrics.DriftCorrections.WithLabelValues("Enrollment").Add(float64(len(ids)))
	run.event(corev1.EventTypeNormal, "DriftCorrected", "Assign",
		"%s had been unassigned from %s in the LMS; assigning again (user ids %s)",
		countNouns(map[string]int{"learner": len(ids)}), describeTarget(t), strings.Join(firstN(ids, 10), ", "))
}

// firstN returns at most n of xs.
func firstN(xs []string, n int) []string {
	if len(xs) > n {
		return xs[:n]
	}
	return xs
}

// unassignAll removes every assignment this Enrollment made (deletion
// policy Unassign), recording each in status as it goes.
func (run *enrollmentRun) unassignAll(ctx context.Context) *outcome {
	rt := run.e.Status.Target
	if rt == nil || run.conn.Client.Enrollments() == nil {
		return nil
	}
	t := lms.Target{Kind: lms.TargetKind(rt.Kind), ID: rt.ID, Name: rt.Name}
	st := &assignState{users: map[string]bool{}, groups: map[string]bool{}}
	users, groups := idSet(run.e.Status.AssignedUserIDs), idSet(run.e.Status.AssignedGroups)
	defer func() {
		run.e.Status.AssignedUserIDs, run.e.Status.AssignedGroups = sortedIDs(users), sortedIDs(groups)
	}()
	ops := append(run.userWrites(t, nil, nil, users, st), run.groupWrites(t, nil, nil, groups, st)...)
	return run.writeBatch(ctx, t, ops)
}

// setOf returns the set of xs.
func idSet(xs []string) map[string]bool {
	out := make(map[string]bool, len(xs))
	for _, x := range xs {
		out[x] = true
	}
	return out
}

// sortedIDs returns the keys of m, sorted; nil when m is empty.
func sortedIDs[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return slices.Clip(out)
}
