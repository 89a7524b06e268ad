package controller

import (
	"context"
	"fmt"
	"time"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// objectPaused is the outcome of an object of kind that carries the paused
// annotation: Ready False, reason Paused, nothing sent to the LMS. Deleted
// while paused, the object lets go of its LMS counterpart as it is (abandon).
func objectPaused(kind string) outcome {
	return outcome{reason: v1alpha1.ReasonPaused, paused: true, abandon: true,
		message: fmt.Sprintf("this %s is paused (annotation %s=true): nothing is sent to the LMS; remove the annotation to resume",
			kind, v1alpha1.AnnotationPaused)}
}

// connectionPaused is the outcome of a dependent of the paused connection key.
func connectionPaused(key pool.Key) outcome {
	return outcome{reason: v1alpha1.ReasonPaused, paused: true, abandon: true,
		message: fmt.Sprintf("%s %s is paused (annotation %s=true): nothing is sent to the LMS for it; remove the annotation from the connection to resume",
			key.Kind, key, v1alpha1.AnnotationPaused)}
}

// whilePaused is the lifecycle of a paused managed object: it publishes o;
// being deleted, it is released at once without its deletion policy (the
// LMS object is kept, as with Orphan) and a Warning event says so.
func (r *reconciler[T]) whilePaused(ctx context.Context, obj T, o outcome) outcome {
	if deleting(obj) {
		return r.abandon(ctx, obj, o)
	}
	return o
}

// resyncAge is the age past which a snapshot is re-read on request: any.
const resyncAge = time.Nanosecond

// resync handles a new value of the reconcile-requested-at annotation on
// obj: its views are read afresh by this reconcile and, for a Learner, the
// connection's inventory of users is listed now; the value is then recorded
// in status.lastHandledReconcileAt. A failed list leaves the value to the
// next reconcile and returns the outcome to report.
func (r *reconciler[T]) resync(ctx context.Context, obj T, c *resolved) *outcome {
	st := obj.GetCommonStatus()
	v, ok := resyncRequested(obj, st.LastHandledReconcileAt)
	if !ok {
		return nil
	}
	r.fresh.forget(obj.GetUID())
	if _, learner := any(obj).(*v1alpha1.Learner); learner {
		_, err := c.conn.Users.Refresh(lms.WithPriority(ctx, lms.PriorityRead), c.conn.Client.Users(), resyncAge)
		if err != nil {
			return ptrTo(fromError("list users on request", err))
		}
	}
	st.LastHandledReconcileAt = v
	return nil
}

// inventoryAge is the age past which the connection obj re-reads its
// inventory: its sync interval, or any age when a new value of the
// reconcile-requested-at annotation asks for a list now; that value is
// returned too, to be recorded once the list was read.
func inventoryAge(obj connectionObject, interval time.Duration) (time.Duration, string) {
	if v, ok := resyncRequested(obj.object(), obj.connStatus().LastHandledReconcileAt); ok {
		return resyncAge, v
	}
	return interval, ""
}
