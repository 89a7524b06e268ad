package enableysim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// testSeed is a small account: two sub-accounts, a three-level hierarchy,
// users u1..u5, a company group with a department, and two channels.
func testSeed() Seed {
	users := make([]User, 0, 5)
	for _, id := range []string{"u1", "u2", "u3", "u4", "u5"} {
		users = append(users, User{Identifier: id, Email: id + "@example.com", Username: id + "@example.com",
			FirstName: "F" + id, LastName: "L" + id, PossibleRoles: []string{"LEARNER"}, IsActive: true,
			SubAccountNames: []string{"emea"}})
	}
	return Seed{
		Clients:        []ClientCredential{{ClientKey: "key", Secret: "secret"}, {ClientKey: "ro", Secret: "ro-secret", ReadOnly: true}},
		PageSize:       2,
		SubAccounts:    []string{"emea", "apac"},
		Users:          users,
		GroupHierarchy: []string{"Company", "Department", "Team"},
		Groups: []Group{
			{Identifier: "acme", Name: "Acme", Type: "Company", Members: []string{"u1"}},
			{Identifier: "sales", Name: "Sales", Type: "Department", ParentIdentifier: "acme", Members: []string{"u2"}},
		},
		Channels: []Channel{
			{Identifier: "c1", Name: "Safety", Users: map[string][]string{"u1": {"LEARNER"}, "u5": {"INSTRUCTOR"}}},
			{Identifier: "c2", Name: "Ethics", Groups: []ChannelGroup{{Group: "acme", Recursive: true}}},
			{Identifier: "c3", Name: "Onboarding", SubAccountName: "apac"},
		},
	}
}

// harness is a simulator served over HTTP with a token for client "key".
type harness struct {
	t     *testing.T
	sim   *Sim
	srv   *httptest.Server
	token string
}

func newHarness(t *testing.T, seed Seed) *harness {
	t.Helper()
	h := &harness{t: t, sim: New(seed)}
	h.srv = httptest.NewServer(h.sim)
	t.Cleanup(h.srv.Close)
	h.token = h.fetchToken("key", "secret")
	return h
}

// fetchToken returns a new access token, failing the test on error.
func (h *harness) fetchToken(key, secret string) string {
	h.t.Helper()
	status, body := h.raw(http.MethodPost, "/api/v1/token?"+url.Values{"clientKey": {key}, "secret": {secret}}.Encode(), "", nil)
	if status != http.StatusOK {
		h.t.Fatalf("token: status %d: %s", status, body)
	}
	var tr tokenResponse
	mustDecode(h.t, body, &tr)
	return tr.AccessToken
}

// raw sends a request with the given bearer token and JSON body.
func (h *harness) raw(method, path, token string, body any) (int, []byte) {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// do sends an authorized request.
func (h *harness) do(method, path string, body any) (int, []byte) {
	h.t.Helper()
	return h.raw(method, path, h.token, body)
}

// ok sends an authorized request and fails unless it answers want.
func (h *harness) ok(want int, method, path string, body any) []byte {
	h.t.Helper()
	status, b := h.do(method, path, body)
	if status != want {
		h.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, b)
	}
	return b
}

// wantError sends an authorized request and checks the error response.
func (h *harness) wantError(status int, code, method, path string, body any) {
	h.t.Helper()
	checkError(h.t, method+" "+path, status, code)(h.do(method, path, body))
}

func checkError(t *testing.T, what string, wantStatus int, wantCode string) func(int, []byte) {
	return func(status int, b []byte) {
		t.Helper()
		var e apiError
		_ = json.Unmarshal(b, &e)
		if status != wantStatus || e.Code != wantCode || e.Description == "" {
			t.Errorf("%s: got %d %q (%s), want %d %q with a description", what, status, e.Code, b, wantStatus, wantCode)
		}
	}
}

func mustDecode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

func TestTokenReturnsBearerTokenWithExpiryInMilliseconds(t *testing.T) {
	seed := testSeed()
	seed.TokenTTL = Duration(90 * time.Second)
	h := newHarness(t, seed)
	status, body := h.raw(http.MethodPost, "/api/v1/token?clientKey=key&secret=secret", "", nil)
	var got map[string]any
	mustDecode(t, body, &got)
	if status != http.StatusOK || got["expires_in"] != float64(90000) || got["token_type"] != "bearer" || got["access_token"] == "" {
		t.Errorf("token: %d %s, want 200 with expires_in 90000 and token_type bearer", status, body)
	}
}

