package eleapsim

import (
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// The simulator implements lmssim.Vendor (checked without importing lmssim).
var _ interface {
	Name() string
	http.Handler
	Admin() http.Handler
	Endpoint(r *http.Request) string
	IsWrite(r *http.Request) bool
} = (*Sim)(nil)

const token = "tok-123"

// seedYAML is a company as a seed file would describe it.
const seedYAML = `
apiTokens: [tok-123]
forbiddenTokens: [other-subdomain]
customFields: [Department, Location]
users:
- {firstName: Jane, lastName: Doe, email: Jane.Doe@example.com, accessLevel: 1, customFields: {Department: Sales}}
- {firstName: John, lastName: Roe, email: john@example.com, active: false}
userGroups:
- {name: Sales, active: true}
courses:
- {id: "10", name: Safety, active: true}
- {id: "11", name: Privacy, active: true}
learningPaths:
- {id: "20", name: Onboarding, active: true, courses: ["10", "11"]}
memberships:
- {groupId: "1", email: john@example.com}
assignments:
- {target: course, targetId: "10", email: Jane.Doe@example.com}
- {target: learning_path, targetId: "20", userGroupId: "1"}
`

// newSim returns a simulator of seedYAML whose clock is fixed.
func newSim(t *testing.T) (*Sim, time.Time) {
	t.Helper()
	return newSimWith(t, func(*Seed) {})
}

// lenient makes user answers carry active and custom_fields, which the
// document's examples leave out: the reading these tests check the values of.
func lenient(s *Seed) { s.UserActive, s.UserCustomFields = true, true }

// newSimWith returns a simulator of seedYAML, changed by mutate, whose clock is fixed.
func newSimWith(t *testing.T, mutate func(*Seed)) (*Sim, time.Time) {
	t.Helper()
	var seed Seed
	if err := yaml.Unmarshal([]byte(seedYAML), &seed); err != nil {
		t.Fatalf("seed: %v", err)
	}
	mutate(&seed)
	if err := seed.Validate(); err != nil {
		t.Fatalf("seed is invalid: %v", err)
	}
	s := New(seed)
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	return s, now
}

// call POSTs args (plus the token unless args has one) to path and decodes the answer.
func call(t *testing.T, h http.Handler, path string, args url.Values) (int, map[string]any) {
	t.Helper()
	if args == nil {
		args = url.Values{}
	}
	if _, ok := args["api_token"]; !ok {
		args.Set("api_token", token)
	}
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(args.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s answered invalid JSON %q: %v", path, w.Body.String(), err)
	}
	return w.Code, body
}

// failure returns the code and message of a fail answer ("" code when it succeeded).
func failure(body map[string]any) (any, any) {
	resp, _ := body["response"].(map[string]any)
	if resp["status"] != "fail" {
		return nil, nil
	}
	return resp["code"], resp["message"]
}

// v builds url.Values from pairs.
func v(pairs ...string) url.Values {
	out := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		out.Set(pairs[i], pairs[i+1])
	}
	return out
}

