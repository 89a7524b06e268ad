package exceed

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/lmstest"
	"github.com/lmsoperator/lms-operator/internal/lmssim/exceedsim"
)

func TestNewChecksItsConfig(t *testing.T) {
	cases := map[string]struct {
		cfg      lms.Config
		wantKind lms.ErrorKind
		wantText string
	}{
		"no apiKey":    {lms.Config{BaseURL: "https://acme.exceedlms.com/api/v2", HTTPClient: httpClient()}, lms.KindInvalidCredentials, `"apiKey"`},
		"empty apiKey": {lms.Config{BaseURL: "https://acme.exceedlms.com/api/v2", Credentials: map[string][]byte{"apiKey": nil}, HTTPClient: httpClient()}, lms.KindInvalidCredentials, `"apiKey"`},
		"relative URL": {lms.Config{BaseURL: "acme.exceedlms.com/api/v2", Credentials: key(), HTTPClient: httpClient()}, lms.KindInvalidRequest, "base URL"},
		"ftp URL":      {lms.Config{BaseURL: "ftp://acme/api/v2", Credentials: key(), HTTPClient: httpClient()}, lms.KindInvalidRequest, "base URL"},
		"no client":    {lms.Config{BaseURL: "https://acme.exceedlms.com/api/v2", Credentials: key()}, "", "HTTPClient"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			lmstest.ExpectKind(t, "", err, tc.wantKind)
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not name %s", err, tc.wantText)
			}
		})
	}
}

func TestCapabilitiesAreUsersOnly(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{})
	want := lms.Capabilities{Roles: []lms.Role{lms.RoleLearner}, CustomFields: true, CallerChosenUserID: true, UserPageSize: 1000}
	if diff := cmp.Diff(want, e.client.Capabilities()); diff != "" {
		t.Errorf("Capabilities (-want +got):\n%s", diff)
	}
	if e.client.Groups() != nil || e.client.Enrollments() != nil {
		t.Error("Groups or Enrollments is not nil")
	}
}

func TestVerifyMakesOneCheapCall(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{Users: seedUsers(5)})
	if err := e.client.Verify(context.Background()); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if n := e.calls(); n != 1 {
		t.Errorf("Verify made %d calls, want 1", n)
	}
	q := e.queries()[0]
	if q.Get("fields") != "id" || q.Get("user[id]") != "0" || q.Get("api_key") != testKey {
		t.Errorf("Verify query = %v, want fields=id, user[id]=0 and the api_key", q)
	}
	bad := e.newClient(t, e.base, "wrong", http.DefaultTransport)
	err := bad.Verify(context.Background())
	lmstest.ExpectKind(t, "", err, lms.KindInvalidCredentials)
	lmstest.ExpectNoSecret(t, err, testKey, "wrong")
}

func TestListReadsEveryPage(t *testing.T) {
	cases := map[string]struct {
		pageSize, users, wantCalls int
	}{
		"no users":                           {3, 0, 1},
		"one short page of the default size": {0, 5, 1},
		"three pages, last short":            {3, 8, 3},
		"three full pages":                   {3, 9, 4},
		"page size 1, several pages":         {1, 3, 4},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, exceedsim.Seed{PageSize: tc.pageSize, Users: seedUsers(tc.users)})
			if tc.pageSize > 0 {
				e.users.(*userClient).pageSize = tc.pageSize
			}
			got, err := e.users.List(context.Background())
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			var want []lms.User
			for i := range tc.users {
				want = append(want, lmsUser(strconv.Itoa(i+1), "u"+strconv.Itoa(i+1)))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			if n := e.calls(); n != tc.wantCalls {
				t.Errorf("List made %d calls, want %d", n, tc.wantCalls)
			}
			for i, q := range e.queries() {
				if q.Get("page") != strconv.Itoa(i+1) || q.Get("fields") != userFields {
					t.Errorf("call %d query = %v, want page=%d and fields=%s", i, q, i+1, userFields)
				}
			}
		})
	}
}

