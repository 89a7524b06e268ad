package enabley

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/lmstest"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
)

// seededUser is user i of testSeed as the client reads it: the simulator
// leaves customAttributes out of the answer of a user without any.
func seededUser(i int) lms.User {
	id := fmt.Sprintf("u%d", i)
	u := lms.User{ID: id, ExternalID: id, Email: id + "@example.com", FirstName: "First" + id, LastName: "Last" + id,
		Role: lms.RoleLearner, Active: true}
	if i == 5 {
		u.CustomFields = map[string]string{"site": "Lyon", "level": "3"}
	} else {
		u.Unobserved = lms.FieldCustomFields // the answer has no customAttributes
	}
	return u
}

func seededUsers(is ...int) []lms.User {
	var out []lms.User
	for _, i := range is {
		out = append(out, seededUser(i))
	}
	return out
}

func TestUsersListReadsEveryPage(t *testing.T) {
	cases := map[string]struct {
		opts      []envOption
		want      []lms.User
		wantCalls int
	}{
		"whole account":       {nil, seededUsers(1, 2, 3, 4, 5), 3},
		"default sub-account": {[]envOption{withSubAccount("emea")}, seededUsers(1, 2, 4, 5), 2},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, testSeed(), tc.opts...)
			got, err := e.client.Users().List(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("users (-want +got):\n%s", d)
			}
			if n := e.calls(opListUsersV3); n != tc.wantCalls {
				t.Errorf("v3 pages read: %d, want %d", n, tc.wantCalls)
			}
		})
	}
}