func TestFailuresAnswerHTTP200WithDocumentedCodes(t *testing.T) {
	cases := map[string]struct {
		path     string
		args     url.Values
		wantCode float64
		wantMsg  string
	}{
		"missing token":                            {"/api/users/", v("api_token", ""), 401, msgMissingToken},
		"wrong token":                              {"/api/users/", v("api_token", "nope"), 4011, msgInvalidToken},
		"token of other subdomain":                 {"/api/users/", v("api_token", "other-subdomain"), 403, msgForbidden},
		"unknown path":                             {"/api/users/frobnicate", nil, 404, msgInvalidCall},
		"get without email":                        {"/api/users/get", nil, 4040, "Missing required argument 'email'"},
		"add without last_name":                    {"/api/users/add", v("first_name", "A", "email", "a@example.com"), 4040, "Missing required argument 'last_name'"},
		"edit without first_name":                  {"/api/users/edit", v("last_name", "A", "email", "a@example.com"), 4040, "Missing required argument 'first_name'"},
		"activity without id_course":               {"/api/users/activity", v("id", "1"), 4040, "Missing required argument 'id_course'"},
		"group add without name":                   {"/api/usergroups/add", nil, 4040, "Missing required argument 'name'"},
		"group assign without id_user":             {"/api/usergroups/assign_user", v("id", "1"), 4040, "Missing required argument 'id_user'"},
		"course group assign without id_usergroup": {"/api/courses/assign_user_group", v("id", "10"), 4040, "Missing required argument 'id_usergroup'"},
		"duplicate email":                          {"/api/users/add", v("first_name", "J", "last_name", "D", "email", "Jane.Doe@example.com"), 4040, "A user with the email address 'Jane.Doe@example.com' already exists"},
		"bad access level":                         {"/api/users/add", v("first_name", "J", "last_name", "D", "email", "x@example.com", "access_level", "7"), 4040, "Invalid value for argument 'access_level': must be 0, 1, 2 or 3"},
		"unknown custom field":                     {"/api/users/add", v("first_name", "J", "last_name", "D", "email", "x@example.com", "custom_fields", `{"Shoe":"42"}`), 4040, "Unknown custom field 'Shoe'"},
		"bad order":                                {"/api/users/", v("order", "up"), 4040, "Invalid value for argument 'order': must be 'asc' or 'desc'"},
		"email matched exactly":                    {"/api/users/get", v("email", "jane.doe@example.com"), 4041, msgUserNotFound},
		"unknown user id":                          {"/api/users/find", v("id", "99"), 4041, msgUserNotFound},
		"unknown course":                           {"/api/courses/find", v("id", "99"), 4041, "The course was not found"},
		"empty assigned users":                     {"/api/courses/assigned_users", v("id", "11"), 4041, "No assigned users found"},
		"already assigned":                         {"/api/courses/assign_user", v("id", "10", "id_user", "1"), 4040, "The user is already assigned to this course"},
		"not assigned":                             {"/api/usergroups/unassign_user", v("id", "1", "id_user", "1"), 4041, "The user is not assigned to this user group"},
		"no recent completions":                    {"/api/users/recent_completions", nil, 4041, msgNoCompletions},
		"activity not assigned":                    {"/api/users/activity", v("id", "2", "id_course", "99"), 4041, "The course was not found"},
		"unmodelled endpoint":                      {"/api/users/reset_password", v("email", "john@example.com"), 404, "Invalid API call: users/reset_password is documented but not modelled by the eLeaP simulator"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s, _ := newSim(t)
			status, body := call(t, s, tc.path, tc.args)
			code, msg := failure(body)
			if diff := cmp.Diff([]any{http.StatusOK, tc.wantCode, tc.wantMsg}, []any{status, code, msg}); diff != "" {
				t.Errorf("status, code, message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHTTPErrorStatusModeSendsMatchingStatus(t *testing.T) {
	cases := map[string]struct {
		path string
		args url.Values
		want int
	}{
		"401":                      {"/api/users/", v("api_token", ""), http.StatusUnauthorized},
		"4011":                     {"/api/users/", v("api_token", "bad"), http.StatusUnauthorized},
		"403":                      {"/api/users/", v("api_token", "forbidden"), http.StatusForbidden},
		"404":                      {"/api/nothing/here", nil, http.StatusNotFound},
		"4040":                     {"/api/users/get", nil, http.StatusBadRequest},
		"4041":                     {"/api/users/get", v("email", "nobody@example.com"), http.StatusNotFound},
		"no custom fields is 4041": {"/api/users/custom_fields", nil, http.StatusNotFound},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := New(Seed{APITokens: []string{token}, ForbiddenTokens: []string{"forbidden"}, HTTPErrorStatus: true})
			if status, _ := call(t, s, tc.path, tc.args); status != tc.want {
				t.Errorf("HTTP status = %d, want %d", status, tc.want)
			}
		})
	}
}

func TestGetAcceptsQueryArguments(t *testing.T) {
	s, _ := newSimWith(t, lenient)
	r := httptest.NewRequest(http.MethodGet, "/api/users/get?api_token="+token+"&email=john%40example.com", nil)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	want := `{"response":{"status":"success","code":"200","message":"OK"},"user":[{"id":"2","access_level":0,"first_name":"John","middle_name":"","last_name":"Roe","email":"john@example.com","description":"","active":0,"custom_fields":[],"created":""}]}`
	if diff := cmp.Diff(want, strings.TrimSpace(w.Body.String())); diff != "" {
		t.Errorf("users/get by GET (-want +got):\n%s", diff)
	}
}

func TestUserLifecycle(t *testing.T) {
	s, now := newSim(t)
	steps := []struct {
		path string
		args url.Values
	}{
		{"/api/users/add", v("first_name", "Ann", "last_name", "Lee", "email", "ann@example.com", "access_level", "2", "silent", "1", "custom_fields", `{"Location":"Paris"}`)},
		{"/api/users/edit", v("first_name", "Anne", "last_name", "Lee", "email", "ann@example.com", "description", "ops")},
		{"/api/users/edit", v("id", "3", "first_name", "Anne", "last_name", "Lee", "email", "anne@example.com")},
		{"/api/users/deactivate", v("email", "anne@example.com")},
	}
	for _, st := range steps {
		if _, body := call(t, s, st.path, st.args); body["response"].(map[string]any)["status"] != "success" {
			t.Fatalf("%s failed: %v", st.path, body)
		}
	}
	got, ok := s.UserByEmail("anne@example.com")
	want := User{ID: "3", FirstName: "Anne", LastName: "Lee", Email: "anne@example.com", AccessLevel: 2,
		Description: "ops", CustomFields: map[string]string{"Location": "Paris"}, Created: now}
	if diff := cmp.Diff(want, got); !ok || diff != "" {
		t.Errorf("user after add, edit, rename, deactivate (-want +got):\n%s", diff)
	}
	if n := len(s.State().EmailsSent); n != 0 {
		t.Errorf("silent add sent %d emails, want 0", n)
	}
	call(t, s, "/api/users/remove", v("email", "anne@example.com"))
	if _, ok := s.UserByEmail("anne@example.com"); ok {
		t.Errorf("user still exists after users/remove")
	}
}

func TestListsAndShapes(t *testing.T) {
	cases := map[string]struct {
		path string
		args url.Values
		key  string
		want any
	}{
		"users filtered by custom field": {"/api/users/", v("custom_fields", `{"Department":"Sales"}`), "users",
			[]any{map[string]any{"id": "1", "access_level": 1.0, "first_name": "Jane", "middle_name": "", "last_name": "Doe",
				"email": "Jane.Doe@example.com", "description": "", "active": 1.0, "custom_fields": map[string]any{"Department": "Sales"}, "created": ""}}},
		"users desc":         {"/api/users/", v("order", "desc"), "users", nil},
		"custom fields":      {"/api/users/custom_fields", nil, "custom_fields", []any{"Department", "Location"}},
		"group members":      {"/api/usergroups/assigned_users", v("id", "1"), "users", nil},
		"path groups":        {"/api/learning_paths/assigned_user_groups", v("id", "20"), "usergroups", []any{map[string]any{"id": "1", "name": "Sales", "description": "", "active": 1.0, "created": ""}}},
		"path courses":       {"/api/learning_paths/assigned_courses", v("id", "20"), "courses", nil},
		"learning path find": {"/api/learning_paths/find", v("id", "20"), "learning_path", []any{map[string]any{"id": "20", "name": "Onboarding", "description": "", "active": "yes", "created": ""}}},
		"course find":        {"/api/courses/find", v("id", "11"), "course", []any{map[string]any{"id": "11", "name": "Privacy", "description": "", "active": "yes", "created": "", "deadline": "", "deadline_date": "", "deadline_relative": "0", "deadline_relative_unit": ""}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s, _ := newSimWith(t, lenient)
			_, body := call(t, s, tc.path, tc.args)
			if _, ok := body[tc.key]; !ok {
				t.Fatalf("answer has no %q: %v", tc.key, body)
			}
			if tc.want == nil {
				return
			}
			if diff := cmp.Diff(tc.want, body[tc.key]); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.key, diff)
			}
		})
	}
}

