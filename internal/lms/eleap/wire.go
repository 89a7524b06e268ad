package eleap

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// maxAnswer bounds the size of an answer read (users/ lists every user):
// a longer answer is a Transient error, never cut short.
const maxAnswer = 64 << 20

// A wireClient is the HTTP layer: every call is a form-encoded POST to
// BaseURL + "/" + endpoint with api_token in the body, never in the URL.
// Its methods are the endpoints the adapters use.
type wireClient struct {
	baseURL string
	token   string
	http    *http.Client
	now     func() time.Time
	// maxAnswer bounds the answers read: maxAnswer, or less in tests.
	maxAnswer int64
	// pause is lms.Config.Pause: it pauses the whole connection.
	pause func(retryAfter time.Duration) time.Duration
}

// answer is an HTTP answer read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// The wire client serves the three adapters through its narrow interface.
var (
	_ usersAPI       = (*wireClient)(nil)
	_ groupsAPI      = (*wireClient)(nil)
	_ enrollmentsAPI = (*wireClient)(nil)
)

// call sends args to endpoint (such as "users/add") and decodes a success
// answer into out (nil: only check the envelope).
func (c *wireClient) call(ctx context.Context, endpoint string, args url.Values, out any) error {
	ctx = lms.WithOperation(ctx, endpoint)
	a, err := c.send(ctx, endpoint, args)
	if err != nil {
		return err
	}
	return safe(c.pauseOn(decodeResponse(endpoint, a, c.now(), out)), c.token)
}

// pauseOn pauses the whole connection when eLeaP's answer says its request
// limit is reached (code 429, in the body of an HTTP 200 as much as in an
// HTTP 429 that no budget transport caught), for the answer's Retry-After
// (0: the budget's backoff). The error then carries the pause's length.
func (c *wireClient) pauseOn(err error) error {
	var le *lms.Error
	if c.pause != nil && errors.As(err, &le) && le.Kind == lms.KindRateLimited {
		le.RetryAfter = c.pause(le.RetryAfter)
	}
	return err
}

// fetch calls endpoint and returns its success answer decoded as a T.
func fetch[T any](ctx context.Context, c *wireClient, endpoint string, args url.Values) (T, error) {
	var out T
	err := c.call(ctx, endpoint, args, &out)
	return out, err
}

