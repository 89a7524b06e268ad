// Package lms holds the vendor-neutral face of the LMS vendors: the narrow
// interfaces the controllers call, the capability set of each vendor, the typed
// errors, and the registry that maps spec.provider to a vendor client factory.
//
// Every vendor package (eleap, enabley, exceed) implements these interfaces over
// HTTP. All of a vendor client's calls go through the http.Client handed to its
// factory, which the caller wraps with the connection's request budget.
package lms

import (
	"context"
	"net/http"
	"time"
)

// Provider names a vendor, as in spec.provider.
type Provider string

// The supported vendors.
const (
	ProviderELeaP   Provider = "eleap"
	ProviderEnabley Provider = "enabley"
	ProviderExceed  Provider = "exceed"
)

// Role is a user's role in the LMS, vendor-neutral.
type Role string

// The roles a Learner may have.
const (
	RoleLearner    Role = "Learner"
	RoleInstructor Role = "Instructor"
	RoleSupervisor Role = "Supervisor"
	RoleManager    Role = "Manager"
)

// TargetKind is the kind of training an Enrollment assigns.
type TargetKind string

// The enrollment target kinds.
const (
	TargetCourse       TargetKind = "Course"
	TargetLearningPath TargetKind = "LearningPath"
	TargetChannel      TargetKind = "Channel"
)

// Config is what a vendor factory needs to build a client.
type Config struct {
	// BaseURL is the vendor API's base URL, without a trailing slash
	// (e.g. https://acme.2leap.com/api, https://api.prod.timetoknow.com,
	// https://acme.exceedlms.com/api/v2). The caller resolves spec.endpoint or
	// the vendor default into it.
	BaseURL string
	// Credentials are the Secret's data, by the fixed key names
	// (eLeaP apiToken; Enabley clientKey, secret; Exceed apiKey).
	Credentials map[string][]byte
	// SubAccountName is Enabley's default sub-account, if any.
	SubAccountName string
	// HTTPClient sends every request. The caller wraps its transport with the
	// connection's request budget and metrics; clients never build their own.
	HTTPClient *http.Client
	// Pause, when set, pauses every call of the connection as an HTTP 429
	// does: for retryAfter, or (when it is 0) for the budget's backoff. It
	// returns how long the pause lasts. A vendor that reports its rate limit
	// in the body of an answer (eLeaP's 429 code with HTTP 200) calls it, so
	// that the whole connection waits, not only the call that was refused.
	Pause func(retryAfter time.Duration) time.Duration
}

// A Factory builds a vendor client from a Config. It validates the
// credentials' presence (KindInvalidCredentials naming the missing key) but
// makes no call.
type Factory func(Config) (Client, error)

// A Client is one connection's view of a vendor.
type Client interface {
	// Capabilities describes what this vendor supports.
	Capabilities() Capabilities
	// Verify checks the credentials with one cheap call.
	Verify(ctx context.Context) error
	// Users manages user accounts. Never nil.
	Users() UserClient
	// Groups manages groups; nil when Capabilities().Groups is false.
	Groups() GroupClient
	// Enrollments manages assignments to training; nil when unsupported.
	Enrollments() EnrollmentClient
}

// Capabilities describes what a vendor supports, so that controllers can
// refuse (Stalled, reason Unsupported) rather than call.
type Capabilities struct {
	// Groups is true when the vendor has groups the operator can write.
	Groups bool
	// GroupTypes is true when groups have a type and a parent (Enabley).
	GroupTypes bool
	// GroupMembers is true when a group's members can be listed
	// (GroupClient.Members); without it the Authoritative policy cannot work.
	GroupMembers bool
	// Targets are the enrollment targets supported; empty when none.
	Targets []TargetKind
	// GroupEnrollment is true when a group can be assigned to a target directly.
	GroupEnrollment bool
	// Roles are the user roles supported.
	Roles []Role
	// EnrollmentRoles are the roles an enrollment may give (Enabley channels).
	EnrollmentRoles []Role
	// CustomFields is true when users carry custom fields.
	CustomFields bool
	// MiddleName and Description tell whether those user fields exist.
	MiddleName, Description bool
	// CallerChosenUserID is true when the caller picks the user's identifier
	// (Enabley identifier, Exceed code); false when the vendor assigns it (eLeaP).
	CallerChosenUserID bool
	// Progress is true when enrollment progress can be read.
	Progress bool
	// TargetProgress is true when a target's progress is read for all its
	// learners at once (ProgressReader.TargetProgress); false when it is
	// read from recent completions and one learner at a time. Its read
	// answers AssignedUsers too, once per context memo (lms.WithMemo).
	TargetProgress bool
	// UserPageSize is the number of users one list call returns (0: all in one call).
	UserPageSize int
	// TargetDeadlines is true when the vendor's target list carries the
	// deadlines it sets on courses (eLeaP).
	TargetDeadlines bool
}

