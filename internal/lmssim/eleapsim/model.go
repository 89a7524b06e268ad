package eleapsim

import "time"

// A User is an eLeaP user account as the simulator holds it.
type User struct {
	// ID is eLeaP's internal id, assigned by the simulator when empty in a seed.
	ID         string `json:"id,omitempty"`
	FirstName  string `json:"firstName"`
	MiddleName string `json:"middleName,omitempty"`
	LastName   string `json:"lastName"`
	// Email is stored as sent, never lower-cased.
	Email string `json:"email"`
	// AccessLevel is 0 trainee, 1 instructor, 2 supervisor, 3 manager.
	AccessLevel int    `json:"accessLevel"`
	Description string `json:"description,omitempty"`
	Active      bool   `json:"active"`
	// CustomFields are values by custom field name.
	CustomFields map[string]string `json:"customFields,omitempty"`
	Created      time.Time         `json:"created,omitzero"`
}

// A UserGroup is an eLeaP user group.
type UserGroup struct {
	ID          string    `json:"id,omitempty"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Active      bool      `json:"active"`
	Created     time.Time `json:"created,omitzero"`
}

// A Course is an eLeaP course. The deadline fields are returned as given.
type Course struct {
	ID                   string    `json:"id"`
	Name                 string    `json:"name"`
	Description          string    `json:"description,omitempty"`
	Active               bool      `json:"active"`
	Created              time.Time `json:"created,omitzero"`
	Deadline             string    `json:"deadline,omitempty"`
	DeadlineDate         string    `json:"deadlineDate,omitempty"`
	DeadlineRelative     string    `json:"deadlineRelative,omitempty"`
	DeadlineRelativeUnit string    `json:"deadlineRelativeUnit,omitempty"`
}

// A LearningPath is an eLeaP learning path: an ordered list of courses.
type LearningPath struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Active      bool      `json:"active"`
	Created     time.Time `json:"created,omitzero"`
	// Courses are the ids of the path's courses.
	Courses []string `json:"courses,omitempty"`
}

// A Membership puts a user in a user group. In a seed, the user is named by
// Email or UserID.
type Membership struct {
	GroupID string `json:"groupId"`
	UserID  string `json:"userId,omitempty"`
	Email   string `json:"email,omitempty"`
}

// The target kinds of an Assignment.
const (
	TargetCourse       = "course"
	TargetLearningPath = "learning_path"
)

// An Assignment assigns a user (UserID or Email) or a user group (UserGroupID)
// to a course or learning path.
type Assignment struct {
	// Target is TargetCourse or TargetLearningPath.
	Target      string `json:"target"`
	TargetID    string `json:"targetId"`
	UserID      string `json:"userId,omitempty"`
	Email       string `json:"email,omitempty"`
	UserGroupID string `json:"userGroupId,omitempty"`
}

// A Completion is a user's progress in a course; CompletedAt is set once the
// course is completed. In a seed, the user is named by Email or UserID.
type Completion struct {
	UserID      string     `json:"userId,omitempty"`
	Email       string     `json:"email,omitempty"`
	CourseID    string     `json:"courseId"`
	Percent     int        `json:"percent"`
	Score       *float64   `json:"score,omitempty"`
	CompletedAt *time.Time `json:"completedAt,omitempty"`
}

// An EmailSent records an email eLeaP would have sent (no silent=1).
type EmailSent struct {
	// Kind is "activation" (users/add) or "assignment".
	Kind  string `json:"kind"`
	Email string `json:"email"`
	// Endpoint is the call that sent it, such as "courses/assign_user".
	Endpoint string `json:"endpoint"`
}

// State is the simulator's whole state, as GET /_sim/eleap/state returns it.
// Lists are sorted by id; memberships and assignments name users by id and email.
type State struct {
	Users         []User         `json:"users"`
	UserGroups    []UserGroup    `json:"userGroups"`
	Courses       []Course       `json:"courses"`
	LearningPaths []LearningPath `json:"learningPaths"`
	CustomFields  []string       `json:"customFields"`
	Memberships   []Membership   `json:"memberships"`
	Assignments   []Assignment   `json:"assignments"`
	Completions   []Completion   `json:"completions"`
	EmailsSent    []EmailSent    `json:"emailsSent"`
}

// A UserPatch changes a user behind the operator's back (PATCH
// /_sim/eleap/users/{email}, POST /_sim/eleap/users). It uses the vendor's
// field names; nil fields are left alone.
type UserPatch struct {
	FirstName    *string           `json:"first_name,omitempty"`
	MiddleName   *string           `json:"middle_name,omitempty"`
	LastName     *string           `json:"last_name,omitempty"`
	Email        *string           `json:"email,omitempty"`
	AccessLevel  *int              `json:"access_level,omitempty"`
	Description  *string           `json:"description,omitempty"`
	Active       *bool             `json:"active,omitempty"`
	CustomFields map[string]string `json:"custom_fields,omitempty"`
}

// A Failure is an answer forced onto the next matching API call, for tests:
// see Sim.FailNext. The call changes nothing.
type Failure struct {
	// Endpoint limits the failure to calls of one endpoint ("users/add");
	// empty matches the next call of any endpoint.
	Endpoint string `json:"endpoint,omitempty"`
	// Code is the eLeaP code in the fail body (401, 4011, 403, 404, 4040,
	// 4041); 0 uses HTTPStatus as the code.
	Code int `json:"code,omitempty"`
	// Message is the body's message; empty uses the document's wording.
	Message string `json:"message,omitempty"`
	// HTTPStatus is the answer's status; 0 follows the simulator's mode
	// (200, or the code's status with Seed.HTTPErrorStatus).
	HTTPStatus int `json:"httpStatus,omitempty"`
	// RetryAfter is sent as the Retry-After header when not empty.
	RetryAfter string `json:"retryAfter,omitempty"`
	// Body, when not empty, is sent verbatim instead of a fail envelope
	// (to test malformed answers).
	Body string `json:"body,omitempty"`
}
