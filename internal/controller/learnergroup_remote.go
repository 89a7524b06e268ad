package controller

import (
	"context"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// groupObservation is what the LMS holds of a LearnerGroup's group.
type groupObservation struct {
	group lms.Group
	found bool
	// fresh: the group list was read from the vendor in this reconcile, so a
	// group missing from it is known to be absent.
	fresh bool
}

// ensureGroup creates, adopts or updates the LMS group so that it matches
// the spec, and records its identifier in status.externalID.
func (run *groupRun) ensureGroup(ctx context.Context, parentID string) *outcome {
	want := run.desiredGroup(parentID)
	obs, o := run.observeGroup(ctx)
	if o != nil {
		return o
	}
	if !obs.found {
		calls := 1
		if !obs.fresh && !run.caps.GroupTypes {
			calls = 2 // a fresh list, then the create
		}
		return run.write(ctx, calls, func(ctx context.Context) *outcome { return run.createGroup(ctx, want, obs.fresh) })
	}
	run.adopt(obs.group)
	diff := groupDiff(want, obs.group, run.caps)
	if len(diff) == 0 {
		return nil
	}
	return run.write(ctx, 1, func(ctx context.Context) *outcome { return run.updateGroup(ctx, want, obs.group, diff) })
}

// observeGroup finds the group in the connection's cached group list: by
// identifier when known, else (eLeaP) by exact display name. A group missing
// from the list is read by identifier, since the list may predate it.
func (run *groupRun) observeGroup(ctx context.Context) (groupObservation, *outcome) {
	var obs groupObservation
	list, err := run.conn.Groups.Get(lms.WithPriority(ctx, lms.PriorityRead), groupsCacheKey, run.interval,
		func(ctx context.Context) ([]lms.Group, error) {
			obs.fresh = true
			return run.groups.List(ctx)
		})
	if err != nil {
		o := run.failed("list groups", err)
		return obs, &o
	}
	if id := run.groupID(); id != "" {
		if obs.group, obs.found = findGroup(list, func(g lms.Group) bool { return g.ID == id }); obs.found {
			return obs, nil
		}
		if done, o := run.confirmGroup(ctx, id, &obs); done || o != nil {
			return obs, o
		}
	}
	name := run.g.Spec.DisplayName
	obs.group, obs.found = findGroup(list, func(g lms.Group) bool { return g.Name == name })
	return obs, nil
}

// confirmGroup reads the group id, missing from the cached list. done is
// true when the observation is complete; false when the eLeaP group is gone
// (deleted in the LMS), so that one of that name is adopted or created anew.
func (run *groupRun) confirmGroup(ctx context.Context, id string, obs *groupObservation) (bool, *outcome) {
	g, err := run.groups.Get(lms.WithPriority(ctx, lms.PriorityRead), id)
	switch {
	case err == nil:
		obs.group, obs.found = *g, true
		return true, nil
	case !lms.IsNotFound(err):
		o := run.failed("read group", err)
		return true, &o
	case run.caps.GroupTypes:
		obs.fresh = true // the caller-chosen identifier is free: create with it
		return true, nil
	}
	run.event(corev1.EventTypeWarning, "GroupGone", "Sync", "The LMS group %s no longer exists; it is created anew", id)
	run.g.Status.ExternalID, run.g.Status.ManagedMembers = "", nil
	return false, nil
}

func findGroup(list []lms.Group, match func(lms.Group) bool) (lms.Group, bool) {
	for _, g := range list {
		if match(g) {
			return g, true
		}
	}
	return lms.Group{}, false
}

// adopt records the group found in the LMS as the LearnerGroup's own.
func (run *groupRun) adopt(g lms.Group) {
	if run.g.Status.ExternalID == g.ID {
		return
	}
	run.event(corev1.EventTypeNormal, "Adopted", "Adopt", "Adopted the existing LMS group %s (id %s)", g.Name, g.ID)
	run.g.Status.ExternalID, run.g.Status.ManagedMembers = g.ID, nil
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
			o := run.failed("list groups", err)
			return &o
		}
		if have, ok := findGroup(list, func(g lms.Group) bool { return g.Name == want.Name }); ok {
			run.adopt(have)
			if diff := groupDiff(want, have, run.caps); len(diff) > 0 {
				return run.updateGroup(ctx, want, have, diff)
			}
			return nil
		}
	}
	created, err := run.groups.Create(ctx, want)
	if lms.IsAlreadyExists(err) {
		w := working(v1alpha1.ReasonProgressing, "the group appeared meanwhile; adopting it", time.Second)
		return &w
	}
	if err != nil {
		o := run.failed("create group", err)
		return &o
	}
	run.conn.Groups.Forget(groupsCacheKey)
	run.g.Status.ExternalID, run.g.Status.ManagedMembers = created.ID, nil
	run.event(corev1.EventTypeNormal, "Created", "Create", "Created LMS group %s (id %s)", want.Name, created.ID)
	return nil
}

// updateGroup writes the spec to the group. A difference found after the
// spec had been applied is drift: someone changed the group in the LMS.
func (run *groupRun) updateGroup(ctx context.Context, want, have lms.Group, diff []string) *outcome {
	want.ID = have.ID
	if _, err := run.groups.Update(ctx, want); err != nil {
		o := run.failed("update group", err)
		return &o
	}
	run.conn.Groups.Forget(groupsCacheKey) // the cached list holds the old values
	if isReady(run.g.Status.Conditions, run.g.Generation) {
		run.metrics.DriftCorrections.WithLabelValues("LearnerGroup").Inc()
	}
	run.event(corev1.EventTypeNormal, "Updated", "Update", "Updated LMS group %s (id %s): %s", want.Name, have.ID, strings.Join(diff, ", "))
	return nil
}
