package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// LearnerRole is a user's role in the LMS.
// +kubebuilder:validation:Enum=Learner;Instructor;Supervisor;Manager
type LearnerRole string

// The roles.
const (
	RoleLearner    LearnerRole = "Learner"
	RoleInstructor LearnerRole = "Instructor"
	RoleSupervisor LearnerRole = "Supervisor"
	RoleManager    LearnerRole = "Manager"
)

// LearnerDeletionPolicy says what happens to the LMS user when the Learner is deleted.
// +kubebuilder:validation:Enum=Deactivate;Delete;Orphan
type LearnerDeletionPolicy string

// The Learner deletion policies.
const (
	// LearnerDeactivate deactivates the user and keeps its training history.
	LearnerDeactivate LearnerDeletionPolicy = "Deactivate"
	// LearnerDelete removes the user from the LMS.
	LearnerDelete LearnerDeletionPolicy = "Delete"
	// LearnerOrphan leaves the user as it is.
	LearnerOrphan LearnerDeletionPolicy = "Orphan"
)

// ManagementPolicy says whether the operator may write to the LMS.
// +kubebuilder:validation:Enum=Full;ObserveOnly
type ManagementPolicy string

// The management policies.
const (
	// ManagementFull creates, updates and deletes the LMS object.
	ManagementFull ManagementPolicy = "Full"
	// ManagementObserveOnly never writes; it reports existence and drift.
	ManagementObserveOnly ManagementPolicy = "ObserveOnly"
)

// LearnerSpec is the desired state of a Learner.
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.externalID) || (has(self.externalID) && self.externalID == oldSelf.externalID)",message="spec.externalID is immutable once set",fieldPath=".externalID"
type LearnerSpec struct {
	// connectionRef names the connection the user lives in. Immutable.
	// +required
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.connectionRef is immutable"
	ConnectionRef ConnectionReference `json:"connectionRef"`

	// email of the user. The operator lower-cases it; it is the identity key on eLeaP.
	// +required
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=100
	// +kubebuilder:validation:XValidation:rule="self.matches('^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$')",message="must be an email address such as ada@example.com"
	Email string `json:"email"`

	// firstName of the user.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	FirstName string `json:"firstName"`

	// middleName of the user (eLeaP only; ignored elsewhere).
	// +optional
	// +kubebuilder:validation:MaxLength=100
	MiddleName string `json:"middleName,omitempty"`

	// lastName of the user.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	LastName string `json:"lastName"`

	// description of the user (eLeaP only).
	// +optional
	// +kubebuilder:validation:MaxLength=255
	Description string `json:"description,omitempty"`

	// customFields are the values of the LMS's custom user fields, by field name.
	// +optional
	// +kubebuilder:validation:MaxProperties=50
	CustomFields map[string]string `json:"customFields,omitempty"`

	// active is false to deactivate the user while keeping it. Default true.
	// +optional
	// +kubebuilder:default=true
	Active *bool `json:"active,omitempty"`

	// role of the user: Learner (default), Instructor, Supervisor or Manager.
	// Which roles a vendor supports is in the connection's status.capabilities.roles.
	// +optional
	// +kubebuilder:default=Learner
	Role LearnerRole `json:"role,omitempty"`

	// externalID is the vendor-side identifier where the vendor lets the caller
	// choose it (Enabley identifier, Exceed code). Default: the lower-cased email.
	// Immutable once set.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	// +kubebuilder:validation:Pattern=`^[^\s]+$`
	ExternalID string `json:"externalID,omitempty"`

	// sendWelcomeEmail asks the LMS to send its activation email when the user is
	// created. Default false.
	// +optional
	SendWelcomeEmail bool `json:"sendWelcomeEmail,omitempty"`

	// deletionPolicy says what happens to the LMS user when this Learner is
	// deleted: Deactivate (default, keeps training history), Delete or Orphan.
	// Only Delete, which is never a default, removes a user, adopted or not.
	// Deactivations and deletions count against the connection's
	// spec.deletionProtection.
	// +optional
	// +kubebuilder:default=Deactivate
	DeletionPolicy LearnerDeletionPolicy `json:"deletionPolicy,omitempty"`

	// managementPolicy is Full (default) or ObserveOnly (never writes; reports
	// whether the user exists and how it differs).
	// +optional
	// +kubebuilder:default=Full
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`
}

// Drift records the last difference found between the spec and the LMS.
type Drift struct {
	// fields that differed, by spec field name.
	// +optional
	// +listType=atomic
	Fields []string `json:"fields,omitempty"`
	// detectedTime is when the difference was found.
	// +optional
	DetectedTime *metav1.Time `json:"detectedTime,omitempty"`
	// corrected is true when the operator wrote the spec back to the LMS.
	// +optional
	Corrected bool `json:"corrected,omitempty"`
}

// LearnerStatus is the observed state of a Learner.
type LearnerStatus struct {
	CommonStatus `json:",inline"`

	// externalID is the vendor's identifier of the user.
	// +optional
	ExternalID string `json:"externalID,omitempty"`

	// adopted is true when the LMS user existed before this Learner and was
	// taken over (the connection's spec.adoption allowed it); false when the
	// operator created it.
	// +optional
	Adopted bool `json:"adopted,omitempty"`

	// createRequestedTime is when the operator last sent a create of the LMS
	// user, recorded before it is sent: a user found with no id recorded
	// (status.externalID) after a crash that lost the create's answer is then
	// known as the one the operator created, not one to adopt. It is written
	// only where the connection refuses adoption.
	// +optional
	CreateRequestedTime *metav1.Time `json:"createRequestedTime,omitempty"`

	// lastSyncedTime is when the LMS was last found to match the spec. While
	// nothing changes it moves on at most hourly, to spare the API server.
	// +optional
	LastSyncedTime *metav1.Time `json:"lastSyncedTime,omitempty"`

	// drift is the last difference found between the spec and the LMS.
	// +optional
	Drift *Drift `json:"drift,omitempty"`
}

// A Learner is a user account in an LMS.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=lrn,categories=lms
// +kubebuilder:printcolumn:name="Email",type=string,JSONPath=`.spec.email`
// +kubebuilder:printcolumn:name="External ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Connection",type=string,JSONPath=`.spec.connectionRef.name`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Learner struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired user.
	// +required
	Spec LearnerSpec `json:"spec"`

	// status is the observed state of the user.
	// +optional
	Status LearnerStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// LearnerList is a list of Learners.
type LearnerList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Learner `json:"items"`
}
