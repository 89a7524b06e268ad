package controller

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// Under ObserveOnly a LearnerGroup and an Enrollment read what the LMS holds
// and report it, Ready when it matches the spec, Drifted when it does not,
// and never write: what `kubectl lms import` writes becomes Ready with zero
// vendor writes.
func TestObserveOnlyGroupsAndEnrollmentsReportWithoutWriting(t *testing.T) {
	v := newConnection(t, newNamespace(t), lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{})
	observe := v1alpha1.ManagementObserveOnly
	ada := v.learner("ada", "ada@example.com")
	ada.Spec.FirstName, ada.Spec.LastName, ada.Spec.ManagementPolicy = "Ada", "Lovelace", observe
	grace := v.learner("grace", "grace@example.com")
	grace.Spec.FirstName, grace.Spec.LastName, grace.Spec.ManagementPolicy = "Grace", "Hopper", observe
	grace.Spec.Role = v1alpha1.RoleInstructor
	create(t, ada)
	create(t, grace)
	waitReady(t, ada)
	waitReady(t, grace)

	g := learnerGroupOf(v, "engineering", "Engineering", "ada")
	g.Spec.Description, g.Spec.ManagementPolicy = "All engineers", observe
	create(t, g)
	waitCondition(t, g, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonObserved)
	if g.Status.ExternalID != "301" || g.Status.MemberCount != 1 || len(g.Status.ManagedMembers) != 0 {
		t.Errorf("group status = %+v, want the seeded group 301 with its 1 member and nothing managed", g.Status)
	}
	e := enrollmentOf(v, "conduct", courseByID("102"), "ada")
	e.Spec.ManagementPolicy = observe
	create(t, e)
	waitCondition(t, e, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonObserved)
	waitEnrollment(t, e, "ada assigned and completed, as the seed says", func(e *v1alpha1.Enrollment) bool {
		return e.Status.Summary.Assigned == 1 && e.Status.Summary.Completed == 1
	})

	graceRef := v1alpha1.LocalObjectReference{Name: "grace"}
	update(t, e, func() { e.Spec.Subjects.LearnerRefs = append(e.Spec.Subjects.LearnerRefs, graceRef) })
	waitCondition(t, e, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonDrifted)
	update(t, g, func() { g.Spec.Members.LearnerRefs = append(g.Spec.Members.LearnerRefs, graceRef) })
	waitCondition(t, g, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonDrifted)

	for ep, n := range v.sim.Calls(lmssim.ELeaP) {
		if isELeaPWrite(ep) && n > 0 {
			t.Errorf("ObserveOnly sent %d %s, want no write", n, ep)
		}
	}
	for _, obj := range []interface{ GetFinalizers() []string }{g, e} {
		if len(obj.GetFinalizers()) != 0 {
			t.Errorf("an ObserveOnly object has finalizers %v: nothing of it is to be deleted in the LMS", obj.GetFinalizers())
		}
	}
}
