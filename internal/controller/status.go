package controller

import (
	"context"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// patchStatus writes obj's status as a merge patch against orig, and only
// when it changed, so that a converged object costs no API write.
func patchStatus(ctx context.Context, c client.Client, orig, obj client.Object, origStatus, status any) error {
	if equality.Semantic.DeepEqual(origStatus, status) {
		return nil
	}
	err := c.Status().Patch(ctx, obj, client.MergeFrom(orig))
	if apierrors.IsNotFound(err) {
		return nil // deleted meanwhile: nothing to report on
	}
	return err
}
