package controller

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// A statusWriter publishes a reconcile's outcome in the object's status.
type statusWriter struct {
	client client.Client
	// reader reads the API server directly, past a stale cache.
	reader  client.Reader
	metrics *metrics.Metrics
}

func (d Deps) statusWriter() statusWriter {
	return statusWriter{client: d.Client, reader: d.APIReader, metrics: d.Metrics}
}

// A rebaseFunc copies the reconciled status onto fresh, the object as the API
// server holds it now, keeping what fresh records that this reconcile did not
// change (see rebaseSet).
type rebaseFunc func(fresh client.Object)

// finish publishes o in the status of obj (of the given kind), counts a
// failure in the metrics, and patches the status when it differs from
// origStatus. st is obj's common status; origStatus and status point at the
// whole status before and after the reconcile.
//
// The patch carries orig's resourceVersion. When the reconcile read a stale
// copy (a newer status was written meanwhile), the status is rebased onto
// the fresh object and written once more: status records what the operator
// owns in the LMS, and a stale copy must neither overwrite nor lose it.
func (w statusWriter) finish(ctx context.Context, kind string, orig, obj client.Object, st *v1alpha1.CommonStatus,
	origStatus, status any, rebase rebaseFunc, o outcome) (ctrl.Result, error) {
	o.apply(&st.Conditions, obj.GetGeneration())
	st.ObservedGeneration = o.observedGeneration(obj.GetGeneration(), st.ObservedGeneration)
	if !o.ready && (o.stalled || o.err != nil) {
		w.metrics.ReconcileErrors.WithLabelValues(kind, o.reason).Inc()
	}
	err := patchStatus(ctx, w.client, orig, obj, origStatus, status, true)
	if apierrors.IsConflict(err) {
		err = w.rebased(ctx, obj, rebase)
	}
	if apierrors.IsConflict(err) {
		return ctrl.Result{RequeueAfter: staleRetry}, nil
	}
	if err != nil && o.err == nil {
		return ctrl.Result{}, err
	}
	return o.result()
}

// rebased writes the status once more, onto the object read afresh.
func (w statusWriter) rebased(ctx context.Context, obj client.Object, rebase rebaseFunc) error {
	fresh := obj.DeepCopyObject().(client.Object)
	if err := w.reader.Get(ctx, client.ObjectKeyFromObject(obj), fresh); err != nil {
		return client.IgnoreNotFound(err)
	}
	base := fresh.DeepCopyObject().(client.Object)
	rebase(fresh)
	return client.IgnoreNotFound(w.client.Status().Patch(ctx, fresh, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})))
}

// rebaseSet applies to fresh, a set as the API server holds it now, what a
// reconcile changed from orig to mine: it adds what mine added and removes
// what mine removed, so that entries written by another reconcile survive.
func rebaseSet(fresh, orig, mine []string) []string {
	set := idSet(fresh)
	was, now := idSet(orig), idSet(mine)
	for id := range now {
		if !was[id] {
			set[id] = true
		}
	}
	for id := range was {
		if !now[id] {
			delete(set, id)
		}
	}
	return sortedIDs(set)
}

// releaseIfConnectionGone lets obj, being deleted, go when its connection no
// longer exists: nothing in the LMS can be reached to apply its deletion policy.
func releaseIfConnectionGone(ctx context.Context, c client.Client, obj client.Object, o outcome) outcome {
	if !o.connectionGone || !controllerutil.RemoveFinalizer(obj, Finalizer) {
		return o
	}
	if err := c.Update(ctx, obj); err != nil {
		return outcome{reason: v1alpha1.ReasonDeleting, message: err.Error(), err: client.IgnoreNotFound(err)}
	}
	return o
}
