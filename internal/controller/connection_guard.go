package controller

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// actionApprove is the events.k8s.io action of an approval of held deletions.
const actionApprove = "ApproveDeletions"

// guardConnection runs the connection's side of its deletion guard: it
// records an approval given with the annotation, sets the threshold from the
// Learners that use the connection, forgets holders that are gone, and
// publishes what the guard holds in status.
func (r *connectionCore) guardConnection(ctx context.Context, obj connectionObject) error {
	if r.guards == nil {
		return nil
	}
	key := obj.poolKey()
	g := r.guards.of(key, seedOf(obj.object(), obj.settings(), obj.connStatus().DeletionProtection))
	if err := r.approveDeletions(ctx, obj, g); err != nil {
		return err
	}
	learners, err := r.learnersOf(ctx, key)
	if err != nil {
		return err
	}
	g.setThreshold(thresholdOf(obj.settings().DeletionProtection, learners))
	r.forgetGoneHolders(ctx, g)
	r.publishGuard(obj, g.view(), learners)
	return nil
}

// approveDeletions records the count of the approval annotation, if any, and
// removes the annotation; the objects held are enqueued at once. The
// annotation goes first (with the resourceVersion read, so that a newer
// value is not lost): a failure in between loses the approval, never counts
// it twice.
func (r *connectionCore) approveDeletions(ctx context.Context, obj connectionObject, g *deletionGuard) error {
	value, ok := obj.GetAnnotations()[v1alpha1.AnnotationApproveDeletions]
	if !ok {
		return nil
	}
	cp := obj.object().DeepCopyObject().(client.Object)
	base := cp.DeepCopyObject().(client.Object)
	annotations := cp.GetAnnotations()
	delete(annotations, v1alpha1.AnnotationApproveDeletions)
	cp.SetAnnotations(annotations)
	if err := r.Client.Patch(ctx, cp, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
		return fmt.Errorf("remove the annotation %s: %w", v1alpha1.AnnotationApproveDeletions, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil || n <= 0 || n > 1000000 {
		r.warn(obj.object(), v1alpha1.EventApprovalInvalid, actionApprove,
			"The annotation %s must be a count from 1 to 1000000, such as \"400\"; it was removed", v1alpha1.AnnotationApproveDeletions)
		return nil
	}
	if err := g.approve(ctx, n); err != nil {
		r.warn(obj.object(), v1alpha1.EventApprovalInvalid, actionApprove, "Could not record the approval of %d deletions (annotate again): %v", n, err)
		return err
	}
	r.Recorder.Eventf(obj.object(), nil, corev1.EventTypeNormal, v1alpha1.EventDeletionsApproved, actionApprove,
		"Approved %d more deletions within the next hour; %d were held", n, g.view().held)
	r.guards.kick(obj.poolKey())
	return nil
}

// learnersOf counts the Learners that use connection key.
func (r *connectionCore) learnersOf(ctx context.Context, key pool.Key) (int, error) {
	var list v1alpha1.LearnerList
	err := r.Client.List(ctx, &list, client.MatchingFields{indexConnection: indexValue(key)}, client.UnsafeDisableDeepCopy)
	if err != nil {
		return 0, fmt.Errorf("count the Learners of %s: %w", key, err)
	}
	return len(list.Items), nil
}

// forgetGoneHolders forgets what objects that no longer exist held (their
// finalizer was removed by hand), so that they do not hold the guard shut.
func (r *connectionCore) forgetGoneHolders(ctx context.Context, g *deletionGuard) {
	for _, h := range g.holders() {
		obj := newManaged(h.kind)
		if obj == nil {
			continue
		}
		err := r.Client.Get(ctx, client.ObjectKey{Namespace: h.namespace, Name: h.name}, obj)
		if apierrors.IsNotFound(err) {
			g.drop(h.kind, h.namespace, h.name, "")
		}
	}
}

// newManaged returns an empty object of a guarded kind.
func newManaged(kind string) client.Object {
	switch kind {
	case "Learner":
		return &v1alpha1.Learner{}
	case "LearnerGroup":
		return &v1alpha1.LearnerGroup{}
	case "Enrollment":
		return &v1alpha1.Enrollment{}
	}
	return nil
}

// publishGuard shows the guard in status.deletionProtection and the
// DeletionsHeld condition, with a Warning event when it starts holding.
// The fields the guard writes itself (window, approvals) are left as read.
func (r *connectionCore) publishGuard(obj connectionObject, v guardView, learners int) {
	st := obj.connStatus()
	dp := &v1alpha1.DeletionProtectionStatus{}
	if st.DeletionProtection != nil {
		dp = st.DeletionProtection.DeepCopy()
	}
	dp.Threshold, dp.ManagedLearners, dp.SentLastHour, dp.Held = int32(v.threshold), int32(learners), int32(v.sent), int32(v.held)
	st.DeletionProtection = dp
	was := meta.IsStatusConditionTrue(st.Conditions, v1alpha1.ConditionDeletionsHeld)
	meta.SetStatusCondition(&st.Conditions, heldCondition(obj, v))
	if v.held > 0 && !was {
		r.warn(obj.object(), v1alpha1.EventDeletionsHeld, actionApprove, "Holding %d deletions: more than %d were due within an hour. %s",
			v.held, v.threshold, approveHint(obj.poolKey(), v.held))
	}
}

// heldCondition is the DeletionsHeld condition of a guard in state v.
func heldCondition(obj connectionObject, v guardView) metav1.Condition {
	c := metav1.Condition{Type: v1alpha1.ConditionDeletionsHeld, Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonWithinThreshold,
		ObservedGeneration: obj.GetGeneration(),
		Message:            fmt.Sprintf("%d of %d deletions an hour sent in the last hour; nothing held", v.sent, v.threshold)}
	if v.held > 0 {
		c.Status, c.Reason = metav1.ConditionTrue, v1alpha1.ReasonDeletionsHeld
		c.Message = fmt.Sprintf("%d deletions held: %d were sent in the last hour, the threshold is %d. %s",
			v.held, v.sent, v.threshold, approveHint(obj.poolKey(), v.held))
	}
	return c
}

// approveHint says how to let n held deletions through, or to keep them.
func approveHint(key pool.Key, n int) string {
	return fmt.Sprintf("If they are intended, approve them: %s; otherwise restore the objects, members or subjects removed",
		approveCommand(key, strconv.Itoa(n)))
}

// approveCommand is the kubectl command that approves count deletions on key.
func approveCommand(key pool.Key, count string) string {
	if key.Kind == v1alpha1.ClusterLMSConnectionKind {
		return fmt.Sprintf("kubectl annotate clusterlmsconnection %s %s=%s", key.Name, v1alpha1.AnnotationApproveDeletions, count)
	}
	return fmt.Sprintf("kubectl annotate lmsconnection %s -n %s %s=%s", key.Name, key.Namespace, v1alpha1.AnnotationApproveDeletions, count)
}
