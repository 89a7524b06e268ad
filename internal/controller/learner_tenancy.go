package controller

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// learnerKindClaims are the Learner's claims on its connection for a vendor
// with caps (see learnerClaims).
func learnerKindClaims(l *v1alpha1.Learner, caps lms.Capabilities) []string {
	return learnerClaims(l, caps.CallerChosenUserID)
}

// validateGrants refuses a role the connection does not grant, before any
// vendor call.
func (run *learnerRun) validateGrants() *outcome {
	if run.grants.allowsRole(run.l.Spec.Role) {
		return nil
	}
	return ptrTo(roleRefused(run.conn.Key.Name, run.l.Spec.Role, run.grants.roles))
}

// take checks that the Learner may have the LMS user u its keys found, and
// records an adoption: the user is its own already, or it created it, or the
// connection lets its namespace adopt and no other Learner owns the user.
func (run *learnerRun) take(ctx context.Context, u lms.User) *outcome {
	if u.ID == run.l.Status.ExternalID {
		return nil
	}
	if o := run.possessed(ctx, run.l, run.runBase, u.ID); o != nil {
		return o
	}
	if run.createdIt() {
		return nil
	}
	if !run.grants.mayAdopt {
		return ptrTo(adoptionRefused(run.conn.Key, run.l.Namespace, "user", u.Email))
	}
	run.l.Status.Adopted = true
	if !run.observeOnly() {
		run.event(corev1.EventTypeNormal, v1alpha1.EventAdopted, actionAdopt, "Adopted the existing LMS user %s (id %s)", u.Email, u.ID)
	}
	return nil
}

// createdIt reports whether the operator sent the create of the Learner's
// user and has not recorded its id (the answer was lost, or carried no id,
// as eLeaP's does): the user found is then its own, not one to adopt. This
// process knows the creates it sent; createRequestedTime tells of those of
// an earlier process.
func (run *learnerRun) createdIt() bool {
	if run.l.Status.ExternalID != "" {
		return false
	}
	if run.l.Status.CreateRequestedTime != nil {
		return true
	}
	a, _ := run.attempted.Load(run.identity(desiredUser(run.l, run.caps)))
	c, ok := a.(createAttempt)
	return ok && c.uid == run.l.UID
}

// owns reports whether u is the Learner's own user, to which its deletion
// policy applies: the one it recorded, or the one it created.
func (run *learnerRun) owns(u lms.User) bool {
	return (u.ID != "" && u.ID == run.l.Status.ExternalID) || run.createdIt()
}

// beforeCreate records, where the connection refuses adoption, that a
// create is about to be sent (see recordCreateRequested).
func (run *learnerRun) beforeCreate(ctx context.Context) *outcome {
	if run.grants.mayAdopt {
		return nil
	}
	return recordCreateRequested(ctx, run.client, run.l, run.clock.Now(), func(l *v1alpha1.Learner, t *metav1.Time) {
		l.Status.CreateRequestedTime = t
	})
}

// deactivates reports whether writing want over have deactivates the user:
// it is active, or the vendor's answer did not say.
func deactivates(want, have lms.User) bool {
	return !want.Active && (have.Active || have.Unobserved.Has(lms.FieldActive))
}

// guardActive settles the guard when the spec no longer deactivates the user.
func (run *learnerRun) guardActive(ctx context.Context, obs userObservation) {
	if !obs.exists || run.observeOnly() || !deactivates(obs.want, obs.user) {
		run.settleHeld(ctx, purposeActive)
	}
}
