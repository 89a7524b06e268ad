package controller

import (
	"time"

	"context"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// patchStatus writes obj's status as a merge patch against orig, and only
// when it changed, so that a converged object costs no API write. With lock,
// the patch carries the resourceVersion the reconcile read (or its own last
// write's): status records what the operator owns in the LMS (assignments,
// members), so a reconcile that read a stale copy must not overwrite a newer
// status; it gets a conflict instead.
func patchStatus(ctx context.Context, c client.Client, orig, obj client.Object, origStatus, status any, lock bool) error {
	if equality.Semantic.DeepEqual(origStatus, status) {
		return nil
	}
	var opts []client.MergeFromOption
	if lock {
		orig = orig.DeepCopyObject().(client.Object)
		orig.SetResourceVersion(obj.GetResourceVersion()) // the finalizer update's, if the reconcile made one
		opts = append(opts, client.MergeFromWithOptimisticLock{})
	}
	err := c.Status().Patch(ctx, obj, client.MergeFromWithOptions(orig, opts...))
	if apierrors.IsNotFound(err) {
		return nil // deleted meanwhile: nothing to report on
	}
	return err
}

// staleRetry is how soon an object whose status patch met a newer version is
// reconciled again, once the cache has caught up.
const staleRetry = 200 * time.Millisecond
