package eleap

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
)

// progressSeed adds users and progress to testSeed:
// Jane completed Safety an hour ago (score 90) and Privacy three days ago;
// John is 40% through Safety; Bob is assigned Safety but has not started;
// Dave completed Safety two days ago; Carl has nothing; Ann is known complete.
func progressSeed() eleapsim.Seed {
	s := testSeed()
	for _, name := range []string{"ann", "bob", "carl", "dave"} {
		s.Users = append(s.Users, eleapsim.SeedUser{User: eleapsim.User{FirstName: name, LastName: "X", Email: name + "@example.com"}})
	}
	hourAgo, twoDaysAgo, threeDaysAgo := testNow.Add(-time.Hour), testNow.Add(-48*time.Hour), testNow.Add(-72*time.Hour)
	score := 90.0
	s.Completions = []eleapsim.Completion{
		{Email: "jane@example.com", CourseID: "10", Percent: 100, Score: &score, CompletedAt: &hourAgo},
		{Email: "jane@example.com", CourseID: "11", Percent: 100, CompletedAt: &threeDaysAgo},
		{Email: "john@example.com", CourseID: "10", Percent: 40},
		{Email: "dave@example.com", CourseID: "10", Percent: 100, CompletedAt: &twoDaysAgo},
	}
	s.Assignments = []eleapsim.Assignment{
		{Target: eleapsim.TargetCourse, TargetID: "10", Email: "bob@example.com"},
		{Target: eleapsim.TargetLearningPath, TargetID: "20", UserGroupID: "1"},
	}
	return s
}

// user returns a client-side user of progressSeed by id and email.
func user(id, email string) lms.User { return lms.User{ID: id, Email: email} }

func TestRecentCompletionsAreTheLastDaysOfTheWholeCompanyInOneCall(t *testing.T) {
	hourAgo := testNow.Add(-time.Hour)
	score := 90.0
	e := newEnv(t, progressSeed())
	got, err := e.client.Enrollments().RecentCompletions(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []lms.Completion{{UserID: "1", Email: "jane@example.com", CourseID: "10", CompletedAt: &hourAgo, Score: &score}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RecentCompletions (-want +got):\n%s\nonly Jane's completion of the last 24 hours is recent", diff)
	}
	if diff := cmp.Diff([]string{"users/recent_completions"}, e.rec.ops()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestTargetCourses(t *testing.T) {
	cases := map[string]struct {
		target  lms.Target
		want    []string
		wantOps []string
	}{
		"a course is itself":             {safety, []string{"10"}, []string{}},
		"a learning path is its courses": {onboarding, []string{"10", "11"}, []string{"learning_paths/assigned_courses"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, progressSeed())
			got, err := e.client.Enrollments().TargetCourses(e.ctx, tc.target)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("TargetCourses (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantOps, e.rec.ops()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCourseProgressIsOneActivityCall(t *testing.T) {
	twoDaysAgo := testNow.Add(-48 * time.Hour)
	cases := map[string]struct {
		u    lms.User
		want lms.Progress
	}{
		"in progress":           {user("2", "john@example.com"), lms.Progress{UserID: "2", Email: "john@example.com", Percent: 40}},
		"assigned, not started": {user("4", "bob@example.com"), lms.Progress{UserID: "4", Email: "bob@example.com"}},
		"nothing at all (4041)": {user("5", "carl@example.com"), lms.Progress{UserID: "5", Email: "carl@example.com"}},
		"completed days ago": {user("6", "dave@example.com"),
			lms.Progress{UserID: "6", Email: "dave@example.com", Percent: 100, Completed: true, CompletedAt: &twoDaysAgo}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, progressSeed())
			got, err := e.client.Enrollments().CourseProgress(e.ctx, "10", tc.u)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("CourseProgress (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"users/activity"}, e.rec.ops()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCourseProgressOfAUserWithoutAnIDIsRefusedWithoutACall(t *testing.T) {
	e := newEnv(t, progressSeed())
	if _, err := e.client.Enrollments().CourseProgress(e.ctx, "10", lms.User{Email: "x@example.com"}); lms.KindOf(err) != lms.KindInvalidRequest {
		t.Errorf("CourseProgress without an id: %v, want InvalidRequest", err)
	}
	if ops := e.rec.ops(); len(ops) != 0 {
		t.Errorf("calls %v, want none", ops)
	}
}

func TestTargetProgressIsUnsupportedOnELeaP(t *testing.T) {
	e := newEnv(t, progressSeed())
	if _, err := e.client.Enrollments().TargetProgress(e.ctx, safety); lms.KindOf(err) != lms.KindUnsupported {
		t.Errorf("TargetProgress: %v, want Unsupported", err)
	}
}