func TestTokenErrors(t *testing.T) {
	h := newHarness(t, testSeed())
	cases := map[string]struct {
		query      string
		wantStatus int
		wantCode   string
	}{
		"missing secret": {"clientKey=key", 400, "invalid_request"},
		"wrong secret":   {"clientKey=key&secret=nope", 401, "invalid_client"},
		"unknown client": {"clientKey=who&secret=secret", 401, "invalid_client"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			checkError(t, name, tc.wantStatus, tc.wantCode)(h.raw(http.MethodPost, "/api/v1/token?"+tc.query, "", nil))
		})
	}
}

func TestBearerTokenIsRequiredAndExpires(t *testing.T) {
	h := newHarness(t, testSeed())
	now := time.Now()
	h.sim.Now = func() time.Time { return now }
	fresh := h.fetchToken("key", "secret")
	checkError(t, "no token", 401, "invalid_client")(h.raw(http.MethodGet, "/api/v2/users/u1", "", nil))
	checkError(t, "unknown token", 401, "invalid_client")(h.raw(http.MethodGet, "/api/v2/users/u1", "forged", nil))
	now = now.Add(DefaultTokenTTL)
	checkError(t, "token past its TTL", 401, "invalid_client")(h.raw(http.MethodGet, "/api/v2/users/u1", fresh, nil))
	renewed := h.fetchToken("key", "secret")
	if status, b := h.raw(http.MethodGet, "/api/v2/users/u1", renewed, nil); status != 200 {
		t.Fatalf("new token refused: %d %s", status, b)
	}
	h.sim.ExpireTokens()
	checkError(t, "after ExpireTokens", 401, "invalid_client")(h.raw(http.MethodGet, "/api/v2/users/u1", renewed, nil))
}

func TestReadOnlyClientIsDeniedWrites(t *testing.T) {
	h := newHarness(t, testSeed())
	ro := h.fetchToken("ro", "ro-secret")
	checkError(t, "write", 403, "access_denied")(h.raw(http.MethodDelete, "/api/v2/users/u1", ro, nil))
	if status, _ := h.raw(http.MethodGet, "/api/v2/users/u1", ro, nil); status != 200 {
		t.Errorf("read by read-only client: status %d, want 200", status)
	}
}

// page is a decoded PaginationResponse.
type page struct {
	Items         []map[string]any `json:"items"`
	PageSize      int              `json:"pageSize"`
	CurrentPage   int              `json:"currentPage"`
	TotalPages    int              `json:"totalPages"`
	PaginationKey *string          `json:"paginationKey"`
}

