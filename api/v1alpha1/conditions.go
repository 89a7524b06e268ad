package v1alpha1

// Condition types. They follow the kstatus conventions, so that kubectl wait,
// Flux and Argo CD understand them.
const (
	// ConditionReady is True when the LMS matches the spec of observedGeneration.
	ConditionReady = "Ready"
	// ConditionReconciling is present, and True, only while work is in progress.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is present, and True, only when nothing will change without
	// a change of the spec or of the credentials Secret.
	ConditionStalled = "Stalled"
	// ConditionDeletionsHeld, on a connection, is True while its deletion guard
	// holds deactivations, deletions, unassignments or member removals past
	// spec.deletionProtection's threshold; the message says how many.
	ConditionDeletionsHeld = "DeletionsHeld"
)

// Reasons of the Ready condition when it is True.
const (
	// ReasonConnected: the connection's credentials were verified.
	ReasonConnected = "Connected"
	// ReasonSynced: the LMS matches the spec.
	ReasonSynced = "Synced"
	// ReasonObserved: ObserveOnly, the LMS object exists and matches the spec.
	ReasonObserved = "Observed"
)

// Reasons of work in progress (Reconciling True, Ready False).
const (
	// ReasonProgressing: the operator is writing to the LMS.
	ReasonProgressing = "Progressing"
	// ReasonWaitingForRateBudget: the connection's request budget has no token now;
	// the object is retried when the next token is due.
	ReasonWaitingForRateBudget = "WaitingForRateBudget"
	// ReasonRateLimited: the vendor answered HTTP 429; the whole connection pauses
	// until status.rateLimit.pausedUntil of the connection.
	ReasonRateLimited = "RateLimited"
	// ReasonVendorUnavailable: the vendor answered 5xx, timed out or sent a
	// malformed answer; retried with backoff.
	ReasonVendorUnavailable = "VendorUnavailable"
	// ReasonConnectionNotReady: the referenced connection is missing or not Ready.
	ReasonConnectionNotReady = "ConnectionNotReady"
	// ReasonWaitingForDependencies: a referenced Learner, LearnerGroup or parent
	// group is not Ready yet.
	ReasonWaitingForDependencies = "WaitingForDependencies"
	// ReasonDeleting: the object is being deleted and its deletion policy applied.
	ReasonDeleting = "Deleting"
	// ReasonInventoryFailed: the connection could not list the LMS's users (the
	// message is the vendor's); retried after 1s, doubling up to syncInterval,
	// resuming from the page that failed where the vendor lists page by page.
	ReasonInventoryFailed = "InventoryFailed"
	// ReasonDeletionHeld: a deactivation, deletion, unassignment or member
	// removal of this object is held by the connection's deletion guard until
	// it is approved on the connection (or no longer wanted); the finalizer stays.
	ReasonDeletionHeld = "DeletionHeld"
	// ReasonPaused: the object, or its connection, carries the annotation
	// training.lmsoperator.dev/paused "true": no vendor call is sent for it
	// (Ready False; Reconciling and Stalled absent) until it is removed.
	ReasonPaused = "Paused"
)

// Reasons of a connection's DeletionsHeld condition.
const (
	// ReasonDeletionsHeld: DeletionsHeld True, the guard holds operations
	// past the threshold until they are approved.
	ReasonDeletionsHeld = "DeletionsHeld"
	// ReasonWithinThreshold: DeletionsHeld False, nothing is held.
	ReasonWithinThreshold = "WithinThreshold"
)

