package controller

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/inventory"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// A UsersChangedFunc is told of users that changed in a connection's inventory refresh.
type UsersChangedFunc func(ctx context.Context, key pool.Key, changes []inventory.Change)

// UsersChanged enqueues the Learners of a connection whose user changed in
// the LMS, so that drift is corrected as soon as the inventory sees it.
func (r *LearnerReconciler) UsersChanged(ctx context.Context, key pool.Key, changes []inventory.Change) {
	touched := map[string]bool{}
	for _, c := range changes {
		for _, u := range []*lms.User{c.Before, c.After} {
			if u != nil {
				touched["id:"+u.ID], touched["email:"+lms.NormalizeEmail(u.Email)] = true, true
			}
		}
	}
	var list v1alpha1.LearnerList
	if err := r.client.List(ctx, &list, client.MatchingFields{indexConnection: indexValue(key)}, client.UnsafeDisableDeepCopy); err != nil {
		return
	}
	for i := range list.Items {
		l := &list.Items[i]
		if touched["id:"+l.Status.ExternalID] || touched["email:"+lms.NormalizeEmail(l.Spec.Email)] {
			select {
			case r.changed <- event.GenericEvent{Object: l}:
			case <-ctx.Done():
				return
			}
		}
	}
}