// SupportsTarget reports whether k is in c.Targets.
func (c Capabilities) SupportsTarget(k TargetKind) bool {
	for _, t := range c.Targets {
		if t == k {
			return true
		}
	}
	return false
}

// SupportsRole reports whether r is in c.Roles.
func (c Capabilities) SupportsRole(r Role) bool {
	for _, x := range c.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// A User is a user account as the operator sees it, vendor-neutral.
type User struct {
	// ID is the vendor's identifier: eLeaP's internal id, Enabley's identifier, Exceed's id.
	ID string
	// ExternalID is the caller-chosen key where the vendor has one (Enabley identifier,
	// Exceed code); empty on eLeaP.
	ExternalID string
	// Email is lower-cased.
	Email      string
	FirstName  string
	MiddleName string
	LastName   string
	// Description is free text (eLeaP).
	Description string
	Role        Role
	Active      bool
	// CustomFields are custom field values by field name.
	CustomFields map[string]string
	// SendWelcomeEmail asks the vendor to send its activation email on create.
	// Write-only: never read back.
	SendWelcomeEmail bool
	// Unobserved names the fields the vendor's answer did not carry (eLeaP's
	// users/ shows no custom fields): their values here are not the vendor's,
	// so they are written on create and on a spec change but never compared
	// for drift. Zero: every field was read.
	Unobserved UserFields
}

// UserFields is a set of the optional fields of a User.
type UserFields uint

// The optional fields of a User that a vendor's answer may leave out.
const (
	FieldActive UserFields = 1 << iota
	FieldCustomFields
	FieldRole
	FieldMiddleName
	FieldDescription
)

// Has reports whether every field of f is in s.
func (s UserFields) Has(f UserFields) bool { return s&f == f }

// A UserClient manages user accounts. All methods are idempotent where the
// vendor allows: deleting a missing user is not an error.
type UserClient interface {
	// List returns every user (all pages). Used to fill the connection's inventory.
	List(ctx context.Context) ([]User, error)
	// Lookup finds a user by identity key: the email on eLeaP, the external ID
	// elsewhere (falling back to email where the vendor can search by it).
	// It returns a KindNotFound error when there is none.
	Lookup(ctx context.Context, externalID, email string) (*User, error)
	// Create adds a user and returns it with its ID.
	Create(ctx context.Context, u User) (*User, error)
	// Update writes every field of u to the user u.ID; current is the user as
	// last observed (eLeaP needs the old email to rename).
	Update(ctx context.Context, current, u User) (*User, error)
	// SetActive activates or deactivates the user.
	SetActive(ctx context.Context, u User, active bool) error
	// Delete removes the user.
	Delete(ctx context.Context, u User) error
}

// A Group is a group of users, vendor-neutral.
type Group struct {
	// ID is the vendor's identifier (eLeaP id; Enabley identifier, chosen by the caller).
	ID          string
	Name        string
	Description string
	Active      bool
	// Type and ParentID are Enabley's group type and parent group identifier.
	Type     string
	ParentID string
}

// A GroupClient manages groups and their members. Members are referred to by User.
type GroupClient interface {
	// List returns every group.
	List(ctx context.Context) ([]Group, error)
	// Get returns the group by ID, or a KindNotFound error.
	Get(ctx context.Context, id string) (*Group, error)
	// Create adds a group; g.ID is used where the caller chooses it (Enabley).
	Create(ctx context.Context, g Group) (*Group, error)
	// Update writes g to the group g.ID.
	Update(ctx context.Context, g Group) (*Group, error)
	// Delete removes the group.
	Delete(ctx context.Context, id string) error
	// Members returns the IDs (User.ID) of the group's members.
	Members(ctx context.Context, groupID string) ([]string, error)
	// AddMember adds the user to the group, leaving the user's other groups alone.
	AddMember(ctx context.Context, groupID string, u User) error
	// RemoveMember removes the user from the group.
	RemoveMember(ctx context.Context, groupID string, u User) error
}

// A Target is a piece of training that can be assigned.
type Target struct {
	Kind TargetKind
	ID   string
	Name string
	// Deadline is the deadline the vendor sets on the target; nil when none
	// or unknown (the vendor has none, or the target was not listed).
	Deadline *Deadline
}

// A Deadline is when the vendor wants a target completed: by Date, or Days
// or Months after each learner's assignment. Exactly one is set.
type Deadline struct {
	// Date is the last day, in UTC, to complete the target.
	Date time.Time
	// Days and Months are the period after the assignment.
	Days, Months int
}

// Assignment is how a user is assigned to a target.
type Assignment struct {
	// Role is the enrollment role (Enabley channels); empty means Learner.
	Role Role
	// Notify asks the vendor to send its assignment email.
	Notify bool
}

// Progress is one user's progress in a target.
type Progress struct {
	// UserID is User.ID; Email is set when the vendor reports it.
	UserID string
	Email  string
	// Percent is 0 to 100.
	Percent     int
	Completed   bool
	CompletedAt *time.Time
	// Score is the score where the vendor reports one.
	Score *float64
}

// A Completion is a course a user completed, from a read that covers the
// whole account.
type Completion struct {
	// UserID is User.ID; Email is set when the vendor names the user by it.
	UserID, Email string
	// CourseID is the course completed.
	CourseID    string
	CompletedAt *time.Time
	Score       *float64
}

// A ProgressReader reads progress as cheaply as the vendor allows: in bulk
// where it can, one learner at a time where it must. A vendor answers
// KindUnsupported for the reads it does not have (Capabilities.TargetProgress
// says which way it reads).
type ProgressReader interface {
	// RecentCompletions returns the courses completed recently across the
	// account, in one read every target shares (eLeaP: users/recent_completions,
	// the last 24 hours).
	RecentCompletions(ctx context.Context) ([]Completion, error)
	// TargetCourses returns the ids of the courses whose completion makes
	// t's (eLeaP: a course is itself; a learning path, its courses).
	TargetCourses(ctx context.Context, t Target) ([]string, error)
	// CourseProgress reads one user's progress in one course (eLeaP:
	// users/activity), for users the bulk reads leave unknown.
	CourseProgress(ctx context.Context, courseID string, u User) (Progress, error)
	// TargetProgress returns every learner's progress in t from one read of
	// the target (Enabley: the channel's performance, page by page); a
	// learner missing from it has not started.
	TargetProgress(ctx context.Context, t Target) ([]Progress, error)
}

// An EnrollmentClient assigns users and groups to training and reads progress.
type EnrollmentClient interface {
	// Targets lists the targets of a kind (for resolving by name).
	Targets(ctx context.Context, kind TargetKind) ([]Target, error)
	// AssignedUsers returns the IDs (User.ID) of users assigned to t directly.
	AssignedUsers(ctx context.Context, t Target) ([]string, error)
	// AssignUser assigns u to t. Assigning an assigned user is not an error.
	AssignUser(ctx context.Context, t Target, u User, a Assignment) error
	// UnassignUser removes u's assignment to t.
	UnassignUser(ctx context.Context, t Target, u User) error
	// AssignedGroups returns the IDs of groups assigned to t (GroupEnrollment vendors).
	AssignedGroups(ctx context.Context, t Target) ([]string, error)
	// AssignGroup assigns the group to t.
	AssignGroup(ctx context.Context, t Target, groupID string, a Assignment) error
	// UnassignGroup removes the group's assignment to t.
	UnassignGroup(ctx context.Context, t Target, groupID string) error
	ProgressReader
}
