package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AllowedNamespaces says which namespaces may use a ClusterLMSConnection. A
// namespace is allowed when it is named in names or matches selector; when
// both are empty every namespace is allowed.
type AllowedNamespaces struct {
	// names of the allowed namespaces.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=1000
	// +kubebuilder:validation:items:MaxLength=63
	Names []string `json:"names,omitempty"`

	// selector over the labels of namespaces. Operators: In and NotIn with
	// values, Exists and DoesNotExist without.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!has(self.matchExpressions) || self.matchExpressions.all(e, e.operator in ['In', 'NotIn', 'Exists', 'DoesNotExist'])",message="a matchExpressions operator must be In, NotIn, Exists or DoesNotExist"
	// +kubebuilder:validation:XValidation:rule="!has(self.matchExpressions) || self.matchExpressions.all(e, !(e.operator in ['In', 'NotIn']) || (has(e.values) && size(e.values) > 0))",message="matchExpressions with operator In or NotIn need at least one value"
	// +kubebuilder:validation:XValidation:rule="!has(self.matchExpressions) || self.matchExpressions.all(e, !(e.operator in ['Exists', 'DoesNotExist']) || !has(e.values) || size(e.values) == 0)",message="matchExpressions with operator Exists or DoesNotExist take no values"
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
}

// ClusterLMSConnectionSpec is the desired state of a ClusterLMSConnection.
// +kubebuilder:validation:XValidation:rule="has(self.eleap) || self.provider != 'eleap'",message="spec.eleap must be set when spec.provider is eleap",fieldPath=".eleap"
// +kubebuilder:validation:XValidation:rule="has(self.exceed) || self.provider != 'exceed'",message="spec.exceed must be set when spec.provider is exceed",fieldPath=".exceed"
// +kubebuilder:validation:XValidation:rule="!has(self.eleap) || self.provider == 'eleap'",messageExpression="'spec.eleap does not match spec.provider ' + self.provider + ': remove spec.eleap' + ((self.provider == 'eleap' && !has(self.eleap)) || (self.provider == 'exceed' && !has(self.exceed)) ? ' and set spec.' + self.provider : ' (spec.' + self.provider + (self.provider == 'enabley' ? ', optional, holds' : ' holds') + ' the settings of ' + self.provider + ')')",fieldPath=".eleap"
// +kubebuilder:validation:XValidation:rule="!has(self.enabley) || self.provider == 'enabley'",messageExpression="'spec.enabley does not match spec.provider ' + self.provider + ': remove spec.enabley' + ((self.provider == 'eleap' && !has(self.eleap)) || (self.provider == 'exceed' && !has(self.exceed)) ? ' and set spec.' + self.provider : ' (spec.' + self.provider + (self.provider == 'enabley' ? ', optional, holds' : ' holds') + ' the settings of ' + self.provider + ')')",fieldPath=".enabley"
// +kubebuilder:validation:XValidation:rule="!has(self.exceed) || self.provider == 'exceed'",messageExpression="'spec.exceed does not match spec.provider ' + self.provider + ': remove spec.exceed' + ((self.provider == 'eleap' && !has(self.eleap)) || (self.provider == 'exceed' && !has(self.exceed)) ? ' and set spec.' + self.provider : ' (spec.' + self.provider + (self.provider == 'enabley' ? ', optional, holds' : ' holds') + ' the settings of ' + self.provider + ')')",fieldPath=".exceed"
// +kubebuilder:validation:XValidation:rule="!has(self.endpoint) || self.endpoint.startsWith('https://') || (has(self.allowInsecureHTTP) && self.allowInsecureHTTP)",message="spec.endpoint must use https:// unless spec.allowInsecureHTTP is true",fieldPath=".endpoint"
type ClusterLMSConnectionSpec struct {
	ConnectionSettings `json:",inline"`

	// credentialsSecretRef names the Secret, with its namespace, that holds the
	// credentials. Keys: eLeaP apiToken; Enabley clientKey and secret; Exceed apiKey.
	// +required
	CredentialsSecretRef SecretReference `json:"credentialsSecretRef"`

	// allowedNamespaces limits the namespaces whose resources may use this
	// connection. Unset: every namespace.
	// +optional
	AllowedNamespaces *AllowedNamespaces `json:"allowedNamespaces,omitempty"`

	// adoption says which namespaces may take over LMS users and groups that
	// existed before their Learners and LearnerGroups. Unset: none may
	// (policy Never), so that no tenant takes over what it did not create.
	// +optional
	Adoption *ClusterAdoption `json:"adoption,omitempty"`

	// allowedRoles are the roles a Learner using this connection may ask for;
	// a Learner asking for another is Stalled with reason RoleNotAllowed and
	// nothing is sent to the LMS. Default [Learner]: tenants create no
	// instructors, supervisors or managers unless the connection's owner lets them.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=4
	// +kubebuilder:default={Learner}
	AllowedRoles []LearnerRole `json:"allowedRoles,omitempty"`
}

// A ClusterLMSConnection is an LMSConnection that resources of any allowed
// namespace can use.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=clmsconn,categories=lms
// +kubebuilder:printcolumn:name="Provider",type=string,JSONPath=`.spec.provider`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Requests/h",type=integer,JSONPath=`.status.rateLimit.requestsLastHour`,priority=1
// +kubebuilder:printcolumn:name="Paused Until",type=string,JSONPath=`.status.rateLimit.pausedUntil`,priority=1
// +kubebuilder:printcolumn:name="Held",type=integer,JSONPath=`.status.deletionProtection.held`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ClusterLMSConnection struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired connection.
	// +required
	Spec ClusterLMSConnectionSpec `json:"spec"`

	// status is the observed state of the connection.
	// +optional
	Status ConnectionStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ClusterLMSConnectionList is a list of ClusterLMSConnections.
type ClusterLMSConnectionList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterLMSConnection `json:"items"`
}
