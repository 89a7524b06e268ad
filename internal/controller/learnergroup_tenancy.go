package controller

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// groupKindClaims are the LearnerGroup's claims on its connection for a
// vendor with caps: by display name where groups are found by it (eLeaP).
func groupKindClaims(g *v1alpha1.LearnerGroup, caps lms.Capabilities) []string {
	return groupClaims(g, !caps.GroupTypes)
}

// takeGroup checks that the LearnerGroup may have the LMS group its keys
// found, and records it as its own: the group is its own already, or it
// created it, or the connection lets its namespace adopt and no other
// LearnerGroup owns the group.
func (run *groupRun) takeGroup(ctx context.Context, grp lms.Group) *outcome {
	if grp.ID == run.g.Status.ExternalID {
		return nil
	}
	if o := run.possessed(ctx, run.g, run.runBase, grp.ID); o != nil {
		return o
	}
	ours := run.createdGroup(grp)
	if !ours && !run.grants.mayAdopt {
		return ptrTo(adoptionRefused(run.conn.Key, run.g.Namespace, "group", grp.Name))
	}
	run.recordGroup(grp, !ours)
	return nil
}

// createdGroup reports whether grp is a group the operator created for the
// LearnerGroup without recording it: one with the identifier the operator
// chooses (Enabley), or one found after a create whose answer was lost.
func (run *groupRun) createdGroup(grp lms.Group) bool {
	if run.caps.GroupTypes && grp.ID == chosenGroupID(run.g) {
		return true
	}
	return run.g.Status.ExternalID == "" && run.g.Status.CreateRequestedTime != nil
}

// recordGroup records grp as the LearnerGroup's own; adopted: it existed
// before the LearnerGroup, and none of its members is the operator's.
func (run *groupRun) recordGroup(grp lms.Group, adopted bool) {
	run.g.Status.ExternalID, run.g.Status.Adopted = grp.ID, adopted
	if adopted && !run.observeOnly() {
		run.event(corev1.EventTypeNormal, v1alpha1.EventAdopted, actionAdopt, "Adopted the existing LMS group %s (id %s)", grp.Name, grp.ID)
	}
	if adopted {
		run.g.Status.ManagedMembers, run.g.Status.PendingAdds = nil, nil
	}
}

// beforeCreateGroup records, where the vendor assigns ids (eLeaP), that a
// create is about to be sent: a group found after a crash that lost the
// create's answer is then the LearnerGroup's own, not adopted (refused, or
// kept at deletion by the default policy), and a deletion finds it.
func (run *groupRun) beforeCreateGroup(ctx context.Context) *outcome {
	if run.caps.GroupTypes {
		return nil
	}
	return recordCreateRequested(ctx, run.client, run.g, run.clock.Now(), func(g *v1alpha1.LearnerGroup, t *metav1.Time) {
		g.Status.CreateRequestedTime = t
	})
}

// groupDeletionPolicy is the deletion policy in force: the spec's; unset,
// Delete for a group the operator created and Orphan for an adopted one.
func groupDeletionPolicy(p v1alpha1.GroupDeletionPolicy, adopted bool) v1alpha1.GroupDeletionPolicy {
	switch {
	case p != "":
		return p
	case adopted:
		return v1alpha1.GroupOrphan
	}
	return v1alpha1.GroupDelete
}
