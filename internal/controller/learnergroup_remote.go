package controller

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// groupsCacheKey is the key of the group list in a connection's Groups cache.
const groupsCacheKey = "groups"

// The vendor calls of the LearnerGroup's operations: an operation takes them
// from the connection's budget together.
const (
	// groupListCalls re-reads the group list before a create on a vendor that
	// assigns ids, when the cached list is not from this reconcile.
	groupListCalls = 1
	// groupWriteCalls: a create, an update or a delete is one call.
	groupWriteCalls = 1
)

// A groupObservation is what the LMS holds of a LearnerGroup's group, in the
// shape of crossplane's ExternalObservation.
type groupObservation struct {
	// exists: the LMS has the group; group is it.
	exists bool
	group  lms.Group
	// upToDate: the group matches the spec; diff names the fields that differ.
	upToDate bool
	diff     []string
	// fresh: the group list was read from the vendor in this reconcile, so a
	// group missing from it is known to be absent.
	fresh bool
}

// finalizes is true: a LearnerGroup's deletion policy may delete its group.
func (run *groupRun) finalizes() bool { return !run.observeOnly() }

// observeOnly reports whether the LearnerGroup never writes.
func (run *groupRun) observeOnly() bool {
	return run.g.Spec.ManagementPolicy == v1alpha1.ManagementObserveOnly
}

// sync makes the group, then its members, match the spec.
func (run *groupRun) sync(ctx context.Context) outcome {
	parentID, o := run.parentID(ctx)
	if o != nil {
		return *o
	}
	if run.observeOnly() {
		return run.report(ctx, run.desiredGroup(parentID))
	}
	if o := run.ensureGroup(ctx, run.desiredGroup(parentID)); o != nil {
		return *o
	}
	return run.syncMembers(ctx)
}

// report tells, without writing, whether the group exists, how it differs
// and, where the vendor lists members, which declared members it lacks.
func (run *groupRun) report(ctx context.Context, want lms.Group) outcome {
	obs, o := run.observeGroup(ctx, want)
	if o != nil {
		return *o
	}
	if !obs.exists {
		return working(v1alpha1.ReasonNotFoundInLMS, fmt.Sprintf("no group %q in the LMS (ObserveOnly: nothing is created)", want.Name), run.interval)
	}
	if o := run.takeGroup(ctx, obs.group); o != nil {
		return *o
	}
	diff := obs.diff
	if run.caps.GroupMembers {
		want, m, o := run.observeMembers(ctx)
		if o != nil {
			return *o
		}
		run.g.Status.MemberCount = int32(m.current.Len())
		if !m.current.IsSuperset(sets.KeySet(want.users)) {
			diff = append(diff, "members")
		}
	}
	if len(diff) > 0 {
		return working(v1alpha1.ReasonDrifted, "the LMS group differs in "+strings.Join(diff, ", ")+" (ObserveOnly: nothing is written)", run.interval)
	}
	return done(v1alpha1.ReasonObserved, "the LMS group matches the spec", run.interval)
}

// ensureGroup creates, adopts or updates the LMS group so that it matches
// want, and records its identifier in status.externalID.
func (run *groupRun) ensureGroup(ctx context.Context, want lms.Group) *outcome {
	obs, o := run.observeGroup(ctx, want)
	switch {
	case o != nil:
		return o
	case !obs.exists:
		calls := groupWriteCalls
		if !obs.fresh && !run.caps.GroupTypes {
			calls += groupListCalls
		}
		return run.write(ctx, calls, func(ctx context.Context) *outcome { return run.createGroup(ctx, want, obs.fresh) })
	}
	if o := run.takeGroup(ctx, obs.group); o != nil {
		return o
	}
	if obs.upToDate {
		return nil
	}
	return run.write(ctx, groupWriteCalls, func(ctx context.Context) *outcome { return run.updateGroup(ctx, want, obs.group, obs.diff) })
}

// write runs op, a write of n calls, with its tokens taken together.
func (run *groupRun) write(ctx context.Context, n int, op func(context.Context) *outcome) *outcome {
	return spend(ctx, run.conn, n, lms.PriorityWrite, op)
}