func TestListReadsActiveStateAndCustomFields(t *testing.T) {
	u := seedUser(4, "c", "Mixed.Case@Example.com")
	u.IsActive = false
	u.Attributes = map[string]string{"custom_a": "Sales", "custom_u": "x", "city": "Paris"}
	e := newEnv(t, exceedsim.Seed{Users: []exceedsim.User{u}})
	got, err := e.users.List(context.Background())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := []lms.User{{ID: "4", ExternalID: "c", Email: "mixed.case@example.com", FirstName: "Firstc", LastName: "Last",
		Unobserved: lms.FieldRole, CustomFields: map[string]string{"custom_a": "Sales", "custom_u": "x"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
}

func TestListRefusesAServerThatIgnoresPage(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{})
	e.users.(*userClient).pageSize = 1 // a full page, so List asks for the next
	e.answer(200, nil, `[{"id": 1, "first_name": "a"}]`)
	_, err := e.users.List(context.Background())
	lmstest.ExpectKind(t, "", err, lms.KindTransient)
	if n := e.calls(); n != 2 {
		t.Errorf("List made %d calls, want 2", n)
	}
}

func TestLookup(t *testing.T) {
	twin := seedUser(9, "twin", "dup@example.com")
	twin.Login = "twin"
	cases := map[string]struct {
		externalID, email string
		want              *lms.User
		wantKind          lms.ErrorKind
		wantCalls         int
	}{
		"by code":                 {"u2", "u3@example.com", ptr(lmsUser("2", "u2")), "", 1},
		"by code, ignoring case":  {"U2", "", ptr(lmsUser("2", "u2")), "", 1},
		"falls back to email":     {"nobody", "U3@Example.com", ptr(lmsUser("3", "u3")), "", 2},
		"email only":              {"", "u1@example.com", ptr(lmsUser("1", "u1")), "", 1},
		"neither":                 {"nobody", "nobody@example.com", nil, lms.KindNotFound, 2},
		"no email to fall back":   {"nobody", "", nil, lms.KindNotFound, 1},
		"several with that email": {"", "dup@example.com", nil, lms.KindInvalidRequest, 1},
		"nothing to look up":      {"", "", nil, lms.KindInvalidRequest, 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dup := seedUser(8, "dup", "dup@example.com")
			e := newEnv(t, exceedsim.Seed{Users: append(seedUsers(3), dup, twin)})
			got, err := e.users.Lookup(context.Background(), tc.externalID, tc.email)
			lmstest.ExpectKind(t, "", err, tc.wantKind)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("user (-want +got):\n%s", diff)
			}
			if n := e.calls(); n != tc.wantCalls {
				t.Errorf("Lookup made %d calls, want %d", n, tc.wantCalls)
			}
		})
	}
}

func TestLookupIgnoresUsersAServerFailedToFilter(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{})
	e.answer(200, nil, `[{"id": 1, "code": "someone-else", "email": "x@example.com"}]`)
	_, err := e.users.Lookup(context.Background(), "wanted", "")
	lmstest.ExpectKind(t, "", err, lms.KindNotFound)
}

func TestCreate(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{})
	in := lms.User{ExternalID: "emp-42", Email: "Ann.Lee@Example.com", FirstName: "Ann", LastName: "Lee", MiddleName: "ignored",
		Role: lms.RoleLearner, Active: true, SendWelcomeEmail: true, CustomFields: map[string]string{"custom_b": "Sales", "custom_c": ""}}
	got, err := e.users.Create(context.Background(), in)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	want := &lms.User{ID: "1", ExternalID: "emp-42", Email: "ann.lee@example.com", FirstName: "Ann", LastName: "Lee",
		Unobserved: lms.FieldRole, Active: true, CustomFields: map[string]string{"custom_b": "Sales"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("created user (-want +got):\n%s", diff)
	}
	stored, _ := e.sim.UserByCode("emp-42")
	if stored.Login != "ann.lee@example.com" || stored.Email != "ann.lee@example.com" || !stored.IsActive {
		t.Errorf("stored user = %+v, want login = email = ann.lee@example.com, active", stored)
	}
	checkStrongPassword(t, stored.Password)
	if diff := cmp.Diff([]string{"POST /api/v2/users"}, e.operations()); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
}

func TestCreateUsesTheExternalIDAsLoginWithoutEmail(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{})
	got, err := e.users.Create(context.Background(), lms.User{ExternalID: "emp-7", FirstName: "A", LastName: "B", Active: false})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	stored, _ := e.sim.User(1)
	if stored.Login != "emp-7" || stored.IsActive || got.Active || got.Email != "" {
		t.Errorf("stored %+v, returned %+v; want login emp-7, inactive, no email", stored, got)
	}
}

