package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Provider names an LMS vendor.
// +kubebuilder:validation:Enum=eleap;enabley;exceed
type Provider string

// The supported vendors.
const (
	ProviderELeaP   Provider = "eleap"
	ProviderEnabley Provider = "enabley"
	ProviderExceed  Provider = "exceed"
)

// Kinds of connection a resource can reference.
const (
	LMSConnectionKind        = "LMSConnection"
	ClusterLMSConnectionKind = "ClusterLMSConnection"
)

// A ConnectionReference names the LMSConnection (same namespace) or
// ClusterLMSConnection a resource is managed through.
type ConnectionReference struct {
	// name of the connection.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// kind of the connection: LMSConnection (in the same namespace, the default)
	// or ClusterLMSConnection.
	// +optional
	// +kubebuilder:default=LMSConnection
	// +kubebuilder:validation:Enum=LMSConnection;ClusterLMSConnection
	Kind string `json:"kind,omitempty"`
}

// KindOrDefault returns the reference's kind, LMSConnection when empty.
func (r ConnectionReference) KindOrDefault() string {
	if r.Kind == "" {
		return LMSConnectionKind
	}
	return r.Kind
}

// A LocalObjectReference names an object in the same namespace.
type LocalObjectReference struct {
	// name of the object.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// CommonStatus is the part of status every kind has.
type CommonStatus struct {
	// observedGeneration is the spec generation the Ready condition speaks of.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready, and Reconciling or Stalled while they are True.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// GetConditions returns the conditions.
func (s *CommonStatus) GetConditions() []metav1.Condition { return s.Conditions }

// SetConditions replaces the conditions.
func (s *CommonStatus) SetConditions(c []metav1.Condition) { s.Conditions = c }
