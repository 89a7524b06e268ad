package exceedsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/yaml"
)

const (
	testKey  = "123456"
	jsonType = "application/json"
	formType = "application/x-www-form-urlencoded"
)

var t0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

// newTestSim returns a simulator accepting testKey, on a fake clock at t0.
func newTestSim(t *testing.T, pageSize int, users ...User) *Sim {
	t.Helper()
	s := New(Seed{APIKeys: []string{testKey}, PageSize: pageSize, Users: users})
	s.SetClock(clocktesting.NewFakePassiveClock(t0))
	return s
}

// seedUser returns an active student with the given id, code and email.
func seedUser(id int64, code, email string) User {
	return User{ID: id, Code: code, Login: email, Email: email, FirstName: "First", LastName: fmt.Sprint(id),
		IsActive: true, Authority: "student", CreatedOn: t0, UpdatedOn: t0}
}

// call sends one request to h and returns the status and body.
func call(t *testing.T, h http.Handler, method, target, contentType, body string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	b, err := io.ReadAll(w.Result().Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return w.Code, string(b)
}

// reasons decodes an error body.
func reasons(t *testing.T, body string) []string {
	t.Helper()
	var e errorsBody
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error body %q is not {\"errors\": [...]}: %v", body, err)
	}
	return e.Errors
}

// listIDs decodes a list body into its ids.
func listIDs(t *testing.T, body string) []int64 {
	t.Helper()
	var rows []struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &rows); err != nil {
		t.Fatalf("list body %q is not an array: %v", body, err)
	}
	ids := []int64{}
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestAPIKeyIsReadFromQueryJSONBodyOrForm(t *testing.T) {
	cases := map[string]struct {
		method, target, contentType, body string
		want                              int
	}{
		"query":                     {"GET", "/api/v2/users?api_key=" + testKey, "", "", 200},
		"JSON body on GET":          {"GET", "/api/v2/users", jsonType, `{"api_key": "123456", "fields": "id,first_name"}`, 200},
		"JSON body without type":    {"GET", "/api/v2/users", "", `{"api_key": "123456"}`, 200},
		"form body":                 {"DELETE", "/api/v2/users/1", formType, "api_key=" + testKey, 200},
		"missing":                   {"GET", "/api/v2/users", "", "", 401},
		"wrong in query":            {"GET", "/api/v2/users?api_key=nope", "", "", 401},
		"wrong in body beats query": {"GET", "/api/v2/users?api_key=" + testKey, jsonType, `{"api_key": "nope"}`, 401},
		"malformed JSON body":       {"GET", "/api/v2/users?api_key=" + testKey, jsonType, `{"api_key": `, 400},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := newTestSim(t, 0, seedUser(1, "a", "a@example.com"))
			got, body := call(t, s, tc.method, tc.target, tc.contentType, tc.body)
			if got != tc.want {
				t.Fatalf("status = %d, want %d (body %s)", got, tc.want, body)
			}
			if got == 401 && strings.Contains(body, "nope") {
				t.Errorf("401 body %s echoes the refused key", body)
			}
		})
	}
}

func TestEmptyAPIKeysAcceptAnyNonEmptyKey(t *testing.T) {
	s := New(Seed{})
	if got, _ := call(t, s, "GET", "/api/v2/users?api_key=anything", "", ""); got != 200 {
		t.Errorf("any key: status %d, want 200", got)
	}
	if got, _ := call(t, s, "GET", "/api/v2/users", "", ""); got != 401 {
		t.Errorf("no key: status %d, want 401", got)
	}
}

func TestCreateRefusesMissingRequiredFields(t *testing.T) {
	s := newTestSim(t, 0)
	got, body := call(t, s, "POST", "/api/v2/users?api_key="+testKey, jsonType, `{"user": {"email": "x@example.com"}}`)
	if got != http.StatusUnprocessableEntity {
		t.Fatalf("status = %d, want 422 (body %s)", got, body)
	}
	want := []string{"First name can't be blank", "Last name can't be blank", "Login can't be blank", "Password can't be blank"}
	if diff := cmp.Diff(want, reasons(t, body)); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	if n := len(s.Users()); n != 0 {
		t.Errorf("a refused create stored %d users", n)
	}
}

