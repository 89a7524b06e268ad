package controller

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// eleapCaps and exceedCaps are the capabilities the tables need: eLeaP has
// every optional field and assigns ids; Exceed lets the caller choose the
// code and has neither middle names nor descriptions.
var (
	eleapCaps  = lms.Capabilities{CustomFields: true, MiddleName: true, Description: true}
	exceedCaps = lms.Capabilities{CustomFields: true, CallerChosenUserID: true}
)

func TestDesiredUser(t *testing.T) {
	spec := v1alpha1.LearnerSpec{Email: " Ada@Example.COM ", FirstName: "Ada", MiddleName: "King", LastName: "Lovelace",
		Description: "analyst", CustomFields: map[string]string{"Department": "R&D"}}
	type args struct {
		spec v1alpha1.LearnerSpec
		caps lms.Capabilities
	}
	cases := map[string]row[args, lms.User]{
		"ELeaPHasEveryField": {
			reason: "eLeaP gets the lower-cased email, the middle name, the description and the custom fields, and no external id",
			args:   args{spec: spec, caps: eleapCaps},
			want: lms.User{Email: "ada@example.com", FirstName: "Ada", MiddleName: "King", LastName: "Lovelace",
				Description: "analyst", Role: lms.RoleLearner, Active: true, CustomFields: map[string]string{"Department": "R&D"}},
		},
		"CallerChosenIDDefaultsToTheEmail": {
			reason: "where the caller chooses the id, it defaults to the lower-cased email; fields the vendor lacks are left out",
			args:   args{spec: spec, caps: exceedCaps},
			want: lms.User{ExternalID: "ada@example.com", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace",
				Role: lms.RoleLearner, Active: true, CustomFields: map[string]string{"Department": "R&D"}},
		},
		"ExplicitExternalIDInactiveManager": {
			reason: "spec.externalID, spec.active false and spec.role are carried over",
			args: args{caps: exceedCaps, spec: v1alpha1.LearnerSpec{Email: "a@x.io", FirstName: "A", LastName: "B",
				ExternalID: "E-7", Active: ptr.To(false), Role: v1alpha1.RoleManager, SendWelcomeEmail: true}},
			want: lms.User{ExternalID: "E-7", Email: "a@x.io", FirstName: "A", LastName: "B", Role: lms.RoleManager,
				SendWelcomeEmail: true},
		},
	}
	checkTable(t, "desiredUser", cases, func(a args) lms.User {
		return desiredUser(&v1alpha1.Learner{Spec: a.spec}, a.caps)
	})
}

func TestLastSynced(t *testing.T) {
	now := metav1.Date(2026, 12, 2, 12, 0, 0, 0, metav1.Now().Location())
	recent := metav1.NewTime(now.Add(-10 * syncedRefresh / 60))
	old := metav1.NewTime(now.Add(-2 * syncedRefresh))
	type args struct {
		prev     *metav1.Time
		wasReady bool
	}
	cases := map[string]row[args, *metav1.Time]{
		"Never": {reason: "a first sync records now", args: args{wasReady: true}, want: &now},
		"RecentAndReady": {reason: "a converged Learner keeps its time while it is recent: no status write",
			args: args{prev: &recent, wasReady: true}, want: &recent},
		"OldAndReady": {reason: "after syncedRefresh the time moves on", args: args{prev: &old, wasReady: true}, want: &now},
		"RecentNotReady": {reason: "a Learner that was not Ready (a new spec, a fix) records now",
			args: args{prev: &recent, wasReady: false}, want: &now},
	}
	checkTable(t, "lastSynced", cases, func(a args) *metav1.Time { return lastSynced(now.Time, a.prev, a.wasReady) })
}
