package v1alpha1

// Annotations a user sets on any kind (Learner, LearnerGroup, Enrollment,
// LMSConnection, ClusterLMSConnection) to steer the operator.
const (
	// AnnotationPaused, set to "true", stops every vendor call for the object;
	// on a connection, for all its dependents too, and the connection itself
	// neither verifies its credentials nor lists the inventory. The object
	// reports Ready False with reason Paused. Removing the annotation (or any
	// other value) resumes at once. A paused object that is deleted keeps its
	// LMS counterpart (as with deletionPolicy Orphan) and says so in an event.
	AnnotationPaused = "training.lmsoperator.dev/paused"

	// AnnotationReconcileRequestedAt, set to a new value (a timestamp, say),
	// re-reads the LMS for the object now, past the inventory's sync interval,
	// once per value; status.lastHandledReconcileAt records the value handled.
	AnnotationReconcileRequestedAt = "training.lmsoperator.dev/reconcile-requested-at"
)