func TestUsersListFallsBackToV2WhenV3IsMissing(t *testing.T) {
	seed := testSeed()
	seed.V3UsersDisabled = true
	for i := 6; i <= 450; i++ {
		id := fmt.Sprintf("u%d", i)
		seed.Users = append(seed.Users, enableysim.User{Identifier: id, Email: id + "@example.com", IsActive: true})
	}
	e := newEnv(t, seed)
	got, err := e.client.Users().List(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 450 || got[449].ID != "u450" {
		t.Fatalf("v2 fallback returned %d users", len(got))
	}
	want := []string{opToken, opListUsersV3, opListUsersV2, opListUsersV2, opListUsersV2}
	if d := cmp.Diff(want, e.rec.sequence()); d != "" {
		t.Errorf("first list (-want +got):\n%s", d)
	}
	if _, err := e.client.Users().List(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{opListUsersV2, opListUsersV2, opListUsersV2}, e.rec.sequence()); d != "" {
		t.Errorf("the fallback was not remembered (-want +got):\n%s", d)
	}
	if got := e.client.Capabilities().UserPageSize; got != v2PageLimit {
		t.Errorf("UserPageSize on v2 = %d, want %d", got, v2PageLimit)
	}
}

func TestExpiredPaginationKeyOnLaterPageIsNotFoundWithoutFallback(t *testing.T) {
	e := newEnv(t, testSeed())
	e.rec.before = func(r *http.Request) {
		if r.URL.Query().Get("paginationKey") != "" {
			e.clock.Step(20 * time.Minute) // the key expires while the client pages slowly
		}
	}
	_, err := e.client.Users().List(ctx(t))
	lmstest.RequireKind(t, "List", err, lms.KindNotFound)
	if d := cmp.Diff([]string{opToken, opListUsersV3, opListUsersV3}, e.rec.sequence()); d != "" {
		t.Errorf("calls: a 404 on page 2 must not fall back to v2 (-want +got):\n%s", d)
	}
	if e.client.Users().(*userClient).v2.Load() {
		t.Error("a 404 on a later page switched the client to v2")
	}
}

func TestUsersLookup(t *testing.T) {
	seed := testSeed()
	seed.Users = append(seed.Users,
		enableysim.User{Identifier: "legacy-7", Email: "Kim@Example.com", Username: "kim", IsActive: true, PossibleRoles: []string{"LEARNER"}},
		enableysim.User{Identifier: "dup-a", Email: "twin@example.com", Username: "twin-a", IsActive: true},
		enableysim.User{Identifier: "dup-b", Email: "twin@example.com", Username: "twin-b", IsActive: true})
	cases := map[string]struct {
		externalID, email string
		want              *lms.User
		wantKind          lms.ErrorKind
	}{
		"by identifier": {"u4", "", &lms.User{ID: "u4", ExternalID: "u4", Email: "u4@example.com", FirstName: "Firstu4", LastName: "Lastu4",
			Role: lms.RoleLearner, Active: true, Unobserved: lms.FieldCustomFields}, ""},
		"by email when id absent": {"kim@example.com", "kim@example.com", &lms.User{ID: "legacy-7", ExternalID: "legacy-7", Email: "kim@example.com",
			Role: lms.RoleLearner, Active: true, Unobserved: lms.FieldCustomFields}, ""},
		"missing":           {"nobody", "nobody@example.com", nil, lms.KindNotFound},
		"missing, no email": {"nobody", "", nil, lms.KindNotFound},
		"ambiguous email":   {"", "twin@example.com", nil, lms.KindInvalidRequest},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, seed)
			got, err := e.client.Users().Lookup(ctx(t), tc.externalID, tc.email)
			if tc.wantKind != "" {
				lmstest.RequireKind(t, "Lookup", err, tc.wantKind)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestUsersCreate(t *testing.T) {
	e := newEnv(t, testSeed(), withSubAccount("apac"))
	in := lms.User{ExternalID: "ann", Email: "Ann@Example.com", FirstName: "Ann", LastName: "Lee",
		Role: lms.RoleInstructor, Active: true, CustomFields: map[string]string{"site": "Oslo"}, SendWelcomeEmail: true}
	got, err := e.client.Users().Create(ctx(t), in)
	if err != nil {
		t.Fatal(err)
	}
	want := &lms.User{ID: "ann", ExternalID: "ann", Email: "ann@example.com", FirstName: "Ann", LastName: "Lee",
		Role: lms.RoleInstructor, Active: true, CustomFields: map[string]string{"site": "Oslo"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("returned user (-want +got):\n%s", d)
	}
	su, _ := e.sim.User("ann")
	gotSim := []any{su.Username, su.PossibleRoles, su.SubAccountNames, su.IsActive}
	wantSim := []any{"ann@example.com", []string{"INSTRUCTOR"}, []string{"apac"}, true}
	if d := cmp.Diff(wantSim, gotSim); d != "" {
		t.Errorf("stored username, roles, sub-accounts, active (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{opToken, opPutUser}, e.rec.sequence()); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
}

func TestUsersCreateRefusals(t *testing.T) {
	cases := map[string]struct {
		user      lms.User
		wantKind  lms.ErrorKind
		wantCalls bool
	}{
		"no identifier":     {lms.User{Email: "x@example.com"}, lms.KindInvalidRequest, false},
		"supervisor role":   {lms.User{ExternalID: "x", Email: "x@example.com", Role: lms.RoleSupervisor}, lms.KindUnsupported, false},
		"username is taken": {lms.User{ExternalID: "x", Email: "u1@example.com"}, lms.KindAlreadyExists, true},
		"bad email":         {lms.User{ExternalID: "x", Email: "nope"}, lms.KindInvalidRequest, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, testSeed())
			_, err := e.client.Users().Create(ctx(t), tc.user)
			lmstest.RequireKind(t, "Create", err, tc.wantKind)
			if called := e.calls(opPutUser) > 0; called != tc.wantCalls {
				t.Errorf("PUT sent: %v, want %v", called, tc.wantCalls)
			}
		})
	}
}

func TestUsersUpdate(t *testing.T) {
	cases := map[string]struct {
		current, next lms.User
		wantRoles     []string
		wantAttrs     map[string]any
		wantID        string
		wantCalls     []string
	}{
		"names only keep unmanaged roles": {
			current:   withRole(seededUser(4), lms.RoleLearner),
			next:      withName(seededUser(4), "Kai"),
			wantRoles: []string{"LEARNER", "SITE_ADMIN"},
			wantID:    "u4",
			wantCalls: []string{opToken, opPutUser},
		},
		"role change": {
			current:   seededUser(1),
			next:      withRole(seededUser(1), lms.RoleManager),
			wantRoles: []string{"MANAGER"},
			wantID:    "u1",
			wantCalls: []string{opToken, opPutUser},
		},
		"custom fields cleared": {
			current:   seededUser(5),
			next:      withFields(seededUser(5), nil),
			wantRoles: []string{"LEARNER"},
			wantAttrs: nil,
			wantID:    "u5",
			wantCalls: []string{opToken, opPutUser},
		},
		"another external ID never renames": {
			current:   seededUser(2),
			next:      withExternalID(seededUser(2), "emp-0002"),
			wantRoles: []string{"LEARNER"},
			wantID:    "u2",
			wantCalls: []string{opToken, opPutUser},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, testSeed())
			got, err := e.client.Users().Update(ctx(t), tc.current, tc.next)
			if err != nil {
				t.Fatal(err)
			}
			su, ok := e.sim.User(tc.wantID)
			if !ok || got.ID != tc.wantID {
				t.Fatalf("user %q: in simulator %v, returned ID %q", tc.wantID, ok, got.ID)
			}
			if d := cmp.Diff(tc.wantRoles, su.PossibleRoles); d != "" {
				t.Errorf("roles (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.wantAttrs, su.CustomAttributes, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("custom attributes (-want +got):\n%s", d)
			}
			if su.FirstName != tc.next.FirstName || su.Username != tc.current.Email {
				t.Errorf("first name %q, username %q; want %q and the username untouched", su.FirstName, su.Username, tc.next.FirstName)
			}
			if d := cmp.Diff(tc.wantCalls, e.rec.sequence()); d != "" {
				t.Errorf("calls (-want +got):\n%s", d)
			}
		})
	}
}

func withRole(u lms.User, r lms.Role) lms.User            { u.Role = r; return u }
func withName(u lms.User, n string) lms.User              { u.FirstName = n; return u }
func withFields(u lms.User, f map[string]string) lms.User { u.CustomFields = f; return u }
func withExternalID(u lms.User, id string) lms.User       { u.ExternalID = id; return u }

func TestUsersSetActiveAndDelete(t *testing.T) {
	e := newEnv(t, testSeed())
	users := e.client.Users()
	if err := users.SetActive(ctx(t), seededUser(3), false); err != nil {
		t.Fatal(err)
	}
	if su, _ := e.sim.User("u3"); su.IsActive {
		t.Error("SetActive(false) left the user active")
	}
	if err := users.SetActive(ctx(t), seededUser(3), true); err != nil {
		t.Fatal(err)
	}
	if su, _ := e.sim.User("u3"); !su.IsActive {
		t.Error("SetActive(true) left the user inactive")
	}
	for i := range 2 {
		if err := users.Delete(ctx(t), seededUser(3)); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
	}
	if _, ok := e.sim.User("u3"); ok {
		t.Error("user not deleted")
	}
	err := users.SetActive(ctx(t), seededUser(3), false)
	lmstest.RequireKind(t, "SetActive on a deleted user", err, lms.KindNotFound)
}

func TestToUser(t *testing.T) {
	yes, no := true, false
	cases := map[string]struct {
		reason string
		info   userInfo
		want   lms.User
	}{
		"Unobserved": {"a user without isActive or customAttributes says so (nothing invented); the email is normalized",
			userInfo{Identifier: "ann", Email: " Ann@Example.com", FirstName: "Ann", PossibleRoles: []string{"LEARNER"}},
			lms.User{ID: "ann", ExternalID: "ann", Email: "ann@example.com", FirstName: "Ann", Role: lms.RoleLearner,
				Unobserved: lms.FieldActive | lms.FieldCustomFields}},
		"Inactive": {"isActive false is an inactive user",
			userInfo{Identifier: "bo", IsActive: &no, CustomAttributes: map[string]any{}},
			lms.User{ID: "bo", ExternalID: "bo"}},
		"HighestRole": {"the highest role the operator knows wins; unknown roles are ignored",
			userInfo{Identifier: "cy", IsActive: &yes, CustomAttributes: map[string]any{}, PossibleRoles: []string{"SITE_ADMIN", "learner", "INSTRUCTOR"}},
			lms.User{ID: "cy", ExternalID: "cy", Role: lms.RoleInstructor, Active: true}},
		"Attributes": {"custom attributes read as strings: strings as they are, others as JSON, nulls left out",
			userInfo{Identifier: "di", IsActive: &yes, CustomAttributes: map[string]any{"site": "Lyon", "level": 3.0, "tags": []any{"a"}, "gone": nil}},
			lms.User{ID: "di", ExternalID: "di", Active: true,
				CustomFields: map[string]string{"site": "Lyon", "level": "3", "tags": `["a"]`}}},
		"OnlyNullAttributes": {"attributes that are all null are none, observed",
			userInfo{Identifier: "ed", IsActive: &yes, CustomAttributes: map[string]any{"gone": nil}},
			lms.User{ID: "ed", ExternalID: "ed", Active: true}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			lmstest.Check(t, tc.reason, "toUser", tc.want, toUser(tc.info))
		})
	}
}

func TestAWrongRouteIsNotDone(t *testing.T) {
	channel := lms.Target{Kind: lms.TargetChannel, ID: "c1"}
	calls := map[string]struct {
		endpoint string
		call     func(e *env) error
	}{
		"Users.Delete":        {opDeleteUser, func(e *env) error { return e.client.Users().Delete(ctx(t), seededUser(1)) }},
		"Groups.Delete":       {opDeleteGroup, func(e *env) error { return e.client.Groups().Delete(ctx(t), "acme") }},
		"Groups.RemoveMember": {opRemoveGroupUser, func(e *env) error { return e.client.Groups().RemoveMember(ctx(t), "acme", seededUser(1)) }},
		"Enrollments.UnassignUser": {opUnassignChannelUser, func(e *env) error {
			return e.client.Enrollments().UnassignUser(ctx(t), channel, seededUser(1))
		}},
		"Enrollments.UnassignGroup": {opUnassignChannelGroup, func(e *env) error {
			return e.client.Enrollments().UnassignGroup(ctx(t), channel, "acme")
		}},
	}
	for name, tc := range calls {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, testSeed())
			e.sim.InjectFault(enableysim.Fault{Endpoint: tc.endpoint, Error: "not_found", Description: "No endpoint"})
			err := tc.call(e)
			if le := lmstest.AsError(err); le == nil || le.Code != "not_found" {
				t.Errorf("%s answered not_found (a wrong route) = %v, want that error, not done", name, err)
			}
		})
	}
}