func TestCreatePasswordsDiffer(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{})
	for _, code := range []string{"a", "b"} {
		if _, err := e.users.Create(context.Background(), lms.User{ExternalID: code, Email: code + "@example.com", FirstName: "F", LastName: "L"}); err != nil {
			t.Fatalf("Create %s: %v", code, err)
		}
	}
	a, _ := e.sim.UserByCode("a")
	b, _ := e.sim.UserByCode("b")
	if a.Password == b.Password {
		t.Errorf("two users got the same password")
	}
}

// checkStrongPassword fails unless pw is 24 characters with an upper, a
// lower, a digit and a symbol.
func checkStrongPassword(t *testing.T, pw string) {
	t.Helper()
	classes := map[string]bool{}
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			classes["upper"] = true
		case unicode.IsLower(r):
			classes["lower"] = true
		case unicode.IsDigit(r):
			classes["digit"] = true
		default:
			classes["symbol"] = true
		}
	}
	if len(pw) != passwordLength || len(classes) != 4 {
		t.Errorf("password of %d characters with classes %v, want %d with all four", len(pw), classes, passwordLength)
	}
}

func TestCreateOfATakenUserIsAlreadyExists(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{Users: seedUsers(1)})
	_, err := e.users.Create(context.Background(), lms.User{ExternalID: "u1", Email: "u1@example.com", FirstName: "F", LastName: "L"})
	lmstest.ExpectKind(t, "", err, lms.KindAlreadyExists)
	want := "login, email and code already taken by another user: Login has already been taken; Email has already been taken; Code has already been taken"
	if got := lms.Message(err); got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestCreateCarriesThe422Reasons(t *testing.T) {
	cases := map[string]struct {
		body, want string
		kind       lms.ErrorKind
	}{
		"errors list": {`{"errors": ["Email is invalid", "Zip is too long"]}`, "Email is invalid; Zip is too long", lms.KindInvalidRequest},
		"bare list":   {`["Manager must exist"]`, "Manager must exist", lms.KindInvalidRequest},
		"pairs":       {`[["email", "is invalid"], ["login", "has already been taken"]]`, "Email is invalid; Login has already been taken", lms.KindInvalidRequest},
		"attribute object": {`{"login": ["has already been taken"], "code": ["has already been taken"]}`,
			"login and code already taken by another user: Code has already been taken; Login has already been taken", lms.KindAlreadyExists},
		"no reasons": {`<html>oops</html>`, "Unprocessable Entity", lms.KindInvalidRequest},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, exceedsim.Seed{})
			e.answer(422, map[string]string{"Content-Type": "application/json"}, tc.body)
			_, err := e.users.Create(context.Background(), lms.User{ExternalID: "x", Email: "x@example.com", FirstName: "F", LastName: "L"})
			lmstest.ExpectKind(t, "", err, tc.kind)
			if got := lms.Message(err); got != tc.want {
				t.Errorf("message = %q, want %q", got, tc.want)
			}
			var lerr *lms.Error
			if !errors.As(err, &lerr) || lerr.Code != "422" {
				t.Errorf("error %v does not carry code 422", err)
			}
			lmstest.ExpectNoSecret(t, err, testKey)
		})
	}
}

