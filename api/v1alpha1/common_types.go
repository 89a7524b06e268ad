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

	// lastHandledReconcileAt is the last value of the annotation
	// training.lmsoperator.dev/reconcile-requested-at that the operator
	// handled: it re-read the LMS for that value.
	// +optional
	LastHandledReconcileAt string `json:"lastHandledReconcileAt,omitempty"`
}

// GetConditions returns the conditions.
func (s *CommonStatus) GetConditions() []metav1.Condition { return s.Conditions }

// SetConditions replaces the conditions.
func (s *CommonStatus) SetConditions(c []metav1.Condition) { s.Conditions = c }

// GetCommonStatus returns the part of the Learner's status every kind has.
func (l *Learner) GetCommonStatus() *CommonStatus { return &l.Status.CommonStatus }

// GetCommonStatus returns the part of the LearnerGroup's status every kind has.
func (g *LearnerGroup) GetCommonStatus() *CommonStatus { return &g.Status.CommonStatus }

// GetCommonStatus returns the part of the Enrollment's status every kind has.
func (e *Enrollment) GetCommonStatus() *CommonStatus { return &e.Status.CommonStatus }

// GetConnectionRef returns the Learner's connection reference.
func (l *Learner) GetConnectionRef() ConnectionReference { return l.Spec.ConnectionRef }

// GetConnectionRef returns the LearnerGroup's connection reference.
func (g *LearnerGroup) GetConnectionRef() ConnectionReference { return g.Spec.ConnectionRef }

// GetConnectionRef returns the Enrollment's connection reference.
func (e *Enrollment) GetConnectionRef() ConnectionReference { return e.Spec.ConnectionRef }