func TestAnAdoptedUserKeepsItsIdentifier(t *testing.T) {
	seed := testSeed()
	seed.Users = append(seed.Users, enableysim.User{Identifier: "legacy-7", Email: "kim@example.com", Username: "kim",
		FirstName: "Kim", LastName: "Old", IsActive: true, PossibleRoles: []string{"LEARNER"}})
	e := newEnv(t, seed)
	users := e.client.Users()
	// The Learner's default externalID is its email; the user found by that email has another identifier.
	found, err := users.Lookup(ctx(t), "kim@example.com", "kim@example.com")
	if err != nil {
		t.Fatal(err)
	}
	desired := lms.User{ExternalID: "kim@example.com", Email: "kim@example.com", FirstName: "Kim", LastName: "New",
		Role: lms.RoleLearner, Active: true}
	e.rec.sequence()
	got, err := users.Update(ctx(t), *found, desired)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"legacy-7", "legacy-7"}, []string{got.ID, got.ExternalID}); d != "" {
		t.Errorf("the updated user's ID and ExternalID must stay the identifier it has (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{opPutUser}, e.rec.sequence()); d != "" {
		t.Errorf("calls: an update never renames (identityManagement) (-want +got):\n%s", d)
	}
	if su, ok := e.sim.User("legacy-7"); !ok || su.LastName != "New" {
		t.Errorf("user legacy-7 = %+v, %v; want it updated in place", su, ok)
	}
	if _, ok := e.sim.User("kim@example.com"); ok {
		t.Error("a user kim@example.com exists: the update renamed or created one")
	}
	if err := e.client.Groups().AddMember(ctx(t), "acme", *got); err != nil {
		t.Errorf("AddMember with the updated user's identifier: %v", err)
	}
}