func TestSingleCourseIsABareObject(t *testing.T) {
	s := New(Seed{APITokens: []string{token}, Courses: []Course{{ID: "1", Name: "Course Name", Active: true}}})
	_, body := call(t, s, "/api/courses/", nil)
	if _, ok := body["courses"].(map[string]any); !ok {
		t.Errorf("courses = %T, want an object as in the document's example", body["courses"])
	}
}

func TestProgressAndRecentCompletions(t *testing.T) {
	s, now := newSim(t)
	score := 92.5
	if err := s.Complete("john@example.com", "11", 40, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Complete("Jane.Doe@example.com", "10", 100, &score); err != nil {
		t.Fatal(err)
	}
	_, body := call(t, s, "/api/users/recent_completions", nil)
	wantRecent := []any{map[string]any{"id_user": "1", "email": "Jane.Doe@example.com", "first_name": "Jane", "last_name": "Doe",
		"id_course": "10", "course_name": "Safety", "completed": "2025-03-01 12:00:00", "score": "92.5"}}
	if diff := cmp.Diff(wantRecent, body["completions"]); diff != "" {
		t.Errorf("recent completions (-want +got):\n%s", diff)
	}
	_, body = call(t, s, "/api/users/activity", v("id", "2", "id_course", "11"))
	wantActivity := []any{map[string]any{"id_user": "2", "id_course": "11", "course_name": "Privacy", "status": "in progress",
		"progress": 40.0, "score": "", "completed": ""}}
	if diff := cmp.Diff(wantActivity, body["activity"]); diff != "" {
		t.Errorf("activity (-want +got):\n%s", diff)
	}
	s.Now = func() time.Time { return now.Add(25 * time.Hour) }
	if _, body = call(t, s, "/api/users/recent_completions", nil); body["completions"] != nil {
		t.Errorf("completion older than 24h still listed: %v", body)
	}
}

func TestActivityThroughLearningPathGroup(t *testing.T) {
	s, _ := newSim(t)
	_, body := call(t, s, "/api/users/activity", v("id", "2", "id_course", "10"))
	if code, msg := failure(body); code != nil {
		t.Fatalf("john is assigned to course 10 through group Sales and path 20, got %v %v", code, msg)
	}
	if got := body["activity"].([]any)[0].(map[string]any)["status"]; got != statusNotStarted {
		t.Errorf("status = %v, want %q", got, statusNotStarted)
	}
}

func TestAssignmentsAndEmails(t *testing.T) {
	s, _ := newSim(t)
	call(t, s, "/api/courses/assign_user", v("id", "11", "id_user", "2"))
	call(t, s, "/api/courses/assign_user_group", v("id", "11", "id_usergroup", "1", "silent", "1"))
	call(t, s, "/api/usergroups/assign_user", v("id", "1", "id_user", "1"))
	call(t, s, "/api/learning_paths/unassign_user_group", v("id", "20", "id_usergroup", "1"))
	st := s.State()
	wantAssignments := []Assignment{
		{Target: TargetCourse, TargetID: "10", UserID: "1", Email: "Jane.Doe@example.com"},
		{Target: TargetCourse, TargetID: "11", UserID: "2", Email: "john@example.com"},
		{Target: TargetCourse, TargetID: "11", UserGroupID: "1"},
	}
	if diff := cmp.Diff(wantAssignments, st.Assignments); diff != "" {
		t.Errorf("assignments (-want +got):\n%s", diff)
	}
	wantEmails := []EmailSent{{Kind: "assignment", Email: "john@example.com", Endpoint: "courses/assign_user"}}
	if diff := cmp.Diff(wantEmails, st.EmailsSent); diff != "" {
		t.Errorf("emails (-want +got):\n%s", diff)
	}
	if len(st.Memberships) != 2 {
		t.Errorf("memberships = %v, want john and jane in Sales", st.Memberships)
	}
}

func TestGroupLifecycle(t *testing.T) {
	s, _ := newSim(t)
	_, body := call(t, s, "/api/usergroups/add", v("name", "Ops", "description", "d"))
	if body["id"] != "2" {
		t.Fatalf("usergroups/add answered id %v, want \"2\"", body["id"])
	}
	call(t, s, "/api/usergroups/edit", v("id", "2", "name", "Ops team", "active", "1"))
	call(t, s, "/api/usergroups/remove", v("id", "1"))
	want := []UserGroup{{ID: "2", Name: "Ops team", Description: "d", Active: true, Created: s.Now()}}
	if diff := cmp.Diff(want, s.State().UserGroups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if n := len(s.State().Memberships); n != 0 {
		t.Errorf("removed group left %d memberships", n)
	}
}

func TestFailNextForcesOneAnswer(t *testing.T) {
	s, _ := newSim(t)
	s.FailNext(Failure{Endpoint: "users/add", HTTPStatus: 429, RetryAfter: "30"})
	s.FailNext(Failure{Body: "{not json"})
	r := httptest.NewRequest(http.MethodPost, "/api/users/add", strings.NewReader("api_token="+token))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != 429 || w.Header().Get("Retry-After") != "30" {
		t.Errorf("forced 429: got %d Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	w = httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/users/?api_token="+token, nil))
	if w.Body.String() != "{not json" {
		t.Errorf("forced body = %q", w.Body.String())
	}
	if _, body := call(t, s, "/api/users/", nil); body["users"] == nil {
		t.Errorf("failures were not consumed: %v", body)
	}
}

func TestAdminAPI(t *testing.T) {
	s, _ := newSim(t)
	admin := s.Admin()
	reqs := []struct {
		method, path, body string
		want               int
	}{
		{http.MethodPost, "/users", `{"first_name":"Zed","last_name":"Z","email":"zed@example.com"}`, 200},
		{http.MethodPost, "/users", `{"first_name":"Zed","last_name":"Z","email":"zed@example.com"}`, 400},
		{http.MethodPatch, "/users/john@example.com", `{"first_name":"Johnny","active":true}`, 200},
		{http.MethodPatch, "/users/nobody@example.com", `{}`, 404},
		{http.MethodPost, "/completions", `{"email":"john@example.com","courseId":"10","score":80}`, 200},
		{http.MethodPost, "/completions", `{"email":"john@example.com","courseId":"99"}`, 404},
		{http.MethodPost, "/failures", `{"code":4011}`, 200},
		{http.MethodDelete, "/users/zed@example.com", ``, 200},
	}
	for _, rq := range reqs {
		w := httptest.NewRecorder()
		admin.ServeHTTP(w, httptest.NewRequest(rq.method, rq.path, strings.NewReader(rq.body)))
		if w.Code != rq.want {
			t.Errorf("%s %s = %d %s, want %d", rq.method, rq.path, w.Code, w.Body.String(), rq.want)
		}
	}
	u, _ := s.UserByEmail("john@example.com")
	if u.FirstName != "Johnny" || !u.Active {
		t.Errorf("patched user = %+v", u)
	}
	if _, body := call(t, s, "/api/users/", nil); body["response"].(map[string]any)["code"] != 4011.0 {
		t.Errorf("failure queued by the admin API was not answered: %v", body)
	}
	w := httptest.NewRecorder()
	admin.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/state", nil))
	var st State
	if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil || len(st.Completions) != 1 {
		t.Errorf("state = %s (%v), want one completion", w.Body.String(), err)
	}
}

func TestEndpointAndIsWrite(t *testing.T) {
	cases := map[string]struct {
		path      string
		endpoint  string
		wantWrite bool
	}{
		"list":           {"/api/users/", "users/", false},
		"list no slash":  {"/api/usergroups", "usergroups/", false},
		"add":            {"/api/users/add", "users/add", true},
		"activate":       {"/api/users/activate", "users/activate", true},
		"assign":         {"/api/courses/assign_user", "courses/assign_user", true},
		"unassign group": {"/api/learning_paths/unassign_user_group", "learning_paths/unassign_user_group", true},
		"assigned users": {"/api/learning_paths/assigned_users", "learning_paths/assigned_users", false},
		"recent":         {"/api/users/recent_completions", "users/recent_completions", false},
		"unknown":        {"/api/users/x/y", "invalid", false},
	}
	s := New(Seed{})
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, tc.path, nil)
			if got := []any{s.Endpoint(r), s.IsWrite(r)}; !cmp.Equal(got, []any{tc.endpoint, tc.wantWrite}) {
				t.Errorf("Endpoint, IsWrite = %v, want %v %v", got, tc.endpoint, tc.wantWrite)
			}
		})
	}
}

