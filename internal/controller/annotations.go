package controller

import (
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// paused reports whether obj carries the annotation
// training.lmsoperator.dev/paused set to "true" (any case, spaces ignored);
// any other value, or none, means not paused.
func paused(obj client.Object) bool {
	return strings.EqualFold(strings.TrimSpace(obj.GetAnnotations()[v1alpha1.AnnotationPaused]), "true")
}

// resyncRequested returns the value of the annotation
// training.lmsoperator.dev/reconcile-requested-at, and whether it asks for
// a re-read: it is set, not blank, and not handled, the value recorded in
// status.lastHandledReconcileAt.
func resyncRequested(obj client.Object, handled string) (string, bool) {
	v, ok := obj.GetAnnotations()[v1alpha1.AnnotationReconcileRequestedAt]
	if !ok || strings.TrimSpace(v) == "" || v == handled {
		return "", false
	}
	return v, true
}

// annotationsChanged reports whether an update from old to new changed
// one of the annotations the operator acts on.
func annotationsChanged(old, new client.Object) bool {
	o, n := old.GetAnnotations(), new.GetAnnotations()
	return o[v1alpha1.AnnotationPaused] != n[v1alpha1.AnnotationPaused] ||
		o[v1alpha1.AnnotationReconcileRequestedAt] != n[v1alpha1.AnnotationReconcileRequestedAt]
}