// send posts the form and reads the answer.
func (c *wireClient) send(ctx context.Context, endpoint string, args url.Values) (answer, error) {
	form := url.Values{}
	for k, v := range args {
		form[k] = v
	}
	form.Set("api_token", c.token)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/"+endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return answer{}, &lms.Error{Kind: lms.KindInvalidRequest, Op: opName(endpoint), Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, doError(endpoint, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := lms.ReadAnswer(resp.Body, c.maxAnswer, opName(endpoint))
	if err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// decodeResponse turns an answer into nil (success, decoded into out) or a
// classified *lms.Error (classifyAnswer).
func decodeResponse(endpoint string, a answer, now time.Time, out any) error {
	op := opName(endpoint)
	var env envelope
	envErr := json.Unmarshal(a.body, &env)
	if err := classifyAnswer(op, a, env, envErr, now); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(a.body, out); err != nil {
		return &lms.Error{Kind: lms.KindTransient, Op: op, Message: msgMalformed, Err: err}
	}
	return nil
}

// byID is the argument naming an object by eLeaP id.
func byID(id string) url.Values { return url.Values{"id": {id}} }

// byEmail is the argument naming a user by email.
func byEmail(email string) url.Values { return url.Values{"email": {lms.NormalizeEmail(email)}} }

// customFields calls users/custom_fields, the cheapest call (Verify).
func (c *wireClient) customFields(ctx context.Context) error {
	return c.call(ctx, "users/custom_fields", nil, nil)
}

// listUserRecords calls users/: every user, as records the caller decodes
// one by one.
func (c *wireClient) listUserRecords(ctx context.Context) ([]json.RawMessage, error) {
	ans, err := fetch[struct {
		Users list[json.RawMessage] `json:"users"`
	}](ctx, c, "users/", nil)
	return ans.Users, err
}

// getUser calls users/get: the user with the email, as a one-element list.
func (c *wireClient) getUser(ctx context.Context, email string) ([]userDTO, error) {
	ans, err := fetch[userAnswer](ctx, c, "users/get", byEmail(email))
	return ans.User, err
}

// findUser calls users/find: the user with the eLeaP id.
func (c *wireClient) findUser(ctx context.Context, id string) ([]userDTO, error) {
	ans, err := fetch[userAnswer](ctx, c, "users/find", byID(id))
	return ans.User, err
}

// addUser calls users/add with the user's arguments.
func (c *wireClient) addUser(ctx context.Context, args url.Values) (addAnswer, error) {
	return fetch[addAnswer](ctx, c, "users/add", args)
}

// editUser calls users/edit with the user's arguments.
func (c *wireClient) editUser(ctx context.Context, args url.Values) error {
	return c.call(ctx, "users/edit", args, nil)
}

// setUserActive calls users/activate or users/deactivate for the email.
func (c *wireClient) setUserActive(ctx context.Context, email string, active bool) error {
	endpoint := "users/deactivate"
	if active {
		endpoint = "users/activate"
	}
	return c.call(ctx, endpoint, byEmail(email), nil)
}

// removeUser calls users/remove for the email.
func (c *wireClient) removeUser(ctx context.Context, email string) error {
	return c.call(ctx, "users/remove", byEmail(email), nil)
}

// listGroups calls usergroups/: every user group.
func (c *wireClient) listGroups(ctx context.Context) ([]groupDTO, error) {
	ans, err := fetch[groupsAnswer](ctx, c, "usergroups/", nil)
	return ans.UserGroups, err
}

// findGroup calls usergroups/find: the group with the id.
func (c *wireClient) findGroup(ctx context.Context, id string) ([]groupDTO, error) {
	ans, err := fetch[groupAnswer](ctx, c, "usergroups/find", byID(id))
	return ans.UserGroup, err
}

// addGroup calls usergroups/add, whose answer carries the new id.
func (c *wireClient) addGroup(ctx context.Context, args url.Values) (addAnswer, error) {
	return fetch[addAnswer](ctx, c, "usergroups/add", args)
}

// editGroup calls usergroups/edit.
func (c *wireClient) editGroup(ctx context.Context, args url.Values) error {
	return c.call(ctx, "usergroups/edit", args, nil)
}

// removeGroup calls usergroups/remove.
func (c *wireClient) removeGroup(ctx context.Context, id string) error {
	return c.call(ctx, "usergroups/remove", byID(id), nil)
}

// groupUsers calls usergroups/assigned_users: the group's members.
func (c *wireClient) groupUsers(ctx context.Context, id string) ([]userDTO, error) {
	ans, err := fetch[usersAnswer](ctx, c, "usergroups/assigned_users", byID(id))
	return ans.Users, err
}

// setGroupUser calls usergroups/assign_user (member true) or
// usergroups/unassign_user for the group and the user's eLeaP id.
func (c *wireClient) setGroupUser(ctx context.Context, group, user string, member bool) error {
	endpoint := "usergroups/unassign_user"
	if member {
		endpoint = "usergroups/assign_user"
	}
	return c.call(ctx, endpoint, url.Values{"id": {group}, "id_user": {user}}, nil)
}

// listTargets calls courses/ or learning_paths/ (section "courses" or
// "learning_paths").
func (c *wireClient) listTargets(ctx context.Context, section string) ([]targetDTO, error) {
	ans, err := fetch[struct {
		coursesAnswer
		pathsAnswer
	}](ctx, c, section+"/", nil)
	if section == sectionPaths {
		return ans.LearningPaths, err
	}
	return ans.Courses, err
}

// assignedUsers calls <section>/assigned_users: the users assigned directly.
func (c *wireClient) assignedUsers(ctx context.Context, section, id string) ([]userDTO, error) {
	ans, err := fetch[usersAnswer](ctx, c, section+"/assigned_users", byID(id))
	return ans.Users, err
}

// assignedGroups calls <section>/assigned_user_groups.
func (c *wireClient) assignedGroups(ctx context.Context, section, id string) ([]groupDTO, error) {
	ans, err := fetch[groupsAnswer](ctx, c, section+"/assigned_user_groups", byID(id))
	return ans.UserGroups, err
}

// assignment calls <section>/<verb> (assign_user, unassign_user_group, ...)
// with the target's id and the arguments naming the member.
func (c *wireClient) assignment(ctx context.Context, section, verb, id string, args url.Values) error {
	all := url.Values{"id": {id}}
	for k, v := range args {
		all[k] = v
	}
	return c.call(ctx, section+"/"+verb, all, nil)
}

// recentCompletions calls users/recent_completions: the courses completed
// in the last 24 hours.
func (c *wireClient) recentCompletions(ctx context.Context) ([]completionDTO, error) {
	ans, err := fetch[completionsAnswer](ctx, c, "users/recent_completions", nil)
	return ans.Completions, err
}

// pathCourses calls learning_paths/assigned_courses: a learning path's courses.
func (c *wireClient) pathCourses(ctx context.Context, id string) ([]targetDTO, error) {
	ans, err := fetch[coursesAnswer](ctx, c, "learning_paths/assigned_courses", byID(id))
	return ans.Courses, err
}

// activity calls users/activity: the user's status in the course.
func (c *wireClient) activity(ctx context.Context, user, course string) ([]activityDTO, error) {
	ans, err := fetch[activityAnswer](ctx, c, "users/activity", url.Values{"id": {user}, "id_course": {course}})
	return ans.Activity, err
}