// allPages follows paginationKey from path and returns the identifiers seen
// in field, page by page.
func (h *harness) allPages(path, field string) [][]string {
	h.t.Helper()
	var out [][]string
	key := ""
	for {
		p := path
		if key != "" {
			p += sep(path) + "paginationKey=" + url.QueryEscape(key)
		}
		var pg page
		mustDecode(h.t, h.ok(200, http.MethodGet, p, nil), &pg)
		var ids []string
		for _, it := range pg.Items {
			ids = append(ids, it[field].(string))
		}
		out = append(out, ids)
		if pg.PaginationKey == nil {
			return out
		}
		key = *pg.PaginationKey
	}
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

func TestV3UsersPaginatesWithKeyNullOnLastPage(t *testing.T) {
	h := newHarness(t, testSeed())
	var first page
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v3/users", nil), &first)
	if first.PageSize != 2 || first.CurrentPage != 1 || first.TotalPages != 3 || first.PaginationKey == nil {
		t.Errorf("first page meta: %+v, want pageSize 2, currentPage 1, totalPages 3 and a key", first)
	}
	got := h.allPages("/api/v3/users", "identifier")
	want := [][]string{{"u1", "u2"}, {"u3", "u4"}, {"u5"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("pages (-want +got):\n%s", d)
	}
}

func TestV3UsersFilters(t *testing.T) {
	h := newHarness(t, testSeed())
	cases := map[string]struct {
		query string
		want  [][]string
	}{
		"identifier":     {"identifier=u3", [][]string{{"u3"}}},
		"email":          {"emailSubstring=U4@", [][]string{{"u4"}}},
		"sub-account":    {"subAccountName=apac", [][]string{nil}},
		"first name":     {"firstNameSubstring=fu5", [][]string{{"u5"}}},
		"no match":       {"lastNameSubstring=zzz", [][]string{nil}},
		"username match": {"usernameSubstring=u1@", [][]string{{"u1"}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, h.allPages("/api/v3/users?"+tc.query, "identifier")); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestBadPaginationKeyAnswers404(t *testing.T) {
	h := newHarness(t, testSeed())
	h.wantError(404, "not_found", http.MethodGet, "/api/v3/users?paginationKey=bogus", nil)
	var pg page
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v3/users", nil), &pg)
	h.wantError(404, "not_found", http.MethodGet, "/api/v3/channels?paginationKey="+url.QueryEscape(*pg.PaginationKey), nil)
}

func TestV3UsersDisabledAnswers404ForTheWholeRoute(t *testing.T) {
	seed := testSeed()
	seed.V3UsersDisabled = true
	h := newHarness(t, seed)
	h.wantError(404, "not_found", http.MethodGet, "/api/v3/users", nil)
	var users []map[string]any
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v2/users?limit=200&start=0", nil), &users)
	if len(users) != 5 {
		t.Errorf("v2 list: %d users, want 5", len(users))
	}
}

func TestV2UsersLimitAndStart(t *testing.T) {
	h := newHarness(t, testSeed())
	var got []userInfo
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v2/users?limit=2&start=3", nil), &got)
	if len(got) != 2 || got[0].Identifier != "u4" || got[1].Identifier != "u5" {
		t.Errorf("limit=2&start=3: %+v, want u4, u5", got)
	}
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v2/users?limit=2&start=9", nil), &got)
	if len(got) != 0 {
		t.Errorf("start past the end: %+v, want none", got)
	}
	h.wantError(400, "invalid_request", http.MethodGet, "/api/v2/users?limit=201", nil)
}

func TestPutUserCreatesThenUpdates(t *testing.T) {
	h := newHarness(t, testSeed())
	body := map[string]any{"identifier": "new", "subAccountName": "apac", "firstName": "Ann", "lastName": "Lee",
		"email": "ann@example.com", "possibleRoles": []string{"INSTRUCTOR"}, "isActive": true, "password": "pw"}
	var created userInfo
	mustDecode(t, h.ok(201, http.MethodPut, "/api/v2/users", body), &created)
	want := userInfo{Identifier: "new", Email: "ann@example.com", FirstName: "Ann", LastName: "Lee",
		Username: "ann@example.com", PossibleRoles: []string{"INSTRUCTOR"}, IsActive: true,
		UserSubAccountNames: []string{"apac"}}
	ignoreTimes := cmp.FilterPath(func(p cmp.Path) bool {
		n := p.Last().String()
		return n == ".Created" || n == ".Modified"
	}, cmp.Ignore())
	if d := cmp.Diff(want, created, ignoreTimes); d != "" {
		t.Errorf("created (-want +got):\n%s", d)
	}
	var updated userInfo
	mustDecode(t, h.ok(200, http.MethodPut, "/api/v2/users", map[string]any{"identifier": "new", "lastName": "Kim", "isActive": false}), &updated)
	want.LastName, want.IsActive = "Kim", false
	if d := cmp.Diff(want, updated, ignoreTimes); d != "" {
		t.Errorf("updated, absent fields kept (-want +got):\n%s", d)
	}
}

func TestPutUserRefusals(t *testing.T) {
	h := newHarness(t, testSeed())
	cases := map[string]struct {
		body     map[string]any
		wantCode string
	}{
		"no identifier":      {map[string]any{"email": "a@example.com"}, "invalid_request"},
		"unknown role":       {map[string]any{"identifier": "x", "email": "x@example.com", "possibleRoles": []string{"BOSS"}}, "invalid_request"},
		"empty roles":        {map[string]any{"identifier": "x", "email": "x@example.com", "possibleRoles": []string{}}, "invalid_request"},
		"bad email":          {map[string]any{"identifier": "x", "email": "nope"}, "invalid_request"},
		"no username":        {map[string]any{"identifier": "x"}, "invalid_request"},
		"unknown subaccount": {map[string]any{"identifier": "x", "email": "x@example.com", "subAccountName": "mars"}, "invalid_request"},
		"taken username":     {map[string]any{"identifier": "x", "email": "u1@example.com"}, "item_exists"},
		"rename to taken":    {map[string]any{"identifier": "u2", "username": "U1@example.com"}, "item_exists"},
		"taken email":        {map[string]any{"identifier": "x", "username": "fresh", "email": "U1@example.com"}, "item_exists"},
		"email to taken":     {map[string]any{"identifier": "u2", "email": "u1@example.com"}, "item_exists"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h.wantError(400, tc.wantCode, http.MethodPut, "/api/v2/users", tc.body)
		})
	}
	h.wantError(400, "invalid_request", http.MethodPut, "/api/v2/users", "not an object")
}

func TestUsernamesAndEmailsAreUniqueUnlessTheSeedAllows(t *testing.T) {
	sameEmail := map[string]any{"identifier": "x", "username": "fresh", "email": "u1@example.com"}
	sameUsername := map[string]any{"identifier": "y", "username": "u1@example.com", "email": "y@example.com"}
	cases := map[string]struct {
		reason     string
		seed       func(*Seed)
		body       map[string]any
		wantStatus int
		wantWords  string
	}{
		"EmailTaken": {"by default a second user may not have an email another identifier holds",
			func(*Seed) {}, sameEmail, http.StatusBadRequest, `Email "u1@example.com" is already used by another user`},
		"UsernameTaken": {"by default a second user may not have a username another identifier holds",
			func(*Seed) {}, sameUsername, http.StatusBadRequest, `Username "u1@example.com" is already used by another user`},
		"SharedEmails": {"with allowSharedEmails two users may share an email",
			func(s *Seed) { s.AllowSharedEmails = true }, sameEmail, http.StatusCreated, ""},
		"SharedUsernames": {"with allowSharedUsernames two users may share a username",
			func(s *Seed) { s.AllowSharedUsernames = true }, sameUsername, http.StatusCreated, ""},
		"OnlyEmailsShared": {"allowing shared emails still refuses a shared username",
			func(s *Seed) { s.AllowSharedEmails = true }, sameUsername, http.StatusBadRequest, "Username"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			seed := testSeed()
			tc.seed(&seed)
			h := newHarness(t, seed)
			status, b := h.do(http.MethodPut, "/api/v2/users", tc.body)
			var e apiError
			_ = json.Unmarshal(b, &e)
			if status != tc.wantStatus || !strings.Contains(e.Description, tc.wantWords) {
				t.Errorf("%s\nPUT /api/v2/users = %d %s, want %d naming %q", tc.reason, status, b, tc.wantStatus, tc.wantWords)
			}
		})
	}
}

func TestUserByIdentifierStatusAndDelete(t *testing.T) {
	h := newHarness(t, testSeed())
	var u userInfo
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v2/users/u1", nil), &u)
	if u.Identifier != "u1" || !u.IsActive || u.Created == "" || !strings.HasSuffix(u.Created, "Z") {
		t.Errorf("GET u1: %+v", u)
	}
	h.ok(200, http.MethodPut, "/api/v2/users/u1?isActive=false", nil)
	if got, _ := h.sim.User("u1"); got.IsActive {
		t.Error("isActive=false left the user active")
	}
	h.ok(200, http.MethodPut, "/api/v2/users/u1", nil)
	if got, _ := h.sim.User("u1"); !got.IsActive {
		t.Error("isActive defaults to true, but the user stayed inactive")
	}
	h.wantError(400, "invalid_request", http.MethodPut, "/api/v2/users/u1?isActive=maybe", nil)
	h.wantError(400, "item_not_exists", http.MethodGet, "/api/v2/users/u1?subAccountName=apac", nil)
	h.ok(200, http.MethodDelete, "/api/v2/users/u1", nil)
	h.wantError(400, "item_not_exists", http.MethodGet, "/api/v2/users/u1", nil)
	h.wantError(400, "item_not_exists", http.MethodDelete, "/api/v2/users/u1", nil)
	h.wantError(400, "item_not_exists", http.MethodPut, "/api/v2/users/u1?isActive=true", nil)
	if g, _ := h.sim.Group("acme"); len(g.Members) != 0 {
		t.Errorf("deleted user still in group: %v", g.Members)
	}
}

func TestIdentifierWithReservedCharacters(t *testing.T) {
	h := newHarness(t, testSeed())
	id := "a/b c+d@example.com"
	h.ok(201, http.MethodPut, "/api/v2/users", map[string]any{"identifier": id, "email": "abcd@example.com"})
	var u userInfo
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v2/users/"+url.PathEscape(id), nil), &u)
	if u.Identifier != id {
		t.Errorf("identifier %q read back as %q", id, u.Identifier)
	}
}

func TestIdentityManagementRenamesEverywhere(t *testing.T) {
	h := newHarness(t, testSeed())
	h.ok(200, http.MethodPut, "/api/v2/users/identityManagement", map[string]any{"currentUserIdentifier": "u1", "newUserIdentifier": "one"})
	if _, ok := h.sim.User("one"); !ok {
		t.Fatal("renamed user missing")
	}
	if g, _ := h.sim.Group("acme"); !cmp.Equal(g.Members, []string{"one"}) {
		t.Errorf("group members after rename: %v", g.Members)
	}
	if c, _ := h.sim.Channel("c1"); c.Users["one"] == nil {
		t.Errorf("channel users after rename: %v", c.Users)
	}
	h.wantError(400, "item_exists", http.MethodPut, "/api/v2/users/identityManagement", map[string]any{"currentUserIdentifier": "one", "newUserIdentifier": "u2"})
	h.wantError(400, "item_not_exists", http.MethodPut, "/api/v2/users/identityManagement", map[string]any{"currentUserIdentifier": "u1", "newUserIdentifier": "x"})
}

func TestGroupsCreateUpdateAndValidation(t *testing.T) {
	h := newHarness(t, testSeed())
	var hier []string
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v1/groups/hierarchy", nil), &hier)
	if d := cmp.Diff([]string{"Company", "Department", "Team"}, hier); d != "" {
		t.Errorf("hierarchy (-want +got):\n%s", d)
	}
	team := map[string]any{"identifier": "t1", "name": "Team 1", "type": "Team", "parentIdentifier": "sales"}
	h.ok(201, http.MethodPut, "/api/v1/groups", team)
	team["name"] = "Team One"
	var gi groupInfo
	mustDecode(t, h.ok(200, http.MethodPut, "/api/v1/groups", team), &gi)
	if gi.Name != "Team One" || gi.ParentIdentifier != "sales" || gi.Type != "Team" {
		t.Errorf("updated group: %+v", gi)
	}
	bad := map[string]map[string]any{
		"unknown type":   {"identifier": "x", "name": "X", "type": "Squad"},
		"missing parent": {"identifier": "x", "name": "X", "type": "Team", "parentIdentifier": "nope"},
		"cycle":          {"identifier": "acme", "name": "Acme", "type": "Company", "parentIdentifier": "t1"},
		"no name":        {"identifier": "x", "type": "Team"},
	}
	for name, body := range bad {
		t.Run(name, func(t *testing.T) { h.wantError(400, "invalid_request", http.MethodPut, "/api/v1/groups", body) })
	}
}

func TestGroupListGetDelete(t *testing.T) {
	h := newHarness(t, testSeed())
	var list []groupInfo
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v1/groups/list", nil), &list)
	if len(list) != 2 || list[0].Identifier != "acme" || list[1].ParentIdentifier != "acme" {
		t.Errorf("list: %+v", list)
	}
	h.ok(200, http.MethodGet, "/api/v1/groups/sales", nil)
	h.wantError(400, "invalid_request", http.MethodDelete, "/api/v1/groups/acme", nil)
	h.ok(200, http.MethodDelete, "/api/v1/groups/sales", nil)
	h.wantError(400, "item_not_exists", http.MethodGet, "/api/v1/groups/sales", nil)
	h.wantError(400, "item_not_exists", http.MethodDelete, "/api/v1/groups/sales", nil)
}

func TestGroupMembershipAndReplace(t *testing.T) {
	h := newHarness(t, testSeed())
	h.ok(200, http.MethodPost, "/api/v1/groups/sales/users/u1", nil)
	var groups []groupInfo
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v1/users/u1/groups", nil), &groups)
	if len(groups) != 2 {
		t.Errorf("u1 groups after add: %+v, want acme and sales", groups)
	}
	h.ok(200, http.MethodPost, "/api/v1/groups/sales/users/u3?replace=false", nil)
	h.ok(200, http.MethodPost, "/api/v1/groups/sales/users/u1?replace=true", nil)
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v1/users/u1/groups", nil), &groups)
	if len(groups) != 1 || groups[0].Identifier != "sales" {
		t.Errorf("u1 groups after replace=true: %+v, want only sales", groups)
	}
	h.ok(200, http.MethodDelete, "/api/v1/groups/sales/users/u1", nil)
	h.wantError(400, "item_not_exists", http.MethodDelete, "/api/v1/groups/sales/users/u1", nil)
	h.wantError(400, "item_not_exists", http.MethodPost, "/api/v1/groups/nope/users/u1", nil)
	h.wantError(400, "item_not_exists", http.MethodPost, "/api/v1/groups/sales/users/nope", nil)
	h.wantError(400, "item_not_exists", http.MethodGet, "/api/v1/users/nope/groups", nil)
}

func TestChannelsListAndFind(t *testing.T) {
	h := newHarness(t, testSeed())
	if d := cmp.Diff([][]string{{"c1", "c2"}, {"c3"}}, h.allPages("/api/v3/channels", "identifier")); d != "" {
		t.Errorf("v3 channels (-want +got):\n%s", d)
	}
	if d := cmp.Diff([][]string{{"c3"}}, h.allPages("/api/v3/channels?subAccountName=apac", "identifier")); d != "" {
		t.Errorf("v3 channels of apac (-want +got):\n%s", d)
	}
	var all []channelInfo
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v1/channels", nil), &all)
	if len(all) != 3 {
		t.Errorf("v1 channels: %d, want 3", len(all))
	}
	var c channelInfo
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v1/channels/c1", nil), &c)
	if c.Name != "Safety" || c.Type != "COURSE" || c.Availability.Status != "ACTIVE" {
		t.Errorf("c1: %+v", c)
	}
	h.wantError(400, "item_not_exists", http.MethodGet, "/api/v1/channels/nope", nil)
}

func TestChannelAssignmentsAndPerformance(t *testing.T) {
	h := newHarness(t, testSeed())
	h.ok(200, http.MethodPost, "/api/v2/channels/c1/users/u2?roles=LEARNER&roles=INSTRUCTOR", nil)
	h.ok(200, http.MethodPost, "/api/v2/channels/c1/users/u3", nil)
	if c, _ := h.sim.Channel("c1"); !cmp.Equal(c.Users["u2"], []string{"LEARNER", "INSTRUCTOR"}) || !cmp.Equal(c.Users["u3"], []string{"LEARNER"}) {
		t.Errorf("c1 users: %v", c.Users)
	}
	h.wantError(400, "invalid_request", http.MethodPost, "/api/v2/channels/c1/users/u2?roles=OWNER", nil)
	h.wantError(400, "item_not_exists", http.MethodPost, "/api/v2/channels/nope/users/u2", nil)
	if err := h.sim.Complete(Completion{User: "u2", Channel: "c1", Percent: 100, Score: 90}); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.Complete(Completion{User: "u5", Channel: "c1", Percent: 10}); err == nil {
		t.Error("Complete accepted an instructor who is not a learner")
	}
	if d := cmp.Diff([][]string{{"u1", "u2"}, {"u3"}}, h.allPages("/api/v2/performance?channelIdentifier=c1", "externalUserId")); d != "" {
		t.Errorf("performance pages of c1 (-want +got):\n%s", d)
	}
	var pg page
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v2/performance?channelIdentifier=c1&userIdentifier=u2", nil), &pg)
	if len(pg.Items) != 1 || pg.Items[0]["progress"] != float64(100) || pg.Items[0]["score"] != float64(90) || pg.Items[0]["completionDate"] == nil {
		t.Errorf("u2 in c1: %+v", pg.Items)
	}
	h.wantError(400, "invalid_request", http.MethodGet, "/api/v2/performance", nil)
	h.ok(200, http.MethodDelete, "/api/v1/channels/c1/users/u2", nil)
	h.wantError(400, "item_not_exists", http.MethodDelete, "/api/v1/channels/c1/users/u2", nil)
}

func TestChannelGroupAssignmentReachesMembers(t *testing.T) {
	h := newHarness(t, testSeed())
	// c2 has acme recursively: u1 (acme) and u2 (sales, a child of acme).
	var count membersCount
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v2/channels/channels/c2/members/count", nil), &count)
	if count.Learners != 2 {
		t.Errorf("c2 learners: %d, want 2", count.Learners)
	}
	h.ok(200, http.MethodPost, "/api/v1/channels/c2/groups/acme?recursive=false&userRole=LEARNER", nil)
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v2/channels/channels/c2/members/count", nil), &count)
	if count.Learners != 1 {
		t.Errorf("c2 learners without recursion: %d, want 1", count.Learners)
	}
	h.wantError(400, "invalid_request", http.MethodPost, "/api/v1/channels/c2/groups/acme?userRole=INSTRUCTOR", nil)
	h.ok(200, http.MethodDelete, "/api/v1/channels/c2/groups/acme", nil)
	h.wantError(400, "item_not_exists", http.MethodDelete, "/api/v1/channels/c2/groups/acme", nil)
	h.ok(200, http.MethodPost, "/api/v1/channels/c3/groups/sales", nil)
	h.ok(200, http.MethodPost, "/api/v4/channels/forceComplete/channel/c3/user/u2", nil)
	if p, ok := h.sim.Progress("u2", "c3"); !ok || p.Percent != 100 || p.CompletedAt == nil {
		t.Errorf("force-completed progress: %+v %v", p, ok)
	}
	var v1 []performanceItem
	mustDecode(t, h.ok(200, http.MethodGet, "/api/v1/performance?externalUserId=u2", nil), &v1)
	if len(v1) != 1 || v1[0].ExternalChannelID != "c3" {
		t.Errorf("v1 performance of u2: %+v", v1)
	}
}

func TestEntitlements(t *testing.T) {
	h := newHarness(t, testSeed())
	e := Entitlement{UserIdentifier: "u1", EntityIdentifier: "sales", EntityType: "GROUP", UserRole: "MANAGER"}
	h.ok(200, http.MethodPost, "/api/v2/users/entitlements", e)
	if got := h.sim.State().Entitlements; !cmp.Equal(got, []Entitlement{e}) {
		t.Errorf("entitlements: %v", got)
	}
	h.ok(200, http.MethodDelete, "/api/v2/users/entitlements", e)
	h.ok(200, http.MethodDelete, "/api/v2/users/entitlements", e)
	e.UserRole = "OWNER"
	h.wantError(400, "invalid_request", http.MethodPost, "/api/v2/users/entitlements", e)
	e.UserRole, e.EntityIdentifier = "EDITOR", "nope"
	h.wantError(400, "item_not_exists", http.MethodPost, "/api/v2/users/entitlements", e)
}

func TestFaultsAnswerTheirErrorThenStop(t *testing.T) {
	h := newHarness(t, testSeed())
	h.sim.InjectFault(Fault{Endpoint: "GET /api/v2/users/{id}", Error: "service_unavailable", Times: 2})
	h.sim.InjectFault(Fault{Endpoint: "GET /api/v1/groups/list", Status: 429, RetryAfter: "30"})
	h.wantError(503, "service_unavailable", http.MethodGet, "/api/v2/users/u1", nil)
	h.wantError(503, "service_unavailable", http.MethodGet, "/api/v2/users/u1", nil)
	h.ok(200, http.MethodGet, "/api/v2/users/u1", nil)
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/api/v1/groups/list", nil)
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "30" {
		t.Errorf("429 fault: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestUnknownRouteAnswersNotFound(t *testing.T) {
	h := newHarness(t, testSeed())
	h.wantError(404, "not_found", http.MethodGet, "/api/v9/whatever", nil)
}

func TestEndpointAndIsWrite(t *testing.T) {
	s := New(Seed{})
	cases := map[string]struct {
		method, path string
		endpoint     string
		write        bool
	}{
		"token":         {"POST", "/api/v1/token?clientKey=a&secret=b", "POST /api/v1/token", false},
		"v3 users":      {"GET", "/api/v3/users?paginationKey=x", "GET /api/v3/users", false},
		"v2 users":      {"GET", "/api/v2/users?limit=200&start=0", "GET /api/v2/users", false},
		"put user":      {"PUT", "/api/v2/users", "PUT /api/v2/users", true},
		"get user":      {"GET", "/api/v2/users/a%40b", "GET /api/v2/users/{id}", false},
		"user status":   {"PUT", "/api/v2/users/a?isActive=false", "PUT /api/v2/users/{id}", true},
		"delete user":   {"DELETE", "/api/v2/users/a", "DELETE /api/v2/users/{id}", true},
		"rename":        {"PUT", "/api/v2/users/identityManagement", "PUT /api/v2/users/identityManagement", true},
		"entitle":       {"DELETE", "/api/v2/users/entitlements", "DELETE /api/v2/users/entitlements", true},
		"hierarchy":     {"GET", "/api/v1/groups/hierarchy", "GET /api/v1/groups/hierarchy", false},
		"group list":    {"GET", "/api/v1/groups/list", "GET /api/v1/groups/list", false},
		"group member":  {"POST", "/api/v1/groups/g/users/u", "POST /api/v1/groups/{group}/users/{user}", true},
		"channel user":  {"POST", "/api/v2/channels/c/users/u?roles=LEARNER", "POST /api/v2/channels/{channel}/users/{user}", true},
		"channel group": {"DELETE", "/api/v1/channels/c/groups/g", "DELETE /api/v1/channels/{channel}/groups/{group}", true},
		"performance":   {"GET", "/api/v2/performance?channelIdentifier=c", "GET /api/v2/performance", false},
		"unknown":       {"PATCH", "/api/v2/users", "PATCH unknown", true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.path, nil)
			if got := s.Endpoint(r); got != tc.endpoint {
				t.Errorf("Endpoint = %q, want %q", got, tc.endpoint)
			}
			if got := s.IsWrite(r); got != tc.write {
				t.Errorf("IsWrite = %v, want %v", got, tc.write)
			}
		})
	}
	if s.Name() != "enabley" {
		t.Errorf("Name = %q", s.Name())
	}
}

func TestSeedFromYAML(t *testing.T) {
	doc := `
clients: [{clientKey: k, secret: s}]
tokenTTL: 90s
v3UsersDisabled: true
pageSize: 7
subAccounts: [emea]
groupHierarchy: [Company, Team]
users:
- {identifier: a, email: a@example.com, possibleRoles: [LEARNER]}
- {identifier: b, email: b@example.com, isActive: false}
groups:
- {identifier: g, name: G, type: Company, members: [a]}
channels:
- {identifier: c, name: C, users: {a: [LEARNER]}}
`
	var seed Seed
	if err := yaml.UnmarshalStrict([]byte(doc), &seed); err != nil {
		t.Fatal(err)
	}
	if time.Duration(seed.TokenTTL) != 90*time.Second || !seed.V3UsersDisabled || seed.PageSize != 7 {
		t.Errorf("seed settings: %+v", seed)
	}
	s := New(seed)
	a, _ := s.User("a")
	b, _ := s.User("b")
	if !a.IsActive || b.IsActive {
		t.Errorf("isActive: a=%v (want default true), b=%v (want false)", a.IsActive, b.IsActive)
	}
	if g, _ := s.Group("g"); !cmp.Equal(g.Members, []string{"a"}) {
		t.Errorf("group members: %v", g.Members)
	}
}

func TestAdminEndpoints(t *testing.T) {
	s := New(testSeed())
	admin := httptest.NewServer(s.Admin())
	defer admin.Close()
	call := func(method, path, body string) int {
		req, _ := http.NewRequest(method, admin.URL+path, strings.NewReader(body))
		resp, err := admin.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	cases := []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/users", `{"identifier":"z","email":"z@example.com"}`, 204},
		{"POST", "/users", `{"identifier":"z"}`, 409},
		{"PATCH", "/users/z", `{"lastName":"Changed","isActive":false}`, 204},
		{"PATCH", "/users/nope", `{"lastName":"X"}`, 404},
		{"POST", "/completions", `{"user":"u1","channel":"c1","percent":50,"score":7}`, 204},
		{"POST", "/completions", `{"user":"u3","channel":"c1","percent":50}`, 400},
		{"POST", "/expire-tokens", ``, 204},
		{"POST", "/faults", `{"endpoint":"GET /api/v3/users","error":"general_error"}`, 204},
		{"DELETE", "/users/u4", ``, 204},
		{"GET", "/state", ``, 200},
	}
	for _, tc := range cases {
		if got := call(tc.method, tc.path, tc.body); got != tc.want {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, got, tc.want)
		}
	}
	z, _ := s.User("z")
	if !cmp.Equal([]any{z.LastName, z.IsActive}, []any{"Changed", false}) {
		t.Errorf("patched user: %+v", z)
	}
	if p, _ := s.Progress("u1", "c1"); p.Percent != 50 || p.Score != 7 {
		t.Errorf("progress: %+v", p)
	}
	if _, ok := s.User("u4"); ok {
		t.Error("u4 not deleted")
	}
}

func TestConcurrentWritesAreSafe(t *testing.T) {
	h := newHarness(t, testSeed())
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := "p" + string(rune('a'+i))
			status, b := h.do(http.MethodPut, "/api/v2/users", map[string]any{"identifier": id, "email": id + "@example.com"})
			if status != 201 {
				t.Errorf("create %s: %d %s", id, status, b)
			}
			h.do(http.MethodPost, "/api/v1/groups/acme/users/"+id, nil)
		}()
	}
	wg.Wait()
	if n := len(h.sim.Users()); n != 25 {
		t.Errorf("users: %d, want 25", n)
	}
}