// observeGroup finds the group in the connection's cached group list: by
// identifier when known (on Enabley, the identifier the operator chooses),
// else (eLeaP, which assigns ids) by exact display name. A group missing
// from the list is read by identifier, since the list may predate it.
func (run *groupRun) observeGroup(ctx context.Context, want lms.Group) (groupObservation, *outcome) {
	var obs groupObservation
	list, err := run.conn.Groups.Get(lms.WithPriority(ctx, lms.PriorityRead), groupsCacheKey, run.interval,
		func(ctx context.Context) ([]lms.Group, error) {
			obs.fresh = true
			return run.groups.List(ctx)
		})
	if err != nil {
		return obs, run.failedPtr("list groups", err)
	}
	if id := run.groupID(); id != "" {
		obs.group, obs.exists = findGroup(list, func(g lms.Group) bool { return g.ID == id })
		if !obs.exists {
			if done, o := run.confirmGroup(ctx, id, &obs); o != nil || done {
				return obs.diffed(want, run.caps), o
			}
		}
	}
	if !obs.exists && !run.caps.GroupTypes { // Enabley groups are found by their identifier only
		obs.group, obs.exists = findGroup(list, func(g lms.Group) bool { return g.Name == want.Name })
	}
	return obs.diffed(want, run.caps), nil
}

// diffed fills upToDate and diff from want.
func (obs groupObservation) diffed(want lms.Group, caps lms.Capabilities) groupObservation {
	if obs.exists {
		obs.diff = groupDiff(want, obs.group, caps)
		obs.upToDate = len(obs.diff) == 0
	}
	return obs
}

// confirmGroup reads the group id, missing from the cached list. done is
// true when the observation is complete; false when the eLeaP group is gone
// (deleted in the LMS), so that one of that name is adopted or created anew.
func (run *groupRun) confirmGroup(ctx context.Context, id string, obs *groupObservation) (bool, *outcome) {
	g, err := run.groups.Get(lms.WithPriority(ctx, lms.PriorityRead), id)
	switch {
	case err == nil:
		obs.group, obs.exists = *g, true
		return true, nil
	case !lms.IsNotFound(err):
		return true, run.failedPtr("read group", err)
	case run.caps.GroupTypes:
		obs.fresh = true // the caller-chosen identifier is free: create with it
		return true, nil
	}
	run.event(corev1.EventTypeWarning, v1alpha1.EventGroupGone, actionSync, "The LMS group %s no longer exists; it is created anew", id)
	run.g.Status.ExternalID, run.g.Status.ManagedMembers = "", nil
	run.g.Status.Adopted, run.g.Status.CreateRequestedTime = false, nil
	return false, nil
}

// findGroup returns the first group of list that match accepts.
func findGroup(list []lms.Group, match func(lms.Group) bool) (lms.Group, bool) {
	for _, g := range list {
		if match(g) {
			return g, true
		}
	}
	return lms.Group{}, false
}

// createGroup creates the group. On eLeaP, which assigns ids, absence is
// first confirmed with a fresh list when the cached one was old (a group
// created just before a crash is adopted, not duplicated); Enabley's create
// is a create-or-update of the chosen identifier.
func (run *groupRun) createGroup(ctx context.Context, want lms.Group, fresh bool) *outcome {
	if !run.caps.GroupTypes && !fresh {
		run.conn.Groups.Forget(groupsCacheKey)
		list, err := run.conn.Groups.Get(ctx, groupsCacheKey, run.interval, run.groups.List)
		if err != nil {
			return run.failedPtr("list groups", err)
		}
		if have, ok := findGroup(list, func(g lms.Group) bool { return g.Name == want.Name }); ok {
			if o := run.takeGroup(ctx, have); o != nil {
				return o
			}
			if diff := groupDiff(want, have, run.caps); len(diff) > 0 {
				return run.updateGroup(ctx, want, have, diff)
			}
			return nil
		}
	}
	if o := run.beforeCreateGroup(ctx); o != nil {
		return o
	}
	created, err := run.groups.Create(ctx, want)
	if lms.IsAlreadyExists(err) {
		return ptrTo(working(v1alpha1.ReasonProgressing, "the group appeared meanwhile; adopting it", time.Second))
	}
	if err != nil {
		return run.failedPtr("create group", err)
	}
	run.conn.Groups.Forget(groupsCacheKey)
	run.g.Status.ExternalID, run.g.Status.ManagedMembers, run.g.Status.Adopted = created.ID, nil, false
	run.event(corev1.EventTypeNormal, v1alpha1.EventCreated, actionCreate, "Created LMS group %s (id %s)", want.Name, created.ID)
	return nil
}

