package eleap

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/lmstest"
)

func TestDecodeDocumentExamples(t *testing.T) {
	decode := func(body string, out any) error {
		return decodeResponse("test", answer{status: 200, body: []byte(body)}, testNow, out)
	}
	cases := map[string]struct {
		run  func() (any, error)
		want any
	}{
		"user list without ids or active": {func() (any, error) {
			var a usersAnswer
			err := decode(docUserList, &a)
			return toUsers(a.Users), err
		}, []lms.User{
			{Email: "jojn.doe@example.com", FirstName: "John", LastName: "Doe", Description: "Lorem ipsum dolor sit amet", Role: lms.RoleLearner,
				Unobserved: lms.FieldActive | lms.FieldCustomFields},
			{Email: "lorem@example.com", FirstName: "Lorem", MiddleName: "Ipsum", LastName: "Dolor", Description: "test", Role: lms.RoleInstructor,
				Unobserved: lms.FieldActive | lms.FieldCustomFields},
		}},
		"users keyed by id, custom fields as a list": {func() (any, error) {
			var a usersAnswer
			err := decode(keyedUsers, &a)
			return toUsers(a.Users), err
		}, []lms.User{
			{ID: "1", Email: "a@x.io", CustomFields: map[string]string{"Department": "Sales"}, Unobserved: lms.FieldActive | lms.FieldRole},
			{ID: "2", Email: "b@x.io", Unobserved: lms.FieldCustomFields | lms.FieldRole},
		}},
		"single user as a one-element list": {func() (any, error) {
			var a userAnswer
			err := decode(simUser, &a)
			return toUsers(a.User), err
		}, []lms.User{{ID: "2", Email: "john@example.com", FirstName: "John", LastName: "Roe", Role: lms.RoleLearner}}},
		"courses list as a bare object": {func() (any, error) {
			var a coursesAnswer
			err := decode(docCourses, &a)
			return toTargets(lms.TargetCourse, a.Courses), err
		}, []lms.Target{{Kind: lms.TargetCourse, ID: "1", Name: "Course Name",
			Deadline: &lms.Deadline{Date: time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)}}}},
		"learning path with a numeric id": {func() (any, error) {
			var a pathsAnswer
			err := decode(simPaths, &a)
			return toTargets(lms.TargetLearningPath, a.LearningPaths), err
		}, []lms.Target{{Kind: lms.TargetLearningPath, ID: "20", Name: "Onboarding"}}},
		"group add answers the id": {func() (any, error) {
			var a addAnswer
			err := decode(simGroupAdd, &a)
			return string(a.ID), err
		}, "5"},
		"activity with percent sign": {func() (any, error) {
			var a activityAnswer
			err := decode(`{"response":{"status":"success"},"activity":{"id_course":"11","status":"","progress":"55%","score":null}}`, &a)
			return fromActivity(a.Activity, "11"), err
		}, lms.Progress{Percent: 55}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := tc.run()
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewUserID(t *testing.T) {
	cases := map[string]struct {
		reason string
		body   string
		want   string
	}{
		"Envelope":   {"the documented bare envelope carries no id", docSuccess, ""},
		"TopLevelID": {"a top-level id, string or number, is the id", `{"id":7,"response":{"status":"success"}}`, "7"},
		"UserList":   {"a user list (as users/get answers) gives its id", `{"response":{"status":"success"},"user":[{"id":"8","email":"a@b.c"}]}`, "8"},
		"UserObject": {"a bare user object gives its id", `{"response":{"status":"success"},"user":{"id":" 9 ","email":"a@b.c"}}`, "9"},
		"BothIDs":    {"the top-level id wins", `{"id":"10","response":{"status":"success"},"user":[{"id":"11"}]}`, "10"},
		"UserNoID":   {"a user without id gives none", `{"response":{"status":"success"},"user":[{"email":"a@b.c"}]}`, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var ans addAnswer
			if err := decodeResponse("users/add", answer{status: 200, body: []byte(tc.body)}, testNow, &ans); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if got := newUserID(ans); got != tc.want {
				t.Errorf("%s\nnewUserID = %q, want %q", tc.reason, got, tc.want)
			}
		})
	}
}

func TestToUser(t *testing.T) {
	active, inactive := flexBool(true), flexBool(false)
	level := func(n int) *flexInt { l := flexInt(n); return &l }
	none := customFields{}
	cases := map[string]struct {
		reason string
		dto    userDTO
		want   lms.User
	}{
		"DocumentShape": {"the document's fields, without id, active or custom_fields: those are unobserved, not invented",
			userDTO{AccessLevel: level(1), FirstName: "Lorem", MiddleName: "Ipsum", LastName: "Dolor", Email: "Lorem@Example.com ", Description: "test"},
			lms.User{Email: "lorem@example.com", FirstName: "Lorem", MiddleName: "Ipsum", LastName: "Dolor", Description: "test",
				Role: lms.RoleInstructor, Unobserved: lms.FieldActive | lms.FieldCustomFields}},
		"NoAccessLevel": {"an answer without access_level does not say the role",
			userDTO{ID: "6", Active: &active, CustomFields: none},
			lms.User{ID: "6", Active: true, Unobserved: lms.FieldRole}},
		"Inactive": {"active 0 is an inactive user",
			userDTO{ID: " 7 ", Email: "a@x.io", AccessLevel: level(0), Active: &inactive, CustomFields: none},
			lms.User{ID: "7", Email: "a@x.io", Role: lms.RoleLearner}},
		"Active": {"active 1 is an active user",
			userDTO{ID: "8", Email: "b@x.io", Active: &active, AccessLevel: level(3), CustomFields: none},
			lms.User{ID: "8", Email: "b@x.io", Role: lms.RoleManager, Active: true}},
		"EmptyCustomFields": {"custom fields with empty values are dropped; none left is nil, and observed",
			userDTO{ID: "9", AccessLevel: level(2), Active: &active, CustomFields: customFields{"Department": ""}},
			lms.User{ID: "9", Role: lms.RoleSupervisor, Active: true}},
		"CustomFields": {"custom fields with values are kept",
			userDTO{ID: "10", AccessLevel: level(0), Active: &active, CustomFields: customFields{"Department": "Sales", "Location": ""}},
			lms.User{ID: "10", Role: lms.RoleLearner, Active: true, CustomFields: map[string]string{"Department": "Sales"}}},
		"UnknownLevel": {"an undocumented access level reads as a role no Learner has, so that it shows as drift",
			userDTO{ID: "11", AccessLevel: level(7), Active: &active, CustomFields: none},
			lms.User{ID: "11", Role: "eLeaP access level 7", Active: true}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			lmstest.Check(t, tc.reason, "toUser", tc.want, toUser(tc.dto))
		})
	}
}

