package lms

// Resources holds the resource clients of one vendor connection. A vendor's
// Client embeds it for its Users, Groups and Enrollments methods.
type Resources struct {
	// UserClient manages user accounts; never nil.
	UserClient UserClient
	// GroupClient manages groups; nil when the vendor has none the operator can write.
	GroupClient GroupClient
	// EnrollmentClient assigns training; nil when the vendor has no such API.
	EnrollmentClient EnrollmentClient
}

// Users returns the user client.
func (r Resources) Users() UserClient { return r.UserClient }

// Groups returns the group client, or nil.
func (r Resources) Groups() GroupClient { return r.GroupClient }

// Enrollments returns the enrollment client, or nil.
func (r Resources) Enrollments() EnrollmentClient { return r.EnrollmentClient }
