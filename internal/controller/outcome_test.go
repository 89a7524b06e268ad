package controller

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/budget"
)

func TestFromError(t *testing.T) {
	vendorErr := func(kind lms.ErrorKind, code string) error {
		return &lms.Error{Kind: kind, Op: "eleap users/add", Code: code, Message: "refused"}
	}
	limited := &lms.Error{Kind: lms.KindRateLimited, Code: budget.CodeTooManyRequests, Message: "slow down", RetryAfter: time.Minute}
	budgetWait := &lms.Error{Kind: lms.KindRateLimited, Code: budget.CodeBudgetExhausted, Message: "no token", RetryAfter: 10 * time.Millisecond}
	type want struct {
		reason       string
		message      string
		stalled, err bool
		requeueAfter time.Duration
	}
	cases := map[string]row[error, want]{
		"RateLimitedWaitsRetryAfter": {reason: "a vendor 429 requeues after its Retry-After, not stalled, no backoff error",
			args: limited, want: want{reason: v1alpha1.ReasonRateLimited, message: "create user: slow down", requeueAfter: time.Minute}},
		"BudgetWaitsAtLeastASecond": {reason: "an empty budget requeues after the token is due, at least a second",
			args: budgetWait, want: want{reason: v1alpha1.ReasonWaitingForRateBudget, message: "create user: no token", requeueAfter: time.Second}},
		"InvalidCredentialsStall": {reason: "refused credentials stall until the Secret changes",
			args: vendorErr(lms.KindInvalidCredentials, "4011"),
			want: want{reason: v1alpha1.ReasonInvalidCredentials, message: "create user: refused", stalled: true}},
		"ForbiddenStalls":      {args: vendorErr(lms.KindForbidden, "403"), reason: "no rights is terminal", want: want{reason: v1alpha1.ReasonForbidden, message: "create user: refused", stalled: true}},
		"InvalidRequestStalls": {args: vendorErr(lms.KindInvalidRequest, "4040"), reason: "the vendor's refusal keeps its message", want: want{reason: v1alpha1.ReasonInvalidRequest, message: "create user: refused", stalled: true}},
		"UnsupportedStalls":    {args: vendorErr(lms.KindUnsupported, ""), reason: "what the vendor cannot do is terminal", want: want{reason: v1alpha1.ReasonUnsupported, message: "create user: refused", stalled: true}},
		"TransientBacksOff": {reason: "a 5xx is retried with controller-runtime's backoff",
			args: vendorErr(lms.KindTransient, "503"), want: want{reason: v1alpha1.ReasonVendorUnavailable, message: "create user: refused", err: true}},
		"UnclassifiedBacksOff": {reason: "an error that is no *lms.Error is taken as transient",
			args: errors.New("dial tcp: refused"), want: want{reason: v1alpha1.ReasonVendorUnavailable, message: "create user: dial tcp: refused", err: true}},
	}
	checkTable(t, "fromError", cases, func(err error) want {
		o := fromError("create user", err)
		return want{reason: o.reason, message: o.message, stalled: o.stalled, err: o.err != nil, requeueAfter: o.requeueAfter}
	}, cmp.AllowUnexported(want{}))
}

func TestOutcomeApply(t *testing.T) {
	const gen = 3
	cond := func(typ string, status metav1.ConditionStatus, reason string) metav1.Condition {
		return metav1.Condition{Type: typ, Status: status, Reason: reason, Message: "m", ObservedGeneration: gen}
	}
	stale := []metav1.Condition{cond(v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonUnsupported),
		cond(v1alpha1.ConditionReconciling, metav1.ConditionTrue, v1alpha1.ReasonProgressing)}
	type args struct {
		before []metav1.Condition
		o      outcome
	}
	cases := map[string]row[args, []metav1.Condition]{
		"DoneIsReadyAlone": {reason: "a converged object has Ready True and neither Reconciling nor Stalled",
			args: args{before: stale, o: done(v1alpha1.ReasonSynced, "m", 0)},
			want: []metav1.Condition{cond(v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonSynced)}},
		"WorkingIsReconciling": {reason: "work in progress is Ready False and Reconciling True with the same reason",
			args: args{o: working(v1alpha1.ReasonWaitingForRateBudget, "m", time.Second)},
			want: []metav1.Condition{cond(v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonWaitingForRateBudget),
				cond(v1alpha1.ConditionReconciling, metav1.ConditionTrue, v1alpha1.ReasonWaitingForRateBudget)}},
		"StalledIsNotReconciling": {reason: "a stalled object is Ready False and Stalled True, never Reconciling",
			args: args{before: stale[1:], o: stalled(v1alpha1.ReasonInvalidCredentials, "m")},
			want: []metav1.Condition{cond(v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonInvalidCredentials),
				cond(v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonInvalidCredentials)}},
		"PausedIsNeitherReconcilingNorStalled": {reason: "a paused object is Ready False Paused; nothing is in progress and a removed annotation resumes it",
			args: args{before: stale, o: func() outcome { o := objectPaused("Learner"); o.message = "m"; return o }()},
			want: []metav1.Condition{cond(v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonPaused)}},
	}
	checkTable(t, "apply", cases, func(a args) []metav1.Condition {
		conds := append([]metav1.Condition(nil), a.before...)
		a.o.apply(&conds, gen)
		return conds
	}, cmpopts.IgnoreFields(metav1.Condition{}, "LastTransitionTime"),
		cmpopts.SortSlices(func(a, b metav1.Condition) bool { return a.Type < b.Type }))
}

func TestOutcomeApplyMovesTransitionTimeOnlyOnAFlip(t *testing.T) {
	then := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	conds := []metav1.Condition{{Type: v1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSynced,
		LastTransitionTime: then, ObservedGeneration: 1}}
	done(v1alpha1.ReasonSynced, "still synced", 0).apply(&conds, 2)
	if got := conds[0].LastTransitionTime; !got.Equal(&then) {
		t.Errorf("Ready stayed True: LastTransitionTime must stay %s, got %s", then, got)
	}
	working(v1alpha1.ReasonProgressing, "writing", 0).apply(&conds, 2)
	if got := conds[0].LastTransitionTime; got.Equal(&then) {
		t.Errorf("Ready flipped to False: LastTransitionTime must move, still %s", got)
	}
}

func TestOutcomeObservedGeneration(t *testing.T) {
	cases := map[string]row[outcome, int64]{
		"Ready":   {reason: "a converged spec is observed", args: done(v1alpha1.ReasonSynced, "", 0), want: 5},
		"Stalled": {reason: "a spec that can never be applied is observed too", args: stalled(v1alpha1.ReasonUnsupported, ""), want: 5},
		"Working": {reason: "work in progress keeps the generation recorded before", args: working(v1alpha1.ReasonProgressing, "", 0), want: 4},
	}
	checkTable(t, "observedGeneration", cases, func(o outcome) int64 { return o.observedGeneration(5, 4) })
}
