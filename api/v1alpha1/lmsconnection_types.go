package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ConnectionSettings are the settings an LMSConnection and a
// ClusterLMSConnection share.
type ConnectionSettings struct {
	// provider is the LMS vendor: eleap, enabley or exceed. The block of the same
	// name holds the vendor's settings.
	// +required
	Provider Provider `json:"provider"`

	// eleap holds eLeaP's settings; required when provider is eleap, and
	// allowed only then.
	// +optional
	ELeaP *ELeaPSettings `json:"eleap,omitempty"`

	// enabley holds Enabley's settings; optional when provider is enabley, and
	// allowed only then.
	// +optional
	Enabley *EnableySettings `json:"enabley,omitempty"`

	// exceed holds Exceed's settings; required when provider is exceed, and
	// allowed only then.
	// +optional
	Exceed *ExceedSettings `json:"exceed,omitempty"`

	// endpoint overrides the vendor's base URL (a sandbox, a proxy, the
	// simulator). It must use https unless allowInsecureHTTP is true.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^https?://[^\s/?#]+[^\s?#]*$`
	Endpoint string `json:"endpoint,omitempty"`

	// allowInsecureHTTP allows an http:// endpoint. Credentials then cross the
	// network in clear text: use it only for the simulator or a local proxy.
	// +optional
	AllowInsecureHTTP bool `json:"allowInsecureHTTP,omitempty"`

	// rateLimit is the request budget the operator keeps to for this connection,
	// shared by every resource that uses it.
	// +optional
	RateLimit *RateLimit `json:"rateLimit,omitempty"`

	// syncInterval is how often the LMS is re-read to find changes made there by
	// hand (drift) and progress. Default 10m.
	// +optional
	// +kubebuilder:default="10m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="syncInterval must be at least 1s; note that each interval costs one list call per page of users"
	SyncInterval *metav1.Duration `json:"syncInterval,omitempty"`

	// deletionProtection holds deactivations, deletions, unassignments and
	// member removals past a threshold in any hour until they are approved
	// (annotation training.lmsoperator.dev/approve-deletions: "<count>").
	// Unset: at most the larger of 100 and 10 % of the connection's Learners
	// an hour.
	// +optional
	DeletionProtection *DeletionProtection `json:"deletionProtection,omitempty"`
}

// ELeaPSettings are eLeaP's settings.
type ELeaPSettings struct {
	// subdomain of the company's eLeaP site: acme for https://acme.2leap.com.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",message="must be the lower-case subdomain of the company's site, such as acme"
	Subdomain string `json:"subdomain"`
}

// EnableySettings are Enabley's settings.
type EnableySettings struct {
	// subAccountName is the sub-account new users are created in, if any.
	// +optional
	// +kubebuilder:validation:MaxLength=100
	SubAccountName string `json:"subAccountName,omitempty"`
}

// ExceedSettings are Exceed (Intellum)'s settings.
type ExceedSettings struct {
	// subdomain of the company's Exceed site: acme for https://acme.exceedlms.com.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",message="must be the lower-case subdomain of the company's site, such as acme"
	Subdomain string `json:"subdomain"`
}

// RateLimit is a connection's request budget.
type RateLimit struct {
	// requestsPerHour is the most requests sent to the vendor in any hour.
	// Default: eLeaP 2500 (its documented limit), Enabley and Exceed 3600.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000000
	RequestsPerHour *int32 `json:"requestsPerHour,omitempty"`

	// burst is how many requests may be sent at once after a quiet spell. Default 10.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	Burst *int32 `json:"burst,omitempty"`

	// pagesPerSync bounds the pages each paged read sends per syncInterval
	// (the user list of Enabley and Exceed, an Enabley channel's performance)
	// once it has been read whole once. A longer read goes on where it stopped
	// in the next interval, and its result replaces the last one only when
	// complete, so changes made in the LMS by hand show after
	// ceil(pages / pagesPerSync) intervals instead of one. Unset: a quarter
	// of the requests requestsPerHour allows in one syncInterval (150 at
	// 3600 an hour and 10m), so a read that fits is whole every interval and
	// a larger one never takes more than that share of the budget.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100000
	PagesPerSync *int32 `json:"pagesPerSync,omitempty"`
}