func TestFlexStringReadsOneScalar(t *testing.T) {
	type want struct {
		s   flexString
		err bool
	}
	cases := map[string]struct {
		reason string
		raw    string
		want   want
	}{
		"String":        {"A string is its value.", `"Sales"`, want{s: "Sales"}},
		"Escaped":       {"Escapes are decoded.", `"a\"b\u00e9"`, want{s: `a"bé`}},
		"Integer":       {"A number keeps its literal.", `42`, want{s: "42"}},
		"Negative":      {"A negative fraction keeps its literal.", `-1.50`, want{s: "-1.50"}},
		"Exponent":      {"An exponent is kept as sent.", `1e3`, want{s: "1e3"}},
		"True":          {"A boolean is its name.", `true`, want{s: "true"}},
		"False":         {"A boolean is its name.", `false`, want{s: "false"}},
		"Null":          {"Null is empty.", `null`, want{s: ""}},
		"Object":        {"An object is no scalar.", `{"a":1}`, want{err: true}},
		"Array":         {"An array is no scalar.", `[1]`, want{err: true}},
		"Empty":         {"Nothing is an error.", ``, want{err: true}},
		"BadNumber":     {"A number that is not JSON is an error.", `1.2.3`, want{err: true}},
		"Spaced":        {"Surrounding space is ignored.", " 7 ", want{s: "7"}},
		"InStructField": {"Inside a record, as users/ sends it.", `{"v": 3}`, want{s: "3"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got want
			var err error
			if name == "InStructField" {
				var rec struct {
					V flexString `json:"v"`
				}
				err = json.Unmarshal([]byte(tc.raw), &rec)
				got.s = rec.V
			} else {
				err = got.s.UnmarshalJSON([]byte(tc.raw))
			}
			got.err = err != nil
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nUnmarshalJSON(%q): -want, +got:\n%s", tc.reason, tc.raw, diff)
			}
		})
	}
}
