package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MaxLearnerProgressEntries caps status.learners so that an Enrollment stays
// small at 10,000 subjects; status.summary counts every subject.
const MaxLearnerProgressEntries = 100

// A TargetReference names a course, learning path or channel by its vendor id
// or by its exact name.
// +kubebuilder:validation:XValidation:rule="has(self.id) != has(self.name)",message="set exactly one of id and name"
type TargetReference struct {
	// id of the target in the LMS.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	ID string `json:"id,omitempty"`

	// name of the target in the LMS, matched exactly; resolved to an id from the
	// vendor's list.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Name string `json:"name,omitempty"`
}

// Subjects are who an Enrollment assigns: the union of learnerRefs, the
// Learners matched by learnerSelector and the groups of groupRefs.
// +kubebuilder:validation:XValidation:rule="(has(self.learnerRefs) && size(self.learnerRefs) > 0) || (has(self.groupRefs) && size(self.groupRefs) > 0) || has(self.learnerSelector)",message="spec.subjects needs at least one of learnerRefs, groupRefs and learnerSelector"
type Subjects struct {
	// learnerRefs name Learners in this namespace.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=10000
	LearnerRefs []LocalObjectReference `json:"learnerRefs,omitempty"`

	// groupRefs name LearnerGroups in this namespace. Where the vendor assigns
	// groups (eLeaP, Enabley), the group itself is assigned.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=100
	GroupRefs []LocalObjectReference `json:"groupRefs,omitempty"`

	// learnerSelector selects Learners in this namespace, of the same connection,
	// by label. Operators: In and NotIn with values, Exists and DoesNotExist without.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!has(self.matchExpressions) || self.matchExpressions.all(e, e.operator in ['In', 'NotIn', 'Exists', 'DoesNotExist'])",message="a matchExpressions operator must be In, NotIn, Exists or DoesNotExist"
	// +kubebuilder:validation:XValidation:rule="!has(self.matchExpressions) || self.matchExpressions.all(e, !(e.operator in ['In', 'NotIn']) || (has(e.values) && size(e.values) > 0))",message="matchExpressions with operator In or NotIn need at least one value"
	// +kubebuilder:validation:XValidation:rule="!has(self.matchExpressions) || self.matchExpressions.all(e, !(e.operator in ['Exists', 'DoesNotExist']) || !has(e.values) || size(e.values) == 0)",message="matchExpressions with operator Exists or DoesNotExist take no values"
	LearnerSelector *metav1.LabelSelector `json:"learnerSelector,omitempty"`
}

// EnrollmentDeletionPolicy says what happens to the assignments when the Enrollment is deleted.
// +kubebuilder:validation:Enum=Unassign;Orphan
type EnrollmentDeletionPolicy string

// The enrollment deletion policies.
const (
	// EnrollmentUnassign removes the assignments the Enrollment made.
	EnrollmentUnassign EnrollmentDeletionPolicy = "Unassign"
	// EnrollmentOrphan leaves them.
	EnrollmentOrphan EnrollmentDeletionPolicy = "Orphan"
)

// EnrollmentRole is the role an Enrollment gives on an Enabley channel.
// +kubebuilder:validation:Enum=Learner;Instructor
type EnrollmentRole string