func TestSeedValidateFindsUnknownReferences(t *testing.T) {
	seed := Seed{Users: []SeedUser{{User: User{Email: "a@example.com"}}, {User: User{Email: "a@example.com"}}}}
	if err := seed.Validate(); err == nil {
		t.Errorf("duplicate emails passed validation")
	}
	seed = Seed{Memberships: []Membership{{GroupID: "1", Email: "nobody@example.com"}}}
	if err := seed.Validate(); err == nil {
		t.Errorf("membership of an unknown user passed validation")
	}
}

func TestConcurrentCallsAreSafe(t *testing.T) {
	s, _ := newSim(t)
	srv := httptest.NewServer(s)
	defer srv.Close()
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			email := "u" + string(rune('a'+i)) + "@example.com"
			args := v("api_token", token, "first_name", "U", "last_name", "V", "email", email)
			resp, err := http.PostForm(srv.URL+"/api/users/add", args)
			if err == nil {
				_ = resp.Body.Close()
			}
			_ = s.State()
		}()
	}
	for range 8 {
		<-done
	}
	if n := len(s.Users()); n != 10 {
		t.Errorf("users after 8 concurrent adds = %d, want 10", n)
	}
}

func TestMultipartBodyIsRead(t *testing.T) {
	s, _ := newSim(t)
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("api_token", token)
	_ = mw.WriteField("email", "john@example.com")
	_ = mw.Close()
	r := httptest.NewRequest(http.MethodPost, "/api/users/get", strings.NewReader(buf.String()))
	r.Header.Set("Content-Type", mw.FormDataContentType())
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if !strings.Contains(w.Body.String(), `"email":"john@example.com"`) {
		t.Errorf("users/get with a multipart body = %s", w.Body.String())
	}
}
