package controller

import (
	"errors"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/budget"
)

// An outcome is where a reconcile ended: the Ready condition to publish,
// whether work goes on (Reconciling) or nothing will change without a new
// spec or Secret (Stalled), and when to look again.
type outcome struct {
	ready   bool
	reason  string
	message string
	// stalled: nothing changes without a spec or Secret change; not retried.
	stalled bool
	// requeueAfter: look again after this long; 0 with err nil means wait for an event.
	requeueAfter time.Duration
	// err is returned to controller-runtime for backoff (transient failures).
	err error
	// abandon: the deletion policy cannot be applied (the connection is gone,
	// cannot build a client, or no longer allows the namespace); an object
	// being deleted lets go without it, with a Warning event.
	abandon bool
	// paused: the object or its connection is paused; Ready False, with
	// neither Reconciling nor Stalled (nothing is in progress).
	paused bool
}

// done is the outcome of a converged object.
func done(reason, message string, resync time.Duration) outcome {
	return outcome{ready: true, reason: reason, message: message, requeueAfter: resync}
}

// working is the outcome of an object whose work goes on.
func working(reason, message string, after time.Duration) outcome {
	return outcome{reason: reason, message: message, requeueAfter: after}
}

// stalled is the outcome of an object that cannot progress until its spec or
// Secret changes.
func stalled(reason, message string) outcome {
	return outcome{reason: reason, message: message, stalled: true}
}

// failedWith is the outcome of a failed API-server call: retried with backoff.
func failedWith(reason string, err error) outcome {
	return outcome{reason: reason, message: err.Error(), err: err}
}

// ptrTo returns a pointer to o, for the steps that return *outcome (nil: go on).
func ptrTo(o outcome) *outcome { return &o }

// fromError classifies a vendor error: rate limits requeue when the budget
// allows, terminal errors stall, anything else is retried with backoff.
func fromError(action string, err error) outcome {
	msg := action + ": " + lms.Message(err)
	var e *lms.Error
	if !errors.As(err, &e) {
		return outcome{reason: v1alpha1.ReasonVendorUnavailable, message: msg, err: err}
	}
	switch e.Kind {
	case lms.KindRateLimited:
		reason := v1alpha1.ReasonRateLimited
		if e.Code == budget.CodeBudgetExhausted {
			reason = v1alpha1.ReasonWaitingForRateBudget
		}
		return working(reason, msg, max(e.RetryAfter, time.Second))
	case lms.KindInvalidCredentials:
		return stalled(v1alpha1.ReasonInvalidCredentials, msg)
	case lms.KindForbidden:
		return stalled(v1alpha1.ReasonForbidden, msg)
	case lms.KindInvalidRequest:
		return stalled(v1alpha1.ReasonInvalidRequest, msg)
	case lms.KindUnsupported:
		return stalled(v1alpha1.ReasonUnsupported, msg)
	}
	return outcome{reason: v1alpha1.ReasonVendorUnavailable, message: msg, err: err}
}

// apply writes the outcome into conditions for generation gen: Ready always,
// Reconciling and Stalled only while True. LastTransitionTime moves only when
// a condition's status flips.
func (o outcome) apply(conds *[]metav1.Condition, gen int64) {
	ready := metav1.ConditionFalse
	if o.ready {
		ready = metav1.ConditionTrue
	}
	meta.SetStatusCondition(conds, metav1.Condition{Type: v1alpha1.ConditionReady, Status: ready,
		Reason: o.reason, Message: o.message, ObservedGeneration: gen})
	setOrRemove(conds, v1alpha1.ConditionStalled, o.stalled, o.reason, o.message, gen)
	setOrRemove(conds, v1alpha1.ConditionReconciling, !o.ready && !o.stalled && !o.paused, o.reason, o.message, gen)
}

// setOrRemove sets condition typ True with the reason and message when on,
// and removes it otherwise.
func setOrRemove(conds *[]metav1.Condition, typ string, on bool, reason, msg string, gen int64) {
	if !on {
		meta.RemoveStatusCondition(conds, typ)
		return
	}
	meta.SetStatusCondition(conds, metav1.Condition{Type: typ, Status: metav1.ConditionTrue,
		Reason: reason, Message: msg, ObservedGeneration: gen})
}

// result turns the outcome into what Reconcile returns.
func (o outcome) result() (ctrl.Result, error) {
	if o.err != nil {
		return ctrl.Result{}, o.err
	}
	return ctrl.Result{RequeueAfter: o.requeueAfter}, nil
}

// observedGeneration is the generation to record: the object's generation once
// its spec was fully applied or can never be (stalled), else the one recorded before.
func (o outcome) observedGeneration(gen, previous int64) int64 {
	if o.ready || o.stalled {
		return gen
	}
	return previous
}

// isReady reports whether conds hold Ready True for generation gen.
func isReady(conds []metav1.Condition, gen int64) bool {
	c := meta.FindStatusCondition(conds, v1alpha1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == gen
}