// LocalSecretReference names a Secret in the connection's own namespace.
type LocalSecretReference struct {
	// name of the Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// SecretReference names a Secret in a namespace.
type SecretReference struct {
	// name of the Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// namespace of the Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Namespace string `json:"namespace"`
}

// LMSConnectionSpec is the desired state of an LMSConnection.
// +kubebuilder:validation:XValidation:rule="has(self.eleap) || self.provider != 'eleap'",message="spec.eleap must be set when spec.provider is eleap",fieldPath=".eleap"
// +kubebuilder:validation:XValidation:rule="has(self.exceed) || self.provider != 'exceed'",message="spec.exceed must be set when spec.provider is exceed",fieldPath=".exceed"
// +kubebuilder:validation:XValidation:rule="!has(self.eleap) || self.provider == 'eleap'",messageExpression="'spec.eleap does not match spec.provider ' + self.provider + ': remove spec.eleap' + ((self.provider == 'eleap' && !has(self.eleap)) || (self.provider == 'exceed' && !has(self.exceed)) ? ' and set spec.' + self.provider : ' (spec.' + self.provider + (self.provider == 'enabley' ? ', optional, holds' : ' holds') + ' the settings of ' + self.provider + ')')",fieldPath=".eleap"
// +kubebuilder:validation:XValidation:rule="!has(self.enabley) || self.provider == 'enabley'",messageExpression="'spec.enabley does not match spec.provider ' + self.provider + ': remove spec.enabley' + ((self.provider == 'eleap' && !has(self.eleap)) || (self.provider == 'exceed' && !has(self.exceed)) ? ' and set spec.' + self.provider : ' (spec.' + self.provider + (self.provider == 'enabley' ? ', optional, holds' : ' holds') + ' the settings of ' + self.provider + ')')",fieldPath=".enabley"
// +kubebuilder:validation:XValidation:rule="!has(self.exceed) || self.provider == 'exceed'",messageExpression="'spec.exceed does not match spec.provider ' + self.provider + ': remove spec.exceed' + ((self.provider == 'eleap' && !has(self.eleap)) || (self.provider == 'exceed' && !has(self.exceed)) ? ' and set spec.' + self.provider : ' (spec.' + self.provider + (self.provider == 'enabley' ? ', optional, holds' : ' holds') + ' the settings of ' + self.provider + ')')",fieldPath=".exceed"
// +kubebuilder:validation:XValidation:rule="!has(self.endpoint) || self.endpoint.startsWith('https://') || (has(self.allowInsecureHTTP) && self.allowInsecureHTTP)",message="spec.endpoint must use https:// unless spec.allowInsecureHTTP is true",fieldPath=".endpoint"
type LMSConnectionSpec struct {
	ConnectionSettings `json:",inline"`

	// credentialsSecretRef names the Secret, in this namespace, that holds the
	// credentials. Keys: eLeaP apiToken; Enabley clientKey and secret; Exceed apiKey.
	// +required
	CredentialsSecretRef LocalSecretReference `json:"credentialsSecretRef"`

	// adoption says whether Learners and LearnerGroups may take over LMS users
	// and groups that existed before them. Unset: policy Adopt.
	// +optional
	Adoption *Adoption `json:"adoption,omitempty"`
}

// ConnectionCapabilities says what the connection's vendor supports.
type ConnectionCapabilities struct {
	// kinds lists the kinds this vendor supports (Learner, LearnerGroup, Enrollment).
	// +optional
	// +listType=set
	Kinds []string `json:"kinds,omitempty"`
	// enrollmentTargets lists the Enrollment targets (course, learningPath, channel).
	// +optional
	// +listType=set
	EnrollmentTargets []string `json:"enrollmentTargets,omitempty"`
	// roles lists the Learner roles this vendor supports.
	// +optional
	// +listType=set
	Roles []string `json:"roles,omitempty"`
	// groupEnrollment is true when a LearnerGroup can be assigned to a target as a group.
	// +optional
	GroupEnrollment bool `json:"groupEnrollment,omitempty"`
	// customFields is true when Learners' customFields are written.
	// +optional
	CustomFields bool `json:"customFields,omitempty"`
}

// RateLimitStatus reports the connection's request budget.
type RateLimitStatus struct {
	// requestsPerHour is the budget in force.
	// +optional
	RequestsPerHour int32 `json:"requestsPerHour,omitempty"`
	// burst in force.
	// +optional
	Burst int32 `json:"burst,omitempty"`
	// requestsLastHour is how many requests were sent in the last hour.
	// +optional
	RequestsLastHour int32 `json:"requestsLastHour,omitempty"`
	// pausedUntil is set while the vendor asked (HTTP 429) to wait: nothing is sent before it.
	// +optional
	PausedUntil *metav1.Time `json:"pausedUntil,omitempty"`
}

// ConnectionStatus is the observed state of a connection.
type ConnectionStatus struct {
	CommonStatus `json:",inline"`

	// capabilities of the vendor, published once the connection is Ready.
	// +optional
	Capabilities *ConnectionCapabilities `json:"capabilities,omitempty"`

	// rateLimit reports the request budget.
	// +optional
	RateLimit *RateLimitStatus `json:"rateLimit,omitempty"`

	// lastCheckedTime is when the credentials were last verified.
	// +optional
	LastCheckedTime *metav1.Time `json:"lastCheckedTime,omitempty"`

	// secretResourceVersion is the resourceVersion of the credentials Secret last
	// verified; a change triggers a new check.
	// +optional
	SecretResourceVersion string `json:"secretResourceVersion,omitempty"`

	// deletionProtection reports the deletion guard: its threshold, what was
	// sent in the last hour, what is held and what is approved.
	// +optional
	DeletionProtection *DeletionProtectionStatus `json:"deletionProtection,omitempty"`
}

// An LMSConnection connects the resources of its namespace to an LMS account:
// the vendor, its endpoint, the credentials Secret and the request budget.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=lmsconn,categories=lms
// +kubebuilder:printcolumn:name="Provider",type=string,JSONPath=`.spec.provider`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Requests/h",type=integer,JSONPath=`.status.rateLimit.requestsLastHour`,priority=1
// +kubebuilder:printcolumn:name="Paused Until",type=string,JSONPath=`.status.rateLimit.pausedUntil`,priority=1
// +kubebuilder:printcolumn:name="Held",type=integer,JSONPath=`.status.deletionProtection.held`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type LMSConnection struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired connection.
	// +required
	Spec LMSConnectionSpec `json:"spec"`

	// status is the observed state of the connection.
	// +optional
	Status ConnectionStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// LMSConnectionList is a list of LMSConnections.
type LMSConnectionList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []LMSConnection `json:"items"`
}
