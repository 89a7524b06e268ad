package validation

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	trainingv1alpha1 "github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// TestDefaultsAreApplied creates a minimal object of each kind and checks
// that the API server filled in the documented defaults.
func TestDefaultsAreApplied(t *testing.T) {
	requireAPIServer(t)
	active := true
	cases := map[string]struct {
		manifest string
		into     client.Object
		spec     func(client.Object) any
		want     any
	}{
		"LMSConnection gets syncInterval 10m": {
			manifest: validELeaPConnection, into: &trainingv1alpha1.LMSConnection{},
			spec: func(o client.Object) any { return o.(*trainingv1alpha1.LMSConnection).Spec },
			want: trainingv1alpha1.LMSConnectionSpec{
				ConnectionSettings: trainingv1alpha1.ConnectionSettings{
					Provider:     trainingv1alpha1.ProviderELeaP,
					ELeaP:        &trainingv1alpha1.ELeaPSettings{Subdomain: "acme"},
					SyncInterval: &metav1.Duration{Duration: 10 * time.Minute},
				},
				CredentialsSecretRef: trainingv1alpha1.LocalSecretReference{Name: "eleap-credentials"},
			},
		},
		"ClusterLMSConnection gets syncInterval 10m and allowedRoles [Learner], and no adoption (unset: Never)": {
			manifest: validClusterConnection, into: &trainingv1alpha1.ClusterLMSConnection{},
			spec: func(o client.Object) any { return o.(*trainingv1alpha1.ClusterLMSConnection).Spec },
			want: trainingv1alpha1.ClusterLMSConnectionSpec{
				ConnectionSettings: trainingv1alpha1.ConnectionSettings{
					Provider:     trainingv1alpha1.ProviderELeaP,
					ELeaP:        &trainingv1alpha1.ELeaPSettings{Subdomain: "acme"},
					SyncInterval: &metav1.Duration{Duration: 10 * time.Minute},
				},
				CredentialsSecretRef: trainingv1alpha1.SecretReference{Name: "eleap-credentials", Namespace: "lms-operator-system"},
				AllowedRoles:         []trainingv1alpha1.LearnerRole{trainingv1alpha1.RoleLearner},
			},
		},
		"Learner gets kind LMSConnection, role Learner, active, Deactivate and Full": {
			manifest: validLearner, into: &trainingv1alpha1.Learner{},
			spec: func(o client.Object) any { return o.(*trainingv1alpha1.Learner).Spec },
			want: trainingv1alpha1.LearnerSpec{
				ConnectionRef:    trainingv1alpha1.ConnectionReference{Name: "eleap", Kind: trainingv1alpha1.LMSConnectionKind},
				Email:            "ada@example.com",
				FirstName:        "Ada",
				LastName:         "Lovelace",
				Active:           &active,
				Role:             trainingv1alpha1.RoleLearner,
				DeletionPolicy:   trainingv1alpha1.LearnerDeactivate,
				ManagementPolicy: trainingv1alpha1.ManagementFull,
			},
		},
		"LearnerGroup gets kind LMSConnection, active, Additive and Full, but no deletionPolicy (unset: Delete unless adopted)": {
			manifest: validLearnerGroup, into: &trainingv1alpha1.LearnerGroup{},
			spec: func(o client.Object) any { return o.(*trainingv1alpha1.LearnerGroup).Spec },
			want: trainingv1alpha1.LearnerGroupSpec{
				ConnectionRef:    trainingv1alpha1.ConnectionReference{Name: "eleap", Kind: trainingv1alpha1.LMSConnectionKind},
				DisplayName:      "Platform Team",
				Active:           &active,
				Members:          trainingv1alpha1.GroupMembers{LearnerRefs: []trainingv1alpha1.LocalObjectReference{{Name: "ada"}}},
				MembershipPolicy: trainingv1alpha1.MembershipAdditive,
				ManagementPolicy: trainingv1alpha1.ManagementFull,
			},
		},
		"Enrollment gets kind LMSConnection, role Learner, Full and Unassign": {
			manifest: validEnrollment, into: &trainingv1alpha1.Enrollment{},
			spec: func(o client.Object) any { return o.(*trainingv1alpha1.Enrollment).Spec },
			want: trainingv1alpha1.EnrollmentSpec{
				ConnectionRef:    trainingv1alpha1.ConnectionReference{Name: "eleap", Kind: trainingv1alpha1.LMSConnectionKind},
				Course:           &trainingv1alpha1.TargetReference{ID: "101"},
				Subjects:         trainingv1alpha1.Subjects{LearnerRefs: []trainingv1alpha1.LocalObjectReference{{Name: "ada"}}},
				Role:             trainingv1alpha1.EnrollmentRole("Learner"),
				ManagementPolicy: trainingv1alpha1.ManagementFull,
				DeletionPolicy:   trainingv1alpha1.EnrollmentUnassign,
			},
		},
	}
	ns := newNamespace(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			obj := objectFromYAML(t, tc.manifest, ns)
			createOrFail(t, obj)
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, tc.into); err != nil {
				t.Fatalf("decode the object the API server returned: %v", err)
			}
			if diff := cmp.Diff(tc.want, tc.spec(tc.into)); diff != "" {
				t.Errorf("spec after defaulting differs (-want +got):\n%s", diff)
			}
		})
	}
}