// updateGroup writes the spec to the group. A difference found after the
// spec had been applied is drift: someone changed the group in the LMS.
func (run *groupRun) updateGroup(ctx context.Context, want, have lms.Group, diff []string) *outcome {
	want.ID = have.ID
	if _, err := run.groups.Update(ctx, want); err != nil {
		return run.failedPtr("update group", err)
	}
	run.conn.Groups.Forget(groupsCacheKey) // the cached list holds the old values
	if isReady(run.g.Status.Conditions, run.g.Generation) {
		run.metrics.DriftCorrections.WithLabelValues("LearnerGroup").Inc()
	}
	run.event(corev1.EventTypeNormal, v1alpha1.EventUpdated, actionUpdate, "Updated LMS group %s (id %s): %s", want.Name, have.ID, strings.Join(diff, ", "))
	return nil
}

// deletionPolicy deletes the LMS group under the Delete policy (by default
// for a group the operator created, never for an adopted one), as the
// deletion guard allows. On Enabley a group with child groups cannot be
// deleted, so it waits for the LearnerGroups naming it as parent to go first.
func (run *groupRun) deletionPolicy(ctx context.Context) *outcome {
	run.settleHeld(ctx, purposeMembers) // removals of members are moot now
	if run.groups == nil || run.observeOnly() || run.g.Spec.DeletionPolicy == v1alpha1.GroupOrphan {
		return nil
	}
	id, o := run.recordedGroup(ctx)
	if o != nil {
		return o
	}
	policy := groupDeletionPolicy(run.g.Spec.DeletionPolicy, run.g.Status.Adopted)
	if policy == v1alpha1.GroupOrphan || id == "" {
		return nil
	}
	if children := run.childGroups(ctx); len(children) > 0 {
		return ptrTo(working(v1alpha1.ReasonDeleting, "waiting for the child LearnerGroups "+strings.Join(children, ", ")+" to be deleted first", 0))
	}
	return run.write(ctx, groupWriteCalls, func(ctx context.Context) *outcome {
		batch, o := run.takeDeletions(ctx, purposeDelete, 1, 0, "deletion of the LMS group")
		if o != nil {
			return o
		}
		defer batch.finish()
		err := run.groups.Delete(ctx, id)
		batch.sentWith(err)
		if err != nil && !lms.IsNotFound(err) {
			return run.failedPtr("delete group", err)
		}
		run.conn.Groups.Forget(groupsCacheKey)
		run.event(corev1.EventTypeNormal, v1alpha1.EventDeleted, actionDelete, "Deleted LMS group %s (id %s)", run.g.Spec.DisplayName, id)
		return nil
	})
}

// recordedGroup returns the LearnerGroup's LMS group id, also when a crash
// came between the create and the status write that records it: a
// LearnerGroup that may have created its group (status.createRequestedTime,
// or the identifier the operator chooses on Enabley) finds it as its sync
// would, and takes it only as the sync would take it. A group it may not
// take (another LearnerGroup's, or one made by hand it may not adopt) is
// left alone: the id is then empty.
func (run *groupRun) recordedGroup(ctx context.Context) (string, *outcome) {
	st := run.g.Status
	if st.ExternalID != "" || (st.CreateRequestedTime == nil && !run.caps.GroupTypes) {
		return st.ExternalID, nil
	}
	obs, o := run.observeGroup(ctx, run.desiredGroup(""))
	if o != nil || !obs.exists {
		return "", o
	}
	if o := run.takeGroup(ctx, obs.group); o != nil {
		return "", nil
	}
	return run.g.Status.ExternalID, nil
}
