package eleap

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lms"
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
			{Email: "jojn.doe@example.com", FirstName: "John", LastName: "Doe", Description: "Lorem ipsum dolor sit amet", Role: lms.RoleLearner, Active: true},
			{Email: "lorem@example.com", FirstName: "Lorem", MiddleName: "Ipsum", LastName: "Dolor", Description: "test", Role: lms.RoleInstructor, Active: true},
		}},
		"users keyed by id, custom fields as a list": {func() (any, error) {
			var a usersAnswer
			err := decode(keyedUsers, &a)
			return toUsers(a.Users), err
		}, []lms.User{
			{ID: "1", Email: "a@x.io", Role: lms.RoleLearner, Active: true, CustomFields: map[string]string{"Department": "Sales"}},
			{ID: "2", Email: "b@x.io", Role: lms.RoleLearner},
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
		}, []lms.Target{{Kind: lms.TargetCourse, ID: "1", Name: "Course Name"}}},
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
