// Package v1alpha1 contains the API of lms-operator: the custom resources that
// declare an LMS connection, its users (Learner), groups (LearnerGroup) and
// course assignments (Enrollment).
//
// +kubebuilder:object:generate=true
// +groupName=training.lmsoperator.dev
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the API group and version of these objects.
	GroupVersion = schema.GroupVersion{Group: "training.lmsoperator.dev", Version: "v1alpha1"}

	// SchemeBuilder adds the Go types to a scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the types of this group and version to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// addKnownTypes registers the kinds of this group and version, and the
// meta/v1 types (ListOptions and the like) under the same group and version.
func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion,
		&LMSConnection{}, &LMSConnectionList{},
		&ClusterLMSConnection{}, &ClusterLMSConnectionList{},
		&Learner{}, &LearnerList{},
		&LearnerGroup{}, &LearnerGroupList{},
		&Enrollment{}, &EnrollmentList{},
	)
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