// Reasons of Stalled (and Ready False): nothing changes until the spec or the
// Secret changes.
const (
	// ReasonSecretNotFound: the credentials Secret does not exist.
	ReasonSecretNotFound = "SecretNotFound"
	// ReasonSecretInvalid: the credentials Secret lacks a required key.
	ReasonSecretInvalid = "SecretInvalid"
	// ReasonInvalidCredentials: the vendor refused the credentials.
	ReasonInvalidCredentials = "InvalidCredentials"
	// ReasonForbidden: the vendor refused the call for lack of rights.
	ReasonForbidden = "Forbidden"
	// ReasonUnsupported: the vendor does not support this kind, target, role or field.
	ReasonUnsupported = "Unsupported"
	// ReasonNamespaceNotAllowed: the ClusterLMSConnection does not allow this namespace.
	ReasonNamespaceNotAllowed = "NamespaceNotAllowed"
	// ReasonInvalidRequest: the vendor refused the object; the message is the vendor's.
	ReasonInvalidRequest = "InvalidRequest"
	// ReasonTargetNotFound: the Enrollment's course, learning path or channel does not exist.
	ReasonTargetNotFound = "TargetNotFound"
	// ReasonConflict: another Learner (LearnerGroup) of the connection, older,
	// claims the same LMS user (group), and nothing is sent until it is deleted
	// or changed (then this one takes over); or the vendor refused to create the
	// object because another LMS object holds one of its unique fields, and no
	// object with the Learner's identity key exists to adopt. The message names
	// the other object.
	ReasonConflict = "Conflict"
	// ReasonAdoptionRefused: the LMS user or group exists already and the
	// connection's spec.adoption does not let this namespace take it over.
	ReasonAdoptionRefused = "AdoptionRefused"
	// ReasonRoleNotAllowed: the ClusterLMSConnection's spec.allowedRoles does
	// not grant the role the Learner asks for.
	ReasonRoleNotAllowed = "RoleNotAllowed"
	// ReasonInvalidSpec: the spec is inconsistent in a way admission could not see
	// (for example an Enabley block on a group of an eLeaP connection).
	ReasonInvalidSpec = "InvalidSpec"
)

// Reasons of Ready False for ObserveOnly objects.
const (
	// ReasonNotFoundInLMS: ObserveOnly, and the LMS has no such object.
	ReasonNotFoundInLMS = "NotFoundInLMS"
	// ReasonDrifted: ObserveOnly, and the LMS object differs from the spec.
	ReasonDrifted = "Drifted"
)

// Event reasons. Events mirror every write to the LMS and every failure; a
// failure's event carries the reason of the condition it sets.
const (
	// EventAdopted: an existing LMS object was taken over.
	EventAdopted = "Adopted"
	// EventCreated: an LMS object was created.
	EventCreated = "Created"
	// EventUpdated: an LMS object was written to match the spec.
	EventUpdated = "Updated"
	// EventDriftCorrected: an LMS object had been changed in the LMS; the spec was written back.
	EventDriftCorrected = "DriftCorrected"
	// EventDeactivated: an LMS user was deactivated (deletion policy Deactivate).
	EventDeactivated = "Deactivated"
	// EventDeleted: an LMS object was deleted (deletion policy Delete).
	EventDeleted = "Deleted"
	// EventGroupGone: the LMS group recorded in status no longer exists; it is created anew.
	EventGroupGone = "GroupGone"
	// EventMembersChanged: members were added to or removed from an LMS group.
	EventMembersChanged = "MembersChanged"
	// EventAssigned: learners or groups were assigned to a target.
	EventAssigned = "Assigned"
	// EventUnassigned: assignments the Enrollment made were removed.
	EventUnassigned = "Unassigned"
	// EventOverdue (Warning): a learner of an Enrollment has not completed
	// the training by its due time; one event per learner, when it becomes overdue.
	EventOverdue = "Overdue"
	// EventProgressNotRead: a progress read failed; Ready is unchanged.
	EventProgressNotRead = "ProgressNotRead"
	// EventVerifyFailed: the connection's credentials check failed.
	EventVerifyFailed = "VerifyFailed"
	// EventDeletionPolicySkipped (Warning): the object's finalizer was released
	// without applying its deletion policy, because its connection is gone, cannot
	// build a client, refuses the calls while being deleted, or no longer allows
	// the namespace; the LMS object was left as it was.
	EventDeletionPolicySkipped = "DeletionPolicySkipped"
	// EventInventoryFailed (Warning): listing the LMS's users failed.
	EventInventoryFailed = "InventoryFailed"
	// EventRecordsSkipped (Warning): a user list held records that could not be
	// read; they were left out of the inventory.
	EventRecordsSkipped = "RecordsSkipped"
	// EventDeletionsHeld: the connection's deletion guard started holding
	// operations past its threshold.
	EventDeletionsHeld = "DeletionsHeld"
	// EventDeletionsApproved: an approval (annotation) was recorded.
	EventDeletionsApproved = "DeletionsApproved"
	// EventApprovalInvalid: the approval annotation was not a count; it was removed.
	EventApprovalInvalid = "ApprovalInvalid"
)
