// Package v1alpha1 contains the API of lms-operator: the custom resources that
// declare an LMS connection, its users (Learner), groups (LearnerGroup) and
// course assignments (Enrollment).
//
// +kubebuilder:object:generate=true
// +groupName=training.lmsoperator.dev
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the API group and version of these objects.
	GroupVersion = schema.GroupVersion{Group: "training.lmsoperator.dev", Version: "v1alpha1"}

	// SchemeBuilder adds the Go types to a scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the types of this group and version to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