func TestAPaginationKeyExpiresAfterTheSeedsCursorTTL(t *testing.T) {
	cases := map[string]struct {
		reason string
		ttl    time.Duration
		after  time.Duration
		want   int
	}{
		"default, within":  {"a key lives DefaultCursorTTL when the seed sets none", 0, DefaultCursorTTL - time.Second, 200},
		"default, expired": {"a key older than DefaultCursorTTL is refused", 0, DefaultCursorTTL, 404},
		"seed, within":     {"a key lives the seed's CursorTTL", time.Hour, 30 * time.Minute, 200},
		"seed, expired":    {"a key older than the seed's CursorTTL is refused", time.Minute, time.Minute, 404},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			seed := testSeed()
			seed.CursorTTL = Duration(tc.ttl)
			h := newHarness(t, seed)
			now := time.Now()
			h.sim.Now = func() time.Time { return now }
			var pg page
			mustDecode(t, h.ok(200, http.MethodGet, "/api/v3/users", nil), &pg)
			now = now.Add(tc.after)
			status, _ := h.raw(http.MethodGet, "/api/v3/users?paginationKey="+url.QueryEscape(*pg.PaginationKey), h.token, nil)
			if status != tc.want {
				t.Errorf("%s: status %d, want %d", tc.reason, status, tc.want)
			}
		})
	}
}
