package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MembershipPolicy says which members the operator removes from a group.
// +kubebuilder:validation:Enum=Additive;Authoritative
type MembershipPolicy string

// The membership policies.
const (
	// MembershipAdditive adds the declared members and removes only members the
	// operator added earlier.
	MembershipAdditive MembershipPolicy = "Additive"
	// MembershipAuthoritative also removes members added in the LMS by hand.
	MembershipAuthoritative MembershipPolicy = "Authoritative"
)

// GroupDeletionPolicy says what happens to the LMS group when the LearnerGroup is deleted.
// +kubebuilder:validation:Enum=Delete;Orphan
type GroupDeletionPolicy string

// The group deletion policies.
const (
	// GroupDelete removes the group from the LMS (the users stay).
	GroupDelete GroupDeletionPolicy = "Delete"
	// GroupOrphan leaves the group as it is.
	GroupOrphan GroupDeletionPolicy = "Orphan"
)

// EnableyGroupSettings are the group settings only Enabley has.
type EnableyGroupSettings struct {
	// type of the group: one of the names Enabley returns from groups/hierarchy.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	Type string `json:"type"`

	// parentRef names the LearnerGroup, in this namespace, of the parent group.
	// +optional
	ParentRef *LocalObjectReference `json:"parentRef,omitempty"`
}

// GroupMembers declares a group's members: the union of learnerRefs and the
// Learners matched by selector.
type GroupMembers struct {
	// learnerRefs name Learners in this namespace.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=10000
	LearnerRefs []LocalObjectReference `json:"learnerRefs,omitempty"`

	// selector selects Learners in this namespace, of the same connection, by
	// label. Operators: In and NotIn with values, Exists and DoesNotExist without.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!has(self.matchExpressions) || self.matchExpressions.all(e, e.operator in ['In', 'NotIn', 'Exists', 'DoesNotExist'])",message="a matchExpressions operator must be In, NotIn, Exists or DoesNotExist"
	// +kubebuilder:validation:XValidation:rule="!has(self.matchExpressions) || self.matchExpressions.all(e, !(e.operator in ['In', 'NotIn']) || (has(e.values) && size(e.values) > 0))",message="matchExpressions with operator In or NotIn need at least one value"
	// +kubebuilder:validation:XValidation:rule="!has(self.matchExpressions) || self.matchExpressions.all(e, !(e.operator in ['Exists', 'DoesNotExist']) || !has(e.values) || size(e.values) == 0)",message="matchExpressions with operator Exists or DoesNotExist take no values"
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
}

// LearnerGroupSpec is the desired state of a LearnerGroup.
type LearnerGroupSpec struct {
	// connectionRef names the connection the group lives in. Immutable.
	// +required
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.connectionRef is immutable"
	ConnectionRef ConnectionReference `json:"connectionRef"`

	// displayName is the group's name in the LMS; on eLeaP it is also how an
	// existing group is found and adopted.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	DisplayName string `json:"displayName"`

	// description of the group.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	Description string `json:"description,omitempty"`

	// active is false to deactivate the group. Default true.
	// +optional
	// +kubebuilder:default=true
	Active *bool `json:"active,omitempty"`

	// enabley holds the settings only Enabley groups have (type, parent).
	// +optional
	Enabley *EnableyGroupSettings `json:"enabley,omitempty"`

	// members of the group.
	// +optional
	Members GroupMembers `json:"members,omitempty"`

	// membershipPolicy is Additive (default: removes only members the operator
	// added) or Authoritative (also removes members added in the LMS by hand).
	// +optional
	// +kubebuilder:default=Additive
	MembershipPolicy MembershipPolicy `json:"membershipPolicy,omitempty"`

	// managementPolicy is Full (default) or ObserveOnly: never writes; reports
	// whether the group exists, how it differs and which declared members it
	// lacks.
	// +optional
	// +kubebuilder:default=Full
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`

	// deletionPolicy says what happens to the LMS group when this LearnerGroup is
	// deleted: Delete or Orphan. Unset: Delete for a group the operator created,
	// Orphan for one it adopted (status.adopted), so that a group made by hand
	// is deleted only when Delete is set here explicitly. A deletion counts
	// against the connection's spec.deletionProtection.
	// +optional
	DeletionPolicy GroupDeletionPolicy `json:"deletionPolicy,omitempty"`
}

// LearnerGroupStatus is the observed state of a LearnerGroup.
type LearnerGroupStatus struct {
	CommonStatus `json:",inline"`

	// externalID is the vendor's identifier of the group.
	// +optional
	ExternalID string `json:"externalID,omitempty"`

	// adopted is true when the LMS group existed before this LearnerGroup and
	// was taken over (the connection's spec.adoption allowed it); false when
	// the operator created it.
	// +optional
	Adopted bool `json:"adopted,omitempty"`

	// createRequestedTime is when the operator last sent a create of the LMS
	// group, recorded before it is sent: a group found with no id recorded
	// (status.externalID) after a crash that lost the create's answer is then
	// known as the one the operator created, not one to adopt. It is written
	// where the vendor assigns the group's id (eLeaP); on Enabley the id the
	// operator chose tells.
	// +optional
	CreateRequestedTime *metav1.Time `json:"createRequestedTime,omitempty"`

	// memberCount is the number of members the group has in the LMS.
	// +optional
	MemberCount int32 `json:"memberCount,omitempty"`

	// pendingMembers counts declared members whose Learner is not Ready yet.
	// +optional
	PendingMembers int32 `json:"pendingMembers,omitempty"`

	// managedMembers are the vendor IDs of the members the operator added, which
	// the Additive policy may remove again.
	// +optional
	// +listType=set
	ManagedMembers []string `json:"managedMembers,omitempty"`

	// pendingAdds are the vendor IDs of members the operator is adding and
	// whose answer it has not seen yet: recorded before the writes are sent,
	// so that a crash leaves no member it does not know it added. They are
	// settled at the next reconcile.
	// +optional
	// +listType=set
	PendingAdds []string `json:"pendingAdds,omitempty"`
}

// A LearnerGroup is a group of users in an LMS, with its members.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=lgrp,categories=lms
// +kubebuilder:printcolumn:name="Display Name",type=string,JSONPath=`.spec.displayName`
// +kubebuilder:printcolumn:name="Members",type=integer,JSONPath=`.status.memberCount`
// +kubebuilder:printcolumn:name="External ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type LearnerGroup struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired group.
	// +required
	Spec LearnerGroupSpec `json:"spec"`

	// status is the observed state of the group.
	// +optional
	Status LearnerGroupStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// LearnerGroupList is a list of LearnerGroups.
type LearnerGroupList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []LearnerGroup `json:"items"`
}