func TestInvalidUsersAreRefusedWithoutACall(t *testing.T) {
	long := func(n int) string { return strings.Repeat("ü", n) }
	ok := lms.User{ID: "1", ExternalID: "c", Email: "a@example.com", FirstName: "F", LastName: "L"}
	with := func(f func(*lms.User)) lms.User { u := ok; f(&u); return u }
	cases := map[string]struct {
		u        lms.User
		wantKind lms.ErrorKind
		wantText string
	}{
		"first_name too long": {with(func(u *lms.User) { u.FirstName = long(101) }), lms.KindInvalidRequest, "first_name is 101 characters"},
		"last_name too long":  {with(func(u *lms.User) { u.LastName = long(101) }), lms.KindInvalidRequest, "last_name is 101 characters"},
		"email too long":      {with(func(u *lms.User) { u.Email = long(95) + "@x.com" }), lms.KindInvalidRequest, "email is 101 characters"},
		"full_name too long":  {with(func(u *lms.User) { u.FirstName, u.LastName = long(100), long(100) }), lms.KindInvalidRequest, "full_name of 201"},
		"custom too long":     {with(func(u *lms.User) { u.CustomFields = map[string]string{"custom_a": long(256)} }), lms.KindInvalidRequest, "custom_a is 256"},
		"unknown custom":      {with(func(u *lms.User) { u.CustomFields = map[string]string{"department": "x"} }), lms.KindInvalidRequest, `"department"`},
		"no first name":       {with(func(u *lms.User) { u.FirstName = " " }), lms.KindInvalidRequest, "first_name is required"},
		"no last name":        {with(func(u *lms.User) { u.LastName = "" }), lms.KindInvalidRequest, "last_name is required"},
		"a Manager":           {with(func(u *lms.User) { u.Role = lms.RoleManager }), lms.KindUnsupported, "Manager"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, exceedsim.Seed{Users: seedUsers(1)})
			_, cerr := e.users.Create(context.Background(), tc.u)
			_, uerr := e.users.Update(context.Background(), ok, tc.u)
			for op, err := range map[string]error{"Create": cerr, "Update": uerr} {
				lmstest.ExpectKind(t, "", err, tc.wantKind)
				if !strings.Contains(lms.Message(err), tc.wantText) {
					t.Errorf("%s: message %q does not say %s", op, lms.Message(err), tc.wantText)
				}
			}
			if n := e.calls(); n != 0 {
				t.Errorf("refusals made %d calls, want 0", n)
			}
		})
	}
	e := newEnv(t, exceedsim.Seed{})
	_, err := e.users.Create(context.Background(), lms.User{FirstName: "F", LastName: "L"})
	lmstest.ExpectKind(t, "", err, lms.KindInvalidRequest)
	if e.calls() != 0 {
		t.Error("a create without email or externalID made a call")
	}
}

func TestUpdate(t *testing.T) {
	current := lmsUser("2", "u2")
	desired := lms.User{ID: "2", ExternalID: "other", Email: "New@Example.com", FirstName: "Newfirst", LastName: "Newlast",
		Active: true, CustomFields: map[string]string{"custom_a": "A", "custom_b": ""}}
	e := newEnv(t, exceedsim.Seed{Users: seedUsers(3)})
	if _, err := e.sim.PatchUser(2, map[string]any{"custom_b": "old", "custom_c": "kept"}); err != nil {
		t.Fatal(err)
	}
	got, err := e.users.Update(context.Background(), current, desired)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	want := &lms.User{ID: "2", ExternalID: "u2", Email: "new@example.com", FirstName: "Newfirst", LastName: "Newlast",
		Unobserved: lms.FieldRole, Active: true, CustomFields: map[string]string{"custom_a": "A"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("returned user (-want +got):\n%s", diff)
	}
	stored, _ := e.sim.User(2)
	gotStored := []string{stored.Code, stored.Login, stored.Email, stored.FullName, stored.Attributes["custom_a"], stored.Attributes["custom_b"], stored.Attributes["custom_c"]}
	wantStored := []string{"u2", "u2@example.com", "new@example.com", "Newfirst Newlast", "A", "", "kept"}
	if diff := cmp.Diff(wantStored, gotStored); diff != "" {
		t.Errorf("stored code, login, email, full name, custom a/b/c (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"PUT /api/v2/users/{id}"}, e.operations()); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
}

func TestUpdateByCodeWithoutAnID(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{Users: seedUsers(2)})
	u := lmsUser("", "u2")
	u.LastName = "Changed"
	if _, err := e.users.Update(context.Background(), lms.User{}, u); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if stored, _ := e.sim.User(2); stored.LastName != "Changed" {
		t.Errorf("stored last name %q, want Changed", stored.LastName)
	}
	if diff := cmp.Diff([]string{"PUT /api/v2/users"}, e.operations()); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
}

func TestUpdateOfAMissingUserIsNotFound(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{})
	_, err := e.users.Update(context.Background(), lmsUser("7", "x"), lmsUser("7", "x"))
	lmstest.ExpectKind(t, "", err, lms.KindNotFound)
	_, err = e.users.Update(context.Background(), lms.User{}, lmsUser("../7", "x"))
	lmstest.ExpectKind(t, "", err, lms.KindInvalidRequest)
}

func TestSetActive(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{Users: seedUsers(2)})
	ctx := context.Background()
	if err := e.users.SetActive(ctx, lmsUser("2", "u2"), false); err != nil {
		t.Fatalf("deactivate: %v", err)
	}
	if u, _ := e.sim.User(2); u.IsActive {
		t.Error("user 2 is still active")
	}
	if err := e.users.SetActive(ctx, lmsUser("", "u2"), true); err != nil {
		t.Fatalf("reactivate by code: %v", err)
	}
	if u, _ := e.sim.User(2); !u.IsActive {
		t.Error("user 2 is still inactive")
	}
	lmstest.ExpectKind(t, "", e.users.SetActive(ctx, lmsUser("99", "x"), false), lms.KindNotFound)
}

