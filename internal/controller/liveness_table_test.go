package controller

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/inventory"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// readyCond is a Ready condition of generation 1.
func readyCond(status metav1.ConditionStatus, reason string) []metav1.Condition {
	return []metav1.Condition{{Type: v1alpha1.ConditionReady, Status: status, Reason: reason, ObservedGeneration: 1}}
}

func TestReadinessChangedTellsDependentsWhatChangesForThem(t *testing.T) {
	type args struct{ old, new *v1alpha1.LMSConnection }
	conn := func(mutate func(c *v1alpha1.LMSConnection)) *v1alpha1.LMSConnection {
		c := &v1alpha1.LMSConnection{ObjectMeta: metav1.ObjectMeta{Generation: 1}}
		c.Status.ObservedGeneration, c.Status.SecretResourceVersion = 1, "10"
		c.Status.Conditions = readyCond(metav1.ConditionTrue, v1alpha1.ReasonConnected)
		if mutate != nil {
			mutate(c)
		}
		return c
	}
	now := metav1.Now()
	cases := map[string]row[args, bool]{
		"NothingChanged": {reason: "a status refresh (rateLimit, messages) must not wake every dependent",
			args: args{conn(nil), conn(func(c *v1alpha1.LMSConnection) { c.Status.Conditions[0].Message = "1 user" })}, want: false},
		"ReadyFlips": {reason: "dependents resume or wait when Ready flips",
			args: args{conn(nil), conn(func(c *v1alpha1.LMSConnection) {
				c.Status.Conditions = readyCond(metav1.ConditionFalse, v1alpha1.ReasonInventoryFailed)
			})}, want: true},
		"ReasonChangesWhileNotReady": {reason: "SecretNotFound, then Deleting: the connection became usable for deletions",
			args: args{conn(func(c *v1alpha1.LMSConnection) {
				c.Status.Conditions = readyCond(metav1.ConditionFalse, v1alpha1.ReasonSecretNotFound)
			}), conn(func(c *v1alpha1.LMSConnection) {
				c.Status.Conditions = readyCond(metav1.ConditionFalse, v1alpha1.ReasonDeleting)
			})}, want: true},
		"DeletionStarts": {reason: "dependents being deleted must learn that the connection serves their policies now",
			args: args{conn(nil), conn(func(c *v1alpha1.LMSConnection) { c.DeletionTimestamp = &now })}, want: true},
		"SecretVerifiedAgain": {reason: "a fixed Secret must reach the dependents the old one stalled, though Ready stayed True",
			args: args{conn(nil), conn(func(c *v1alpha1.LMSConnection) { c.Status.SecretResourceVersion = "11" })}, want: true},
		"PauseAnnotated": {reason: "dependents must show Paused (and stop) as soon as their connection is paused, and resume when it is not",
			args: args{conn(nil), conn(func(c *v1alpha1.LMSConnection) {
				c.Annotations = map[string]string{v1alpha1.AnnotationPaused: "true"}
			})}, want: true},
	}
	checkTable(t, "connectionChanged", cases, func(a args) bool { return connectionChanged(a.old, a.new) })
}

func TestVerifiedSparesAVerifyCallOnEachInventoryRetry(t *testing.T) {
	type args struct {
		conds []metav1.Condition
		gen   int64
	}
	cases := map[string]row[args, bool]{
		"Ready":                  {reason: "Ready for the generation: verified", args: args{readyCond(metav1.ConditionTrue, v1alpha1.ReasonConnected), 1}, want: true},
		"InventoryFailed":        {reason: "a failing list says nothing against the credentials", args: args{readyCond(metav1.ConditionFalse, v1alpha1.ReasonInventoryFailed), 1}, want: true},
		"NewGeneration":          {reason: "a new spec is verified again", args: args{readyCond(metav1.ConditionTrue, v1alpha1.ReasonConnected), 2}, want: false},
		"InvalidCredentials":     {reason: "refused credentials are checked again", args: args{readyCond(metav1.ConditionFalse, v1alpha1.ReasonInvalidCredentials), 1}, want: false},
		"VendorUnavailableFirst": {reason: "a verify that failed is tried again", args: args{readyCond(metav1.ConditionFalse, v1alpha1.ReasonVendorUnavailable), 1}, want: false},
		"NoCondition":            {reason: "a new connection is verified", args: args{nil, 1}, want: false},
	}
	checkTable(t, "verified", cases, func(a args) bool { return verified(a.conds, a.gen) })
}

func TestNotUsableLetsDependentsWorkFromAnEarlierSnapshot(t *testing.T) {
	loaded := &pool.Connection{Users: inventory.New(clocktesting.NewFakePassiveClock(time.Now()))}
	if err := loaded.Users.EnsureLoaded(context.Background(), inventory.Lister(func(context.Context) ([]lms.User, error) {
		return []lms.User{{ID: "1"}}, nil
	})); err != nil {
		t.Fatal(err)
	}
	empty := &pool.Connection{Users: inventory.New(clocktesting.NewFakePassiveClock(time.Now()))}
	type args struct {
		conds []metav1.Condition
		conn  *pool.Connection
	}
	// The result is "usable", or the reason and message of the outcome.
	key := pool.Key{Kind: v1alpha1.LMSConnectionKind, Namespace: "ns", Name: "c"}
	notReady := func(reason string) string {
		return "ConnectionNotReady: LMSConnection ns/c is not Ready (" + reason + ": )"
	}
	cases := map[string]row[args, string]{
		"Ready": {reason: "a Ready connection serves", args: args{readyCond(metav1.ConditionTrue, v1alpha1.ReasonConnected), loaded}, want: "usable"},
		"InventoryFailedWithSnapshot": {reason: "one failed refresh must not stop every dependent: they use the snapshot",
			args: args{readyCond(metav1.ConditionFalse, v1alpha1.ReasonInventoryFailed), loaded}, want: "usable"},
		"InventoryFailedWithout": {reason: "without a snapshot dependents wait, and say why",
			args: args{readyCond(metav1.ConditionFalse, v1alpha1.ReasonInventoryFailed), empty}, want: notReady(v1alpha1.ReasonInventoryFailed)},
		"InventoryFailedNotInPool": {reason: "no pool entry: no snapshot",
			args: args{readyCond(metav1.ConditionFalse, v1alpha1.ReasonInventoryFailed), nil}, want: notReady(v1alpha1.ReasonInventoryFailed)},
		"SecretNotFound": {reason: "other reasons stop dependents",
			args: args{readyCond(metav1.ConditionFalse, v1alpha1.ReasonSecretNotFound), loaded}, want: notReady(v1alpha1.ReasonSecretNotFound)},
	}
	checkTable(t, "notUsable", cases, func(a args) string {
		o := notUsable(key, &v1alpha1.ConnectionStatus{CommonStatus: v1alpha1.CommonStatus{Conditions: a.conds}}, a.conn)
		if o == nil {
			return "usable"
		}
		return o.reason + ": " + o.message
	})
}