// EnrollmentSpec is the desired state of an Enrollment.
// +kubebuilder:validation:XValidation:rule="(has(self.course) ? 1 : 0) + (has(self.learningPath) ? 1 : 0) + (has(self.channel) ? 1 : 0) == 1",message="set exactly one target: spec.course, spec.learningPath or spec.channel"
// +kubebuilder:validation:XValidation:rule="has(self.course) == has(oldSelf.course) && has(self.learningPath) == has(oldSelf.learningPath) && has(self.channel) == has(oldSelf.channel)",message="the target is immutable: create a new Enrollment to assign other training"
// +kubebuilder:validation:XValidation:rule="!(has(self.dueDate) && has(self.dueAfter))",message="set at most one of spec.dueDate and spec.dueAfter"
type EnrollmentSpec struct {
	// connectionRef names the connection the training lives in. Immutable.
	// +required
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.connectionRef is immutable"
	ConnectionRef ConnectionReference `json:"connectionRef"`

	// course to assign (eLeaP). Immutable.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.course is immutable"
	Course *TargetReference `json:"course,omitempty"`

	// learningPath to assign (eLeaP). Immutable.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.learningPath is immutable"
	LearningPath *TargetReference `json:"learningPath,omitempty"`

	// channel to assign (Enabley). Immutable.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.channel is immutable"
	Channel *TargetReference `json:"channel,omitempty"`

	// subjects are the learners and groups to assign.
	// +required
	Subjects Subjects `json:"subjects"`

	// role given on an Enabley channel: Learner (default) or Instructor.
	// +optional
	// +kubebuilder:default=Learner
	Role EnrollmentRole `json:"role,omitempty"`

	// notify asks the LMS to send its assignment email. Default false.
	// +optional
	Notify bool `json:"notify,omitempty"`

	// managementPolicy is Full (default) or ObserveOnly: never assigns or
	// unassigns; reports which subjects the target lacks, and progress.
	// +optional
	// +kubebuilder:default=Full
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`

	// progress says how often the learners' progress is read.
	// +optional
	Progress *ProgressSettings `json:"progress,omitempty"`

	// deletionPolicy says what happens to the assignments when this Enrollment is
	// deleted: Unassign (default) or Orphan.
	// +optional
	// +kubebuilder:default=Unassign
	DeletionPolicy EnrollmentDeletionPolicy `json:"deletionPolicy,omitempty"`

	// dueDate is the date (YYYY-MM-DD) by which every learner must complete
	// the training: a learner who has not completed it by the end of that
	// day (UTC) is overdue. At most one of dueDate and dueAfter; with
	// neither, the deadline the LMS sets on the course is used, if any.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Format=date
	DueDate string `json:"dueDate,omitempty"`

	// dueAfter is how long after each learner's assignment the training is
	// due, e.g. 720h for 30 days; a positive duration. The assignment time is
	// when the operator assigned the learner, or first saw it assigned.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="spec.dueAfter must be a positive duration"
	DueAfter *metav1.Duration `json:"dueAfter,omitempty"`
}

// ProgressSettings say how an Enrollment's progress is read.
type ProgressSettings struct {
	// refreshInterval is how often each learner's progress is read again
	// where the vendor reads it one learner at a time (eLeaP users/activity):
	// the reads are spread over the interval, oldest first, and kept within
	// the connection's share of its budget for progress. Completions show
	// sooner, within one syncInterval, from the one read of recent completions
	// per interval; a learner known to have completed is never read again.
	// Where the vendor reads a target's progress whole (Enabley channels) it
	// is read once per syncInterval. Default 24h.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m')",message="progress.refreshInterval must be at least 1m"
	RefreshInterval *metav1.Duration `json:"refreshInterval,omitempty"`
}

// ResolvedTarget is the target as found in the LMS.
type ResolvedTarget struct {
	// kind of the target: Course, LearningPath or Channel.
	// +optional
	Kind string `json:"kind,omitempty"`
	// id of the target in the LMS.
	// +optional
	ID string `json:"id,omitempty"`
	// name of the target in the LMS.
	// +optional
	Name string `json:"name,omitempty"`
	// vendorDeadline is the deadline the LMS sets on the target (eLeaP
	// courses): a date such as 2024-01-01, or a period after each assignment
	// such as "30 days" or "2 months". It applies when the spec sets neither
	// dueDate nor dueAfter.
	// +optional
	VendorDeadline string `json:"vendorDeadline,omitempty"`
}

// EnrollmentSummary counts the Enrollment's learners.
type EnrollmentSummary struct {
	// subjects is the number of learners the spec resolves to, groups expanded.
	// +optional
	Subjects int32 `json:"subjects"`
	// assigned is the number of them assigned in the LMS.
	// +optional
	Assigned int32 `json:"assigned"`
	// notStarted is the number of assigned learners with no progress.
	// +optional
	NotStarted int32 `json:"notStarted"`
	// inProgress is the number with some progress, not completed.
	// +optional
	InProgress int32 `json:"inProgress"`
	// completed is the number who completed the training.
	// +optional
	Completed int32 `json:"completed"`
	// overdue is the number not completed past their due time; they are not
	// counted in notStarted or inProgress.
	// +optional
	Overdue int32 `json:"overdue"`
}

// LearnerProgress is one learner's progress.
type LearnerProgress struct {
	// name of the Learner.
	// +required
	Name string `json:"name"`
	// percent complete, 0 to 100.
	// +optional
	Percent int32 `json:"percent"`
	// completedTime is when the learner completed the training.
	// +optional
	CompletedTime *metav1.Time `json:"completedTime,omitempty"`
	// score, where the vendor reports one, as a decimal string.
	// +optional
	Score string `json:"score,omitempty"`
	// dueTime is when the learner must have completed the training, where a
	// due date applies.
	// +optional
	DueTime *metav1.Time `json:"dueTime,omitempty"`
	// overdue is true when the learner has not completed the training and
	// dueTime has passed.
	// +optional
	Overdue bool `json:"overdue,omitempty"`
}

// AssignmentTime is when the operator assigned a set of users, or first saw
// them assigned: the start of a relative due date (dueAfter).
type AssignmentTime struct {
	// time of the assignment, to the second.
	// +required
	Time metav1.Time `json:"time"`
	// userIDs are the vendor IDs of the users assigned then.
	// +required
	// +listType=set
	UserIDs []string `json:"userIDs"`
}

// EnrollmentStatus is the observed state of an Enrollment.
type EnrollmentStatus struct {
	CommonStatus `json:",inline"`

	// target is the resolved course, learning path or channel.
	// +optional
	Target *ResolvedTarget `json:"target,omitempty"`

	// summary counts the learners by progress.
	// +optional
	Summary EnrollmentSummary `json:"summary,omitempty"`

	// learners lists the progress of at most 100 learners, those not completed first.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=100
	Learners []LearnerProgress `json:"learners,omitempty"`

	// learnersOmitted is how many learners are left out of learners.
	// +optional
	LearnersOmitted int32 `json:"learnersOmitted,omitempty"`

	// assignedUserIDs are the vendor IDs of the users this Enrollment assigned
	// directly, which it unassigns when they leave the subjects or on deletion.
	// +optional
	// +listType=set
	AssignedUserIDs []string `json:"assignedUserIDs,omitempty"`

	// assignedGroups are the vendor IDs of the groups this Enrollment assigned.
	// +optional
	// +listType=set
	AssignedGroups []string `json:"assignedGroups,omitempty"`

	// pendingUserIDs and pendingGroups are the assignments this Enrollment is
	// making and whose answer it has not seen yet: recorded before the writes
	// are sent, so that a crash leaves no assignment it does not know it made.
	// They are settled at the next reconcile.
	// +optional
	// +listType=set
	PendingUserIDs []string `json:"pendingUserIDs,omitempty"`
	// +optional
	// +listType=set
	PendingGroups []string `json:"pendingGroups,omitempty"`

	// lastProgressTime is when progress was last read from the LMS (the recent
	// completions, or the target's whole progress).
	// +optional
	LastProgressTime *metav1.Time `json:"lastProgressTime,omitempty"`

	// completedUserIDs are the vendor IDs of the learners known to have
	// completed the training: they are never read again, also after a restart.
	// +optional
	// +listType=set
	CompletedUserIDs []string `json:"completedUserIDs,omitempty"`

	// assignmentTimes record when each assigned learner was assigned (or
	// first seen assigned), users of the same reconcile together; kept while
	// a relative due date (spec.dueAfter, or the LMS's) applies.
	// +optional
	// +listType=atomic
	AssignmentTimes []AssignmentTime `json:"assignmentTimes,omitempty"`

	// overdueUserIDs are the vendor IDs of the learners known to be overdue:
	// each gets one Overdue event when it becomes overdue.
	// +optional
	// +listType=set
	OverdueUserIDs []string `json:"overdueUserIDs,omitempty"`
}

// An Enrollment assigns learners and groups to a course, learning path or
// channel, and reports their progress.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=enr,categories=lms
// +kubebuilder:printcolumn:name="Target",type=string,JSONPath=`.status.target.name`
// +kubebuilder:printcolumn:name="Assigned",type=integer,JSONPath=`.status.summary.assigned`
// +kubebuilder:printcolumn:name="Completed",type=integer,JSONPath=`.status.summary.completed`
// +kubebuilder:printcolumn:name="Overdue",type=integer,JSONPath=`.status.summary.overdue`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Enrollment struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired assignment.
	// +required
	Spec EnrollmentSpec `json:"spec"`

	// status is the observed state of the assignment.
	// +optional
	Status EnrollmentStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// EnrollmentList is a list of Enrollments.
type EnrollmentList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Enrollment `json:"items"`
}