func TestDelete(t *testing.T) {
	e := newEnv(t, exceedsim.Seed{Users: seedUsers(3)})
	ctx := context.Background()
	steps := []struct {
		name string
		u    lms.User
		kind lms.ErrorKind
	}{
		{"by id", lmsUser("1", "u1"), ""},
		{"again: gone is fine", lmsUser("1", "u1"), ""},
		{"by code without id", lmsUser("", "u2"), ""},
		{"unknown code", lmsUser("", "nobody"), ""},
		{"no id, no code", lms.User{Email: "u3@example.com"}, lms.KindInvalidRequest},
	}
	for _, s := range steps {
		lmstest.ExpectKind(t, "", e.users.Delete(ctx, s.u), s.kind)
	}
	var left []int64
	for _, u := range e.sim.Users() {
		left = append(left, u.ID)
	}
	if diff := cmp.Diff([]int64{3}, left); diff != "" {
		t.Errorf("users left (-want +got):\n%s", diff)
	}
	if n := len(e.sim.Deletions()); n != 2 {
		t.Errorf("%d deletions recorded, want 2", n)
	}
}

func TestToUser(t *testing.T) {
	cases := map[string]struct {
		reason string
		dto    userDTO
		want   lms.User
	}{
		"Everything": {"the role is unobserved; the code is the external ID; the email is normalized",
			userDTO{ID: 5, Code: "emp-5", Email: "Tim@Example.com", FirstName: "tim", LastName: "tim", Login: "tim", IsActive: true,
				Custom: map[string]string{"custom_a": "Sales"}, Unobserved: lms.FieldRole},
			lms.User{ID: "5", ExternalID: "emp-5", Email: "tim@example.com", FirstName: "tim", LastName: "tim",
				Active: true, CustomFields: map[string]string{"custom_a": "Sales"}, Unobserved: lms.FieldRole}},
		"Unobserved": {"what the answer did not carry stays unobserved",
			userDTO{ID: 6, Unobserved: lms.FieldRole | lms.FieldActive | lms.FieldCustomFields},
			lms.User{ID: "6", Unobserved: lms.FieldRole | lms.FieldActive | lms.FieldCustomFields}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			lmstest.Check(t, tc.reason, "toUser", tc.want, toUser(tc.dto))
		})
	}
}

func TestXMLAnswersAreRead(t *testing.T) {
	cases := map[string]struct {
		reason string
		xml    bool
	}{
		"JSON": {"the simulator answers JSON (the document's list example)", false},
		"XML":  {"the simulator answers XML (the document's create and read examples, and 422 reasons)", true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, exceedsim.Seed{XMLAnswers: tc.xml, Users: seedUsers(1)})
			in := lms.User{ExternalID: "emp-9", Email: "Nine@Example.com", FirstName: "Nine", LastName: "Lee", Active: true,
				CustomFields: map[string]string{"custom_b": "Ops"}}
			got, err := e.users.Create(context.Background(), in)
			if err != nil {
				t.Fatalf("%s\nCreate: %v", tc.reason, err)
			}
			want := &lms.User{ID: "2", ExternalID: "emp-9", Email: "nine@example.com", FirstName: "Nine", LastName: "Lee",
				Unobserved: lms.FieldRole, Active: true, CustomFields: map[string]string{"custom_b": "Ops"}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s\ncreated user: -want +got:\n%s", tc.reason, diff)
			}
			_, err = e.users.Create(context.Background(), lms.User{ExternalID: "u1", Email: "u1@example.com", FirstName: "F", LastName: "L"})
			lmstest.ExpectKind(t, "Create of a taken user", err, lms.KindAlreadyExists)
			wantMsg := "login, email and code already taken by another user: Login has already been taken; Email has already been taken; Code has already been taken"
			if msg := lms.Message(err); msg != wantMsg {
				t.Errorf("%s\n422 message %q, want %q", tc.reason, msg, wantMsg)
			}
		})
	}
}
