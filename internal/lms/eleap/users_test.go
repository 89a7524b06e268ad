package eleap

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/lmstest"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
)

// jane and john are testSeed's users as the client reads them.
var (
	jane = lms.User{ID: "1", Email: "jane@example.com", FirstName: "Jane", LastName: "Doe", Role: lms.RoleInstructor,
		Active: true, CustomFields: map[string]string{"Department": "Sales"}}
	john = lms.User{ID: "2", Email: "john@example.com", FirstName: "John", MiddleName: "Q", LastName: "Roe", Role: lms.RoleManager}
)

func TestUsersList(t *testing.T) {
	cases := map[string]struct {
		seed func() eleapsim.Seed
		want []lms.User
	}{
		"two users":         {testSeed, []lms.User{jane, john}},
		"no users is empty": {func() eleapsim.Seed { return eleapsim.Seed{APITokens: []string{testToken}} }, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, tc.seed())
			got, err := e.client.Users().List(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("List (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"users/"}, e.rec.ops()); diff != "" {
				t.Errorf("List must be one call (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUsersLookup(t *testing.T) {
	cases := map[string]struct {
		externalID, email string
		want              *lms.User
		wantKind          lms.ErrorKind
		wantOps           []string
	}{
		"by email, lower-cased": {"", " JANE@example.com ", &jane, "", []string{"users/get"}},
		"by eLeaP id":           {"2", "", &john, "", []string{"users/find"}},
		"email wins over id":    {"2", "jane@example.com", &jane, "", []string{"users/get"}},
		"unknown email":         {"", "nobody@example.com", nil, lms.KindNotFound, []string{"users/get"}},
		"nothing to look up by": {"", "", nil, lms.KindInvalidRequest, []string{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, testSeed())
			got, err := e.client.Users().Lookup(e.ctx, tc.externalID, tc.email)
			if lms.KindOf(err) != tc.wantKind {
				t.Fatalf("Lookup error = %v, want kind %q", err, tc.wantKind)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Lookup (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantOps, e.rec.ops()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUsersCreate(t *testing.T) {
	cases := map[string]struct {
		in         lms.User
		want       *lms.User
		wantSim    eleapsim.User
		wantOps    []string
		wantEmails int
	}{
		"silent learner with custom fields": {
			in:      lms.User{Email: "Ann@Example.com", FirstName: "Ann", LastName: "Lee", Active: true, CustomFields: map[string]string{"Location": "Paris"}},
			want:    &lms.User{Email: "ann@example.com", FirstName: "Ann", LastName: "Lee", Role: lms.RoleLearner, Active: true, CustomFields: map[string]string{"Location": "Paris"}},
			wantSim: eleapsim.User{ID: "3", Email: "ann@example.com", FirstName: "Ann", LastName: "Lee", Active: true, CustomFields: map[string]string{"Location": "Paris"}, Created: testNow},
			wantOps: []string{"users/add"},
		},
		"supervisor with welcome email": {
			in:         lms.User{Email: "sue@example.com", FirstName: "Sue", MiddleName: "M", LastName: "Ng", Description: "boss", Role: lms.RoleSupervisor, Active: true, SendWelcomeEmail: true},
			want:       &lms.User{Email: "sue@example.com", FirstName: "Sue", MiddleName: "M", LastName: "Ng", Description: "boss", Role: lms.RoleSupervisor, Active: true},
			wantSim:    eleapsim.User{ID: "3", Email: "sue@example.com", FirstName: "Sue", MiddleName: "M", LastName: "Ng", Description: "boss", AccessLevel: 2, Active: true, Created: testNow},
			wantOps:    []string{"users/add"},
			wantEmails: 1,
		},
		"inactive user is deactivated": {
			in:      lms.User{Email: "old@example.com", FirstName: "Old", LastName: "Timer", Role: lms.RoleManager},
			want:    &lms.User{Email: "old@example.com", FirstName: "Old", LastName: "Timer", Role: lms.RoleManager},
			wantSim: eleapsim.User{ID: "3", Email: "old@example.com", FirstName: "Old", LastName: "Timer", AccessLevel: 3, Created: testNow},
			wantOps: []string{"users/add", "users/deactivate"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, testSeed())
			got, err := e.client.Users().Create(e.ctx, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Create (-want +got):\n%s", diff)
			}
			sim, _ := e.sim.UserByEmail(tc.wantSim.Email)
			if diff := cmp.Diff(tc.wantSim, sim); diff != "" {
				t.Errorf("user in eLeaP (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantOps, e.rec.ops()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if n := len(e.sim.State().EmailsSent); n != tc.wantEmails {
				t.Errorf("activation emails = %d, want %d", n, tc.wantEmails)
			}
		})
	}
}

func TestUsersCreateTakesTheIDFromTheAnswer(t *testing.T) {
	ann := lms.User{Email: "ann@example.com", FirstName: "Ann", LastName: "Lee", Active: true}
	cases := map[string]struct {
		reason string
		answer string
		wantID string
	}{
		"Envelope": {"users/add answering the bare envelope (as documented) gives no id, and no call is made to learn it",
			eleapsim.AddUserAnswerEnvelope, ""},
		"TopLevelID": {"a top-level id in the answer is the new user's id", eleapsim.AddUserAnswerID, "3"},
		"UserObject": {"a user object in the answer gives the new user's id", eleapsim.AddUserAnswerUser, "3"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			seed := testSeed()
			seed.AddUserAnswer = tc.answer
			e := newEnv(t, seed)
			got, err := e.client.Users().Create(e.ctx, ann)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != tc.wantID {
				t.Errorf("%s\nCreate returned ID %q, want %q", tc.reason, got.ID, tc.wantID)
			}
			if diff := cmp.Diff([]string{"users/add"}, e.rec.ops()); diff != "" {
				t.Errorf("%s\na create costs one call (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUsersCreateRefusesUnknownRole(t *testing.T) {
	e := newEnv(t, testSeed())
	_, err := e.client.Users().Create(e.ctx, lms.User{Email: "a@example.com", FirstName: "A", LastName: "B", Role: "Owner"})
	if lms.KindOf(err) != lms.KindUnsupported {
		t.Errorf("Create with role Owner = %v, want Unsupported", err)
	}
	if ops := e.rec.ops(); len(ops) != 0 {
		t.Errorf("an unsupported role must not be sent, got calls %v", ops)
	}
}

func TestUsersUpdate(t *testing.T) {
	cases := map[string]struct {
		current, u lms.User
		wantSim    eleapsim.User
		wantOps    []string
	}{
		"rename changes the email by id": {
			current: jane,
			u:       lms.User{ID: "1", Email: "Jane.Doe@example.com", FirstName: "Janet", LastName: "Doe", Role: lms.RoleInstructor, Active: true, CustomFields: map[string]string{"Department": "Sales"}},
			wantSim: eleapsim.User{ID: "1", Email: "jane.doe@example.com", FirstName: "Janet", LastName: "Doe", AccessLevel: 1, Active: true, CustomFields: map[string]string{"Department": "Sales"}},
			wantOps: []string{"users/edit"},
		},
		"dropped custom field is cleared, role and activity change": {
			current: jane,
			u:       lms.User{ID: "1", Email: "jane@example.com", FirstName: "Jane", LastName: "Doe", Role: lms.RoleLearner, CustomFields: map[string]string{"Location": "Oslo"}},
			wantSim: eleapsim.User{ID: "1", Email: "jane@example.com", FirstName: "Jane", LastName: "Doe", CustomFields: map[string]string{"Department": "", "Location": "Oslo"}},
			wantOps: []string{"users/edit", "users/deactivate"},
		},
		"reactivation": {
			current: john,
			u:       lms.User{ID: "2", Email: "john@example.com", FirstName: "John", LastName: "Roe", Role: lms.RoleManager, Active: true},
			wantSim: eleapsim.User{ID: "2", Email: "john@example.com", FirstName: "John", LastName: "Roe", AccessLevel: 3, Active: true},
			wantOps: []string{"users/edit", "users/activate"},
		},
		"an active flag that was not read is left to the caller": {
			current: func() lms.User { u := john; u.Active, u.Unobserved = false, lms.FieldActive; return u }(),
			u:       lms.User{ID: "2", Email: "john@example.com", FirstName: "Johnny", LastName: "Roe", Role: lms.RoleManager, Active: true},
			wantSim: eleapsim.User{ID: "2", Email: "john@example.com", FirstName: "Johnny", LastName: "Roe", AccessLevel: 3},
			wantOps: []string{"users/edit"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, testSeed())
			got, err := e.client.Users().Update(e.ctx, tc.current, tc.u)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.u
			want.Email = tc.wantSim.Email
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("Update (-want +got):\n%s", diff)
			}
			sim, _ := e.sim.UserByEmail(tc.wantSim.Email)
			sim.Created = tc.wantSim.Created
			if diff := cmp.Diff(tc.wantSim, sim); diff != "" {
				t.Errorf("user in eLeaP (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantOps, e.rec.ops()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUsersUpdateFindsAMixedCaseEmailByID(t *testing.T) {
	seed := testSeed()
	seed.Users[0].Email = "Jane@Example.com"
	e := newEnv(t, seed)
	u := jane
	u.FirstName = "Janet"
	if _, err := e.client.Users().Update(e.ctx, jane, u); err != nil {
		t.Fatalf("Update of a user stored as Jane@Example.com: %v", err)
	}
	if got, ok := e.sim.UserByEmail("jane@example.com"); !ok || got.FirstName != "Janet" {
		t.Errorf("user after update = %+v, want Janet with the lower-cased email", got)
	}
}

func TestUsersSetActiveAndDelete(t *testing.T) {
	e := newEnv(t, testSeed())
	users := e.client.Users()
	steps := []struct {
		name     string
		do       func() error
		wantKind lms.ErrorKind
	}{
		{"activate John", func() error { return users.SetActive(e.ctx, john, true) }, ""},
		{"deactivate Jane", func() error { return users.SetActive(e.ctx, jane, false) }, ""},
		{"activate a stranger", func() error { return users.SetActive(e.ctx, lms.User{Email: "x@example.com"}, true) }, lms.KindNotFound},
		{"delete Jane", func() error { return users.Delete(e.ctx, jane) }, ""},
		{"delete Jane again", func() error { return users.Delete(e.ctx, jane) }, ""},
	}
	for _, s := range steps {
		if err := s.do(); lms.KindOf(err) != s.wantKind {
			t.Errorf("%s = %v, want kind %q", s.name, err, s.wantKind)
		}
	}
	got := e.sim.Users()
	if len(got) != 1 || got[0].Email != "john@example.com" || !got[0].Active {
		t.Errorf("users left = %+v, want only John, active", got)
	}
}

func TestAWrongURLIsNeitherNoneNorDone(t *testing.T) {
	calls := map[string]func(e *env) error{
		"Users.List":          func(e *env) error { _, err := e.client.Users().List(e.ctx); return err },
		"Users.Lookup":        func(e *env) error { _, err := e.client.Users().Lookup(e.ctx, "", "nobody@example.com"); return err },
		"Users.SetActive":     func(e *env) error { return e.client.Users().SetActive(e.ctx, jane, false) },
		"Users.Delete":        func(e *env) error { return e.client.Users().Delete(e.ctx, jane) },
		"Groups.List":         func(e *env) error { _, err := e.client.Groups().List(e.ctx); return err },
		"Groups.Get":          func(e *env) error { _, err := e.client.Groups().Get(e.ctx, "1"); return err },
		"Groups.Delete":       func(e *env) error { return e.client.Groups().Delete(e.ctx, "1") },
		"Groups.Members":      func(e *env) error { _, err := e.client.Groups().Members(e.ctx, "1"); return err },
		"Groups.RemoveMember": func(e *env) error { return e.client.Groups().RemoveMember(e.ctx, "1", john) },
		"Enrollments.Targets": func(e *env) error {
			_, err := e.client.Enrollments().Targets(e.ctx, lms.TargetCourse)
			return err
		},
		"Enrollments.AssignedUsers": func(e *env) error {
			_, err := e.client.Enrollments().AssignedUsers(e.ctx, safety)
			return err
		},
		"Enrollments.AssignedGroups": func(e *env) error {
			_, err := e.client.Enrollments().AssignedGroups(e.ctx, safety)
			return err
		},
		"Enrollments.UnassignUser":  func(e *env) error { return e.client.Enrollments().UnassignUser(e.ctx, safety, jane) },
		"Enrollments.UnassignGroup": func(e *env) error { return e.client.Enrollments().UnassignGroup(e.ctx, safety, "1") },
		"Enrollments.RecentCompletions": func(e *env) error {
			_, err := e.client.Enrollments().RecentCompletions(e.ctx)
			return err
		},
		"Enrollments.CourseProgress": func(e *env) error {
			_, err := e.client.Enrollments().CourseProgress(e.ctx, "10", jane)
			return err
		},
	}
	answers := map[string]eleapsim.Failure{
		"fail body 404":      {Code: 404},
		"HTML 404 page":      {HTTPStatus: 404, Body: "<html>Not Found</html>"},
		"fail body, no code": {HTTPStatus: 404, Body: `{"response":{"status":"fail","message":"Invalid API call"}}`},
	}
	for answer, failure := range answers {
		for name, call := range calls {
			t.Run(answer+"/"+name, func(t *testing.T) {
				e := newEnv(t, testSeed())
				e.sim.FailNext(failure)
				err := call(e)
				lmstest.ExpectKind(t, name+" answered 404 (a wrong URL)", err, lms.KindInvalidRequest)
				if !strings.Contains(lms.Message(err), "spec.endpoint") {
					t.Errorf("%s: message %q does not send the user to spec.endpoint", name, lms.Message(err))
				}
			})
		}
	}
}

func TestUsersAsTheDocumentShowsThemReportWhatTheyLack(t *testing.T) {
	seed := testSeed()
	seed.UserActive, seed.UserCustomFields = false, false // the simulator's default: as the document shows them
	e := newEnv(t, seed)
	got, err := e.client.Users().List(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	unobserved := func(u lms.User) lms.User {
		u.Active, u.CustomFields, u.Unobserved = false, nil, lms.FieldActive|lms.FieldCustomFields
		return u
	}
	if diff := cmp.Diff([]lms.User{unobserved(jane), unobserved(john)}, got); diff != "" {
		t.Errorf("users without active and custom_fields must say so, not read as active without fields (-want +got):\n%s", diff)
	}
	found, err := e.client.Users().Lookup(e.ctx, "", "jane@example.com")
	if err != nil || !found.Unobserved.Has(lms.FieldActive|lms.FieldCustomFields) {
		t.Errorf("Lookup = %+v, %v; want active and custom fields unobserved", found, err)
	}
}