func TestACreateRefusedForATakenFieldNamesIt(t *testing.T) {
	cases := map[string]struct {
		reason   string
		seed     func(*enableysim.Seed)
		user     lms.User
		wantKind lms.ErrorKind
		wantMsg  string
	}{
		"UsernameTaken": {"the email sent as username is another user's username",
			func(*enableysim.Seed) {}, lms.User{ExternalID: "x", Email: "u1@example.com"},
			lms.KindAlreadyExists, `username already taken by another user: Username "u1@example.com" is already used by another user`},
		"EmailTaken": {"the email is another user's email (its username differs)",
			func(s *enableysim.Seed) { s.Users[1].Username = "u2" }, lms.User{ExternalID: "x", Email: "u2@example.com"},
			lms.KindAlreadyExists, `email already taken by another user: Email "u2@example.com" is already used by another user`},
		"SharedEmailsAllowed": {"an account that allows shared emails creates the user",
			func(s *enableysim.Seed) { s.Users[1].Username, s.AllowSharedEmails = "u2", true }, lms.User{ExternalID: "x", Email: "u2@example.com"},
			"", ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			seed := testSeed()
			tc.seed(&seed)
			e := newEnv(t, seed)
			_, err := e.client.Users().Create(ctx(t), tc.user)
			lmstest.ExpectKind(t, "Create", err, tc.wantKind)
			if err != nil && lms.Message(err) != tc.wantMsg {
				t.Errorf("%s\nmessage %q, want %q", tc.reason, lms.Message(err), tc.wantMsg)
			}
		})
	}
}
