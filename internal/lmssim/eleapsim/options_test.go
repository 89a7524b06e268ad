package eleapsim

import (
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// keysOf returns the sorted keys of the first user in body[key] (an array).
func keysOf(t *testing.T, body map[string]any, key string) []string {
	t.Helper()
	list, _ := body[key].([]any)
	if len(list) == 0 {
		t.Fatalf("answer %v has no %q list", body, key)
	}
	first, _ := list[0].(map[string]any)
	var out []string
	for k := range first {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestUserAnswersCanBeWhatTheDocumentShows(t *testing.T) {
	documented := []string{"access_level", "created", "description", "email", "first_name", "id", "last_name", "middle_name"}
	withAll := []string{"access_level", "active", "created", "custom_fields", "description", "email", "first_name", "id", "last_name", "middle_name"}
	cases := map[string]struct {
		reason string
		seed   func(*Seed)
		want   []string
	}{
		"Default": {"by default user answers carry the document's fields (and the id) only",
			func(*Seed) {}, documented},
		"Lenient": {"with both options they also carry active and custom_fields",
			func(s *Seed) { s.UserActive, s.UserCustomFields = true, true }, withAll},
		"WithActive": {"userActive adds active",
			func(s *Seed) { s.UserActive = true }, slices.DeleteFunc(slices.Clone(withAll), func(k string) bool { return k == "custom_fields" })},
		"WithCustomFields": {"userCustomFields adds custom_fields",
			func(s *Seed) { s.UserCustomFields = true }, slices.DeleteFunc(slices.Clone(withAll), func(k string) bool { return k == "active" })},
	}
	calls := map[string]struct {
		path string
		args url.Values
		key  string
	}{
		"users/":                    {"/api/users/", nil, "users"},
		"users/get":                 {"/api/users/get", v("email", "john@example.com"), "user"},
		"users/find":                {"/api/users/find", v("id", "2"), "user"},
		"usergroups/assigned_users": {"/api/usergroups/assigned_users", v("id", "1"), "users"},
		"courses/assigned_users":    {"/api/courses/assigned_users", v("id", "10"), "users"},
	}
	for name, tc := range cases {
		for endpoint, c := range calls {
			t.Run(name+"/"+endpoint, func(t *testing.T) {
				s, _ := newSimWith(t, tc.seed)
				_, body := call(t, s, c.path, c.args)
				if diff := cmp.Diff(tc.want, keysOf(t, body, c.key)); diff != "" {
					t.Errorf("%s\n%s user fields: -want +got:\n%s", tc.reason, endpoint, diff)
				}
			})
		}
	}
}

func TestAddUserAnswerIsAnOption(t *testing.T) {
	add := v("first_name", "Ann", "last_name", "Lee", "email", "ann@example.com")
	cases := map[string]struct {
		reason string
		answer string
		want   []string
	}{
		"Default":  {"by default users/add answers the bare success envelope, as documented", "", []string{"response"}},
		"Envelope": {"envelope is the default, said", AddUserAnswerEnvelope, []string{"response"}},
		"ID":       {"id answers the new id at the top level, as usergroups/add does", AddUserAnswerID, []string{"id", "response"}},
		"User":     {"user answers the new user, as users/get does", AddUserAnswerUser, []string{"response", "user"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s, _ := newSimWith(t, func(seed *Seed) { seed.AddUserAnswer = tc.answer })
			_, body := call(t, s, "/api/users/add", add)
			var keys []string
			for k := range body {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if diff := cmp.Diff(tc.want, keys); diff != "" {
				t.Fatalf("%s\nusers/add answer %v: -want +got:\n%s", tc.reason, body, diff)
			}
			switch tc.answer {
			case AddUserAnswerID:
				if body["id"] != "3" {
					t.Errorf("users/add id = %v, want the new user's id 3", body["id"])
				}
			case AddUserAnswerUser:
				if got := keysOf(t, body, "user"); !slices.Contains(got, "id") {
					t.Errorf("users/add user %v has no id", got)
				}
			}
		})
	}
}

func TestSeedValidateRefusesAnUnknownAddUserAnswer(t *testing.T) {
	if err := (Seed{AddUserAnswer: "everything"}).Validate(); err == nil {
		t.Error("Validate accepted addUserAnswer \"everything\"")
	}
	for _, a := range []string{"", AddUserAnswerEnvelope, AddUserAnswerID, AddUserAnswerUser} {
		if err := (Seed{AddUserAnswer: a}).Validate(); err != nil {
			t.Errorf("Validate(addUserAnswer %q) = %v", a, err)
		}
	}
}

func TestEveryEmptyListAnswers4041(t *testing.T) {
	lists := map[string]url.Values{
		"/api/users/":                              nil,
		"/api/usergroups/":                         nil,
		"/api/usergroups/assigned_users":           v("id", "1"),
		"/api/courses/":                            nil,
		"/api/courses/assigned_users":              v("id", "10"),
		"/api/courses/assigned_user_groups":        v("id", "10"),
		"/api/learning_paths/":                     nil,
		"/api/learning_paths/assigned_users":       v("id", "20"),
		"/api/learning_paths/assigned_user_groups": v("id", "20"),
		"/api/learning_paths/assigned_courses":     v("id", "20"),
		"/api/users/recent_completions":            nil,
		"/api/users/custom_fields":                 nil,
	}
	empty := func(withItems bool) Seed {
		s := Seed{APITokens: []string{token}}
		if withItems {
			s.UserGroups = []UserGroup{{Name: "Empty"}}
			s.Courses = []Course{{ID: "10", Name: "Safety"}}
			s.LearningPaths = []LearningPath{{ID: "20", Name: "Onboarding"}}
		}
		return s
	}
	for path, args := range lists {
		t.Run(path, func(t *testing.T) {
			withItems := args != nil
			_, body := call(t, New(empty(withItems)), path, args)
			if code, _ := failure(body); code != float64(codeNotFound) {
				t.Errorf("%s of nothing = %v, want a fail with code 4041", path, body)
			}
		})
	}
}
