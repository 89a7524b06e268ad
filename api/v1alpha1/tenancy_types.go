package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AnnotationApproveDeletions, set on a connection to a count ("400"), lets
// that many more deactivations, deletions, unassignments and member removals
// through the connection's deletion guard within the next hour. The operator
// records the approval in status.deletionProtection and removes the annotation.
const AnnotationApproveDeletions = "training.lmsoperator.dev/approve-deletions"

// The defaults of a connection's spec.deletionProtection, applied by the
// operator (not the API server) when a field is unset.
const (
	// DefaultDeletionsPerHour is the default of spec.deletionProtection.maxPerHour.
	DefaultDeletionsPerHour = 100
	// DefaultDeletionsPercent is the default of spec.deletionProtection.maxPercent.
	DefaultDeletionsPercent = 10
)

// AdoptionPolicy says whether a pre-existing LMS user or group may be taken
// over by the Learner or LearnerGroup that names it.
// +kubebuilder:validation:Enum=Adopt;Never
type AdoptionPolicy string

// The adoption policies.
const (
	// AdoptionAdopt takes over a pre-existing LMS user or group whose identity
	// key (email, externalID, eLeaP group name) a Learner or LearnerGroup names.
	AdoptionAdopt AdoptionPolicy = "Adopt"
	// AdoptionNever refuses it: the object is Stalled with reason
	// AdoptionRefused and nothing is sent.
	AdoptionNever AdoptionPolicy = "Never"
)

// Adoption says whether the Learners and LearnerGroups of an LMSConnection
// may take over LMS users and groups that existed before them.
type Adoption struct {
	// policy is Adopt (the default on an LMSConnection, whose owner holds the
	// credentials) or Never (a pre-existing LMS user or group is not taken: the
	// Learner or LearnerGroup is Stalled with reason AdoptionRefused and nothing
	// is sent to the LMS).
	// +optional
	Policy AdoptionPolicy `json:"policy,omitempty"`
}

// ClusterAdoption says which namespaces may take over, through a
// ClusterLMSConnection, LMS users and groups that existed before their
// Learners and LearnerGroups.
// +kubebuilder:validation:XValidation:rule="!has(self.namespaces) || !has(self.policy) || self.policy == 'Adopt'",message="spec.adoption.namespaces applies only with policy Adopt",fieldPath=".namespaces"
type ClusterAdoption struct {
	// policy is Adopt or Never. Default: Adopt for the namespaces listed in
	// namespaces when it is set, Never otherwise, so that no tenant takes over
	// an LMS user or group it did not create unless the connection's owner says
	// so. Refused adoption: the Learner or LearnerGroup is Stalled with reason
	// AdoptionRefused and nothing is sent to the LMS.
	// +optional
	Policy AdoptionPolicy `json:"policy,omitempty"`

	// namespaces that may adopt, by name and/or label selector (as in
	// spec.allowedNamespaces). Unset with policy Adopt: every namespace the
	// connection allows.
	// +optional
	Namespaces *AllowedNamespaces `json:"namespaces,omitempty"`
}

// DeletionProtection is a connection's guard against mass deletion, like
// Microsoft Entra's accidental-deletion threshold: deactivations, deletions,
// unassignments of enrollments and removals of group members past the
// threshold within a sliding hour are held, not sent, until approved with the
// annotation training.lmsoperator.dev/approve-deletions.
type DeletionProtection struct {
	// maxPerHour is how many such operations may be sent in any hour without
	// approval. Default 100. The threshold is the larger of maxPerHour and
	// maxPercent.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000000
	MaxPerHour *int32 `json:"maxPerHour,omitempty"`

	// maxPercent is the same limit as a percentage of the Learners that use
	// the connection. Default 10.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	MaxPercent *int32 `json:"maxPercent,omitempty"`
}

// DeletionWindowEntry counts the guarded operations sent in one minute.
type DeletionWindowEntry struct {
	// minute the operations were sent in (the start of the minute).
	// +required
	Minute metav1.Time `json:"minute"`
	// count of operations sent in that minute.
	// +required
	// +kubebuilder:validation:Minimum=0
	Count int32 `json:"count"`
}

// DeletionApproval is one approval given with the annotation.
type DeletionApproval struct {
	// count of operations approved.
	// +required
	// +kubebuilder:validation:Minimum=0
	Count int32 `json:"count"`
	// time the operator recorded the approval.
	// +required
	Time metav1.Time `json:"time"`
}

// DeletionProtectionStatus reports a connection's deletion guard.
type DeletionProtectionStatus struct {
	// threshold in force: how many guarded operations may be sent in any hour
	// without approval.
	// +optional
	Threshold int32 `json:"threshold,omitempty"`
	// managedLearners is the number of Learners using the connection, of
	// which maxPercent is taken.
	// +optional
	ManagedLearners int32 `json:"managedLearners,omitempty"`
	// sentLastHour is how many guarded operations were sent in the last hour.
	// +optional
	SentLastHour int32 `json:"sentLastHour,omitempty"`
	// held is how many operations wait for approval now. Restoring the objects
	// (or their members, subjects, active flag) lowers it.
	// +optional
	Held int32 `json:"held,omitempty"`
	// approved is how many approved operations are left to use.
	// +optional
	Approved int32 `json:"approved,omitempty"`
	// approvedUntil is when what is left of the last approval lapses.
	// +optional
	ApprovedUntil *metav1.Time `json:"approvedUntil,omitempty"`
	// lastApproval is the last approval recorded.
	// +optional
	LastApproval *DeletionApproval `json:"lastApproval,omitempty"`
	// window counts the operations sent in the last hour, by minute, so that a
	// restart of the manager does not open the guard again.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=61
	Window []DeletionWindowEntry `json:"window,omitempty"`
}