func TestCreateEnforcesTheDocumentsLengthLimits(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	cases := map[string]struct {
		user map[string]string
		want []string
	}{
		"at the limits": {map[string]string{"first_name": long(100), "last_name": long(99), "zip": long(10), "city": long(50)}, nil},
		"first_name":    {map[string]string{"first_name": long(101)}, []string{"First name is too long (maximum is 100 characters)"}},
		"full_name":     {map[string]string{"first_name": long(100), "last_name": long(100)}, []string{"Full name is too long (maximum is 200 characters)"}},
		"login":         {map[string]string{"login": long(101)}, []string{"Login is too long (maximum is 100 characters)"}},
		"email":         {map[string]string{"email": long(101)}, []string{"Email is too long (maximum is 100 characters)"}},
		"zip":           {map[string]string{"zip": long(11)}, []string{"Zip is too long (maximum is 10 characters)"}},
		"phone_work":    {map[string]string{"phone_work": long(21)}, []string{"Phone work is too long (maximum is 20 characters)"}},
		"city":          {map[string]string{"city": long(51)}, []string{"City is too long (maximum is 50 characters)"}},
		"code (255)":    {map[string]string{"code": long(256)}, []string{"Code is too long (maximum is 255 characters)"}},
		"custom (255)":  {map[string]string{"custom_u": long(256)}, []string{"Custom u is too long (maximum is 255 characters)"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := newTestSim(t, 0)
			user := map[string]string{"first_name": "tim", "last_name": "tim", "login": "tim", "password": "tim"}
			for k, v := range tc.user {
				user[k] = v
			}
			b, _ := json.Marshal(map[string]any{"user": user})
			got, body := call(t, s, "POST", "/api/v2/users?api_key="+testKey, jsonType, string(b))
			if tc.want == nil {
				if got != http.StatusCreated {
					t.Fatalf("status = %d, want 201 (body %s)", got, body)
				}
				return
			}
			if got != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d, want 422 (body %s)", got, body)
			}
			if diff := cmp.Diff(tc.want, reasons(t, body)); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreateRefusesTakenLoginEmailAndCode(t *testing.T) {
	s := newTestSim(t, 0, seedUser(1, "joe", "joe@example.com"))
	body := `{"user": {"first_name": "a", "last_name": "b", "login": "JOE@example.com", "password": "p", "email": "Joe@Example.com", "code": "JOE"}}`
	got, resp := call(t, s, "POST", "/api/v2/users?api_key="+testKey, jsonType, body)
	if got != http.StatusUnprocessableEntity {
		t.Fatalf("status = %d, want 422 (body %s)", got, resp)
	}
	want := []string{"Login has already been taken", "Email has already been taken", "Code has already been taken"}
	if diff := cmp.Diff(want, reasons(t, resp)); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
}

func TestCreateAnswersTheUserLikeTheDocumentsExample(t *testing.T) {
	s := newTestSim(t, 0)
	got, body := call(t, s, "POST", "/api/v2/users?api_key="+testKey, jsonType,
		`{"user": {"first_name": "tim", "last_name": "tim", "login": "tim", "password": "tim", "authority": "superadmin"}}`)
	if got != http.StatusCreated {
		t.Fatalf("status = %d, want 201 (body %s)", got, body)
	}
	var u map[string]any
	if err := json.Unmarshal([]byte(body), &u); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	want := map[string]any{"id": 1.0, "account_id": 1.0, "first_name": "tim", "full_name": "tim tim", "authority": "student",
		"is_active": true, "code": nil, "email": nil, "password": "tim", "updated_on": "2024-03-01T09:00:00Z"}
	for k, v := range want {
		if diff := cmp.Diff(v, u[k]); diff != "" {
			t.Errorf("attribute %s (-want +got):\n%s", k, diff)
		}
	}
}

func TestCreateAcceptsFormAndQueryParameters(t *testing.T) {
	cases := map[string]struct{ target, contentType, body string }{
		"form body":    {"/api/v2/users?api_key=" + testKey, formType, "user%5Bfirst_name%5D=tim&user%5Blast_name%5D=tim&user%5Blogin%5D=tim&user%5Bpassword%5D=tim&user%5Bis_active%5D=false"},
		"query string": {"/api/v2/users?user[first_name]=tim&user[last_name]=tim&user[login]=tim&user[password]=tim&user[is_active]=false&api_key=123456", "", ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := newTestSim(t, 0)
			if got, body := call(t, s, "POST", tc.target, tc.contentType, tc.body); got != http.StatusCreated {
				t.Fatalf("status = %d, want 201 (body %s)", got, body)
			}
			u, ok := s.User(1)
			if !ok || u.Login != "tim" || u.IsActive {
				t.Errorf("stored user = %+v, want login tim, inactive", u)
			}
		})
	}
}

func TestListPagesFieldsAndFilters(t *testing.T) {
	users := []User{seedUser(1, "a", "a@example.com"), seedUser(2, "b", "b@example.com"), seedUser(3, "c", "c@example.com"),
		seedUser(4, "d", "d@example.com"), seedUser(5, "", "e@example.com")}
	users[1].IsActive = false
	users[3].CreatedOn = t0.AddDate(-5, 0, 0)
	cases := map[string]struct {
		target, body string
		want         []int64
	}{
		"page 1 by default":      {"/api/v2/users?api_key=123456", "", []int64{1, 2}},
		"page 3 is short":        {"/api/v2/users?api_key=123456&page=3", "", []int64{5}},
		"page 4 is empty":        {"/api/v2/users?api_key=123456&page=4", "", []int64{}},
		"bad page is page 1":     {"/api/v2/users?api_key=123456&page=x", "", []int64{1, 2}},
		"code, ignoring case":    {"/api/v2/users?api_key=123456&user[code]=C", "", []int64{3}},
		"email":                  {"/api/v2/users?api_key=123456&user[email]=e@example.com", "", []int64{5}},
		"inactive":               {"/api/v2/users?api_key=123456&user[is_active]=false", "", []int64{2}},
		"created_on range, JSON": {"/api/v2/users", `{"api_key": "123456", "user": {"created_on": "2010-01-01,2020-01-01"}}`, []int64{4}},
		"created_on one day":     {"/api/v2/users?api_key=123456&user[created_on]=2024-03-01&page=2", "", []int64{3, 5}},
		"nobody":                 {"/api/v2/users?api_key=123456&user[code]=zzz", "", []int64{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := newTestSim(t, 2, users...)
			got, body := call(t, s, "GET", tc.target, jsonType, tc.body)
			if got != 200 {
				t.Fatalf("status = %d, want 200 (body %s)", got, body)
			}
			if diff := cmp.Diff(tc.want, listIDs(t, body)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListFieldsLimitTheAttributes(t *testing.T) {
	s := newTestSim(t, 0, seedUser(23, "", "david@example.com"))
	_, body := call(t, s, "GET", "/api/v2/users", jsonType, `{"api_key": "123456", "fields":"id,first_name"}`)
	want := `[{"first_name":"First","id":23}]`
	if body != want {
		t.Errorf("body = %s, want %s", body, want)
	}
}

func TestListRefusesAnInvalidFilter(t *testing.T) {
	s := newTestSim(t, 0)
	got, body := call(t, s, "GET", "/api/v2/users?api_key=123456&user[id]=abc", "", "")
	if got != http.StatusUnprocessableEntity || !strings.Contains(body, "user[id] is invalid") {
		t.Errorf("status %d body %s, want 422 naming user[id]", got, body)
	}
}

func TestReadByIDOrCode(t *testing.T) {
	cases := map[string]struct {
		target string
		want   int
		id     int64
	}{
		"by id":              {"/api/v2/users/7?api_key=123456", 200, 7},
		"by code, id unused": {"/api/v2/users/999?api_key=123456&user[code]=JOE", 200, 7},
		"unknown id":         {"/api/v2/users/8?api_key=123456", 404, 0},
		"non-numeric id":     {"/api/v2/users/abc?api_key=123456", 404, 0},
		"unknown code":       {"/api/v2/users/7?api_key=123456&user[code]=nobody", 404, 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := newTestSim(t, 0, seedUser(7, "joe", "joe@example.com"))
			got, body := call(t, s, "GET", tc.target, "", "")
			if got != tc.want {
				t.Fatalf("status = %d, want %d (body %s)", got, tc.want, body)
			}
			if tc.id != 0 && !strings.Contains(body, fmt.Sprintf(`"id":%d`, tc.id)) {
				t.Errorf("body %s is not user %d", body, tc.id)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	cases := map[string]struct {
		method, target, body string
		want                 int
		check                func(User) string
	}{
		"PUT by id": {"PUT", "/api/v2/users/7?api_key=123456", `{"user": {"first_name": "joe", "custom_a": "x"}}`, 200, func(u User) string {
			return cmp.Diff([]string{"joe", "joe 7", "x"}, []string{u.FirstName, u.FullName, u.Attributes["custom_a"]})
		}},
		"PATCH deactivates": {"PATCH", "/api/v2/users/7?api_key=123456", `{"user": {"is_active": false}}`, 200, func(u User) string {
			return cmp.Diff(false, u.IsActive)
		}},
		"PUT by code": {"PUT", "/api/v2/users?api_key=123456", `{"user": {"code": "JOE", "last_name": "Doe"}}`, 200, func(u User) string {
			return cmp.Diff([]string{"Doe", "joe"}, []string{u.LastName, u.Code})
		}},
		"code and id":      {"PUT", "/api/v2/users/7?api_key=123456", `{"user": {"code": "other"}}`, 422, nil},
		"no code, no id":   {"PUT", "/api/v2/users?api_key=123456", `{"user": {"last_name": "x"}}`, 422, nil},
		"unknown id":       {"PUT", "/api/v2/users/8?api_key=123456", `{"user": {"last_name": "x"}}`, 404, nil},
		"blank first name": {"PUT", "/api/v2/users/7?api_key=123456", `{"user": {"first_name": ""}}`, 422, nil},
		"taken email":      {"PUT", "/api/v2/users/7?api_key=123456", `{"user": {"email": "ann@example.com"}}`, 422, nil},
		"form":             {"PUT", "/api/v2/users/7?api_key=123456", "user%5Bis_active%5D=0", 200, func(u User) string { return cmp.Diff(false, u.IsActive) }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := newTestSim(t, 0, seedUser(7, "joe", "joe@example.com"), seedUser(9, "ann", "ann@example.com"))
			ct := jsonType
			if !strings.HasPrefix(tc.body, "{") {
				ct = formType
			}
			got, body := call(t, s, tc.method, tc.target, ct, tc.body)
			if got != tc.want {
				t.Fatalf("status = %d, want %d (body %s)", got, tc.want, body)
			}
			if got == 200 && body != "" {
				t.Errorf("update body = %q, want empty", body)
			}
			if tc.check != nil {
				u, _ := s.User(7)
				if diff := tc.check(u); diff != "" {
					t.Errorf("stored user (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestDeleteRecordsADeletion(t *testing.T) {
	s := newTestSim(t, 1, seedUser(7, "joe", "joe@example.com"), seedUser(8, "", "x@example.com"))
	s.SetClock(clocktesting.NewFakePassiveClock(time.Date(2019, 5, 7, 14, 54, 45, 669e6, time.UTC)))
	for _, id := range []string{"7", "8"} {
		if got, body := call(t, s, "DELETE", "/api/v2/users/"+id+"?api_key=123456", "", ""); got != 200 || body != "" {
			t.Fatalf("delete %s: status %d body %q, want 200 and empty", id, got, body)
		}
	}
	if got, _ := call(t, s, "DELETE", "/api/v2/users/7?api_key=123456", "", ""); got != 404 {
		t.Errorf("second delete: status %d, want 404", got)
	}
	_, page1 := call(t, s, "GET", "/api/v2/users/deletions?api_key=123456", "", "")
	want := `[{"id":7,"account_id":1,"code":"joe","deleted_at":"2019-05-07T14:54:45.669Z"}]`
	if page1 != want {
		t.Errorf("deletions page 1 = %s, want %s", page1, want)
	}
	_, page2 := call(t, s, "GET", "/api/v2/users/deletions?api_key=123456&page=2", "", "")
	if !strings.Contains(page2, `"id":8`) || !strings.Contains(page2, `"code":null`) {
		t.Errorf("deletions page 2 = %s, want user 8 with a null code", page2)
	}
	_, later := call(t, s, "GET", "/api/v2/users/deletions?api_key=123456&deleted_at=2019-05-08", "", "")
	if later != "[]" {
		t.Errorf("deletions after 2019-05-08 = %s, want []", later)
	}
	if len(s.Users()) != 0 || len(s.Deletions()) != 2 {
		t.Errorf("users %d, deletions %d; want 0 and 2", len(s.Users()), len(s.Deletions()))
	}
}

func TestAdminChangesUsersBehindTheOperatorsBack(t *testing.T) {
	s := newTestSim(t, 0, seedUser(7, "joe", "joe@example.com"))
	a := s.Admin()
	if got, body := call(t, a, "PATCH", "/users/7", jsonType, `{"first_name": "Joseph", "is_active": false, "custom_b": "x"}`); got != 200 {
		t.Fatalf("PATCH: status %d body %s", got, body)
	}
	u, _ := s.User(7)
	if diff := cmp.Diff([]any{"Joseph", "Joseph 7", false, "x"}, []any{u.FirstName, u.FullName, u.IsActive, u.Attributes["custom_b"]}); diff != "" {
		t.Errorf("patched user (-want +got):\n%s", diff)
	}
	if got, body := call(t, a, "PATCH", "/users/7", jsonType, `{"nope": 1}`); got != 400 {
		t.Errorf("PATCH unknown attribute: status %d body %s, want 400", got, body)
	}
	if got, body := call(t, a, "POST", "/users", jsonType, `{"first_name": "A", "last_name": "B", "login": "ab", "code": "ab"}`); got != 201 {
		t.Fatalf("POST: status %d body %s", got, body)
	}
	if u, ok := s.UserByCode("AB"); !ok || u.ID != 8 || !u.IsActive {
		t.Errorf("added user = %+v, %v; want id 8, active", u, ok)
	}
	if got, body := call(t, a, "POST", "/users", jsonType, `{"first_name": "A", "last_name": "B", "login": "AB"}`); got != 422 {
		t.Errorf("POST duplicate login: status %d body %s, want 422", got, body)
	}
	if got, _ := call(t, a, "DELETE", "/users/8", "", ""); got != 204 {
		t.Errorf("DELETE: status %d, want 204", got)
	}
	if got, _ := call(t, a, "POST", "/completions", jsonType, `{}`); got != http.StatusNotImplemented {
		t.Errorf("POST /completions: status %d, want 501", got)
	}
	_, state := call(t, a, "GET", "/state", "", "")
	var st State
	if err := json.Unmarshal([]byte(state), &st); err != nil || len(st.Users) != 1 || len(st.Deletions) != 1 {
		t.Errorf("state = %s (%v), want 1 user and 1 deletion", state, err)
	}
}

func TestEndpointAndIsWrite(t *testing.T) {
	cases := map[string]struct {
		endpoint string
		write    bool
	}{
		"GET /api/v2/users?page=2":          {"GET /api/v2/users", false},
		"POST /api/v2/users":                {"POST /api/v2/users", true},
		"PUT /api/v2/users":                 {"PUT /api/v2/users", true},
		"GET /api/v2/users/5":               {"GET /api/v2/users/{id}", false},
		"PUT /api/v2/users/5":               {"PUT /api/v2/users/{id}", true},
		"PATCH /api/v2/users/5":             {"PATCH /api/v2/users/{id}", true},
		"DELETE /api/v2/users/5":            {"DELETE /api/v2/users/{id}", true},
		"GET /api/v2/users/deletions":       {"GET /api/v2/users/deletions", false},
		"HEAD /api/v2/users":                {"HEAD /api/v2/users", false},
		"GET /api/v2/groups":                {"GET unknown", false},
		"POST /api/v2/users/deletions/more": {"POST unknown", true},
	}
	s := New(Seed{})
	for req, tc := range cases {
		method, target, _ := strings.Cut(req, " ")
		r := httptest.NewRequest(method, target, nil)
		if got := s.Endpoint(r); got != tc.endpoint {
			t.Errorf("Endpoint(%s) = %q, want %q", req, got, tc.endpoint)
		}
		if got := s.IsWrite(r); got != tc.write {
			t.Errorf("IsWrite(%s) = %v, want %v", req, got, tc.write)
		}
	}
}

func TestSeedReadsFromYAML(t *testing.T) {
	doc := `
apiKeys: [k1]
pageSize: 3
users:
- id: 15834252
  first_name: Sample
  last_name: User
  login: suser
  email: sample.user@example.com
  custom_a: Sales
  hired_on: "2020-01-31"
- first_name: tim
  last_name: tim
  login: tim
  is_active: false
deletions:
- id: 1000000001
  code: john_joker
  deleted_at: "2019-05-07T10:54:45.669-04:00"
`
	var seed Seed
	if err := yaml.Unmarshal([]byte(doc), &seed); err != nil {
		t.Fatalf("decode seed: %v", err)
	}
	s := New(seed)
	got := s.Users()
	if len(got) != 2 {
		t.Fatalf("users = %+v, want 2", got)
	}
	want := []any{true, "student", "Sales", "2020-01-31", "Sample User", int64(15834253), false}
	if diff := cmp.Diff(want, []any{got[0].IsActive, got[0].Authority, got[0].Attributes["custom_a"],
		got[0].Attributes["hired_on"], got[0].FullName, got[1].ID, got[1].IsActive}); diff != "" {
		t.Errorf("seeded users (-want +got):\n%s", diff)
	}
	if d := s.Deletions(); len(d) != 1 || d[0].AccountID != 1 || d[0].Code != "john_joker" {
		t.Errorf("deletions = %+v", d)
	}
	if err := yaml.Unmarshal([]byte("users: [{frist_name: x}]"), &seed); err == nil {
		t.Error("a seed with an unknown attribute decoded without error")
	}
}

func TestConcurrentCreatesGetDistinctIDs(t *testing.T) {
	srv := httptest.NewServer(newTestSim(t, 0))
	defer srv.Close()
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"user": {"first_name": "a", "last_name": "b", "login": "u%d", "password": "p"}}`, i)
			resp, err := http.Post(srv.URL+"/api/v2/users?api_key="+testKey, jsonType, strings.NewReader(body))
			if err != nil {
				errs <- err
				return
			}
			_ = resp.Body.Close()
			if resp.StatusCode != 201 {
				errs <- fmt.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s := srv.Config.Handler.(*Sim)
	ids := map[int64]bool{}
	for _, u := range s.Users() {
		ids[u.ID] = true
	}
	if len(ids) != n {
		t.Errorf("%d distinct ids, want %d", len(ids), n)
	}
}
