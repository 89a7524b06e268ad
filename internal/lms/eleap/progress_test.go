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

func TestProgress(t *testing.T) {
	hourAgo, twoDaysAgo := testNow.Add(-time.Hour), testNow.Add(-48*time.Hour)
	score := 90.0
	known := map[string]lms.Progress{
		"3": {UserID: "3", Percent: 100, Completed: true, CompletedAt: &twoDaysAgo},
		"2": {UserID: "2", Percent: 10},
	}
	cases := map[string]struct {
		target  lms.Target
		users   []lms.User
		want    []lms.Progress
		wantOps []string
	}{
		"course": {
			target: safety,
			users: []lms.User{user("1", "jane@example.com"), user("2", "john@example.com"), user("3", "ann@example.com"),
				user("4", "bob@example.com"), user("5", "carl@example.com"), user("6", "dave@example.com")},
			want: []lms.Progress{
				{UserID: "1", Email: "jane@example.com", Percent: 100, Completed: true, CompletedAt: &hourAgo, Score: &score},
				{UserID: "2", Email: "john@example.com", Percent: 40},
				known["3"],
				{UserID: "4", Email: "bob@example.com"},
				{UserID: "5", Email: "carl@example.com"},
				{UserID: "6", Email: "dave@example.com", Percent: 100, Completed: true, CompletedAt: &twoDaysAgo},
			},
			wantOps: []string{"users/recent_completions", "users/activity", "users/activity", "users/activity", "users/activity"},
		},
		"learning path": {
			target: onboarding,
			users:  []lms.User{user("1", "jane@example.com"), user("2", "john@example.com")},
			want: []lms.Progress{
				{UserID: "1", Email: "jane@example.com", Percent: 100, Completed: true, CompletedAt: &hourAgo},
				{UserID: "2", Email: "john@example.com", Percent: 20},
			},
			wantOps: []string{"users/recent_completions", "learning_paths/assigned_courses", "users/activity", "users/activity", "users/activity"},
		},
		"everyone known complete costs nothing": {
			target:  safety,
			users:   []lms.User{user("3", "ann@example.com")},
			want:    []lms.Progress{known["3"]},
			wantOps: []string{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, progressSeed())
			got, err := e.client.Enrollments().Progress(e.ctx, tc.target, tc.users, known)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Progress (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantOps, e.rec.ops()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProgressReturnsWhatItReadBeforeAnError(t *testing.T) {
	e := newEnv(t, progressSeed())
	e.sim.FailNext(eleapsim.Failure{Endpoint: "users/activity", HTTPStatus: 429, RetryAfter: "60"})
	users := []lms.User{user("1", "jane@example.com"), user("2", "john@example.com")}
	got, err := e.client.Enrollments().Progress(e.ctx, safety, users, nil)
	if retry, ok := lms.RetryAfter(err); !ok || retry != time.Minute {
		t.Errorf("Progress error = %v, want RateLimited for a minute", err)
	}
	if len(got) != 1 || !got[0].Completed {
		t.Errorf("Progress before the 429 = %+v, want Jane's completion", got)
	}
}

func TestProgressOfAPathWithoutCourses(t *testing.T) {
	seed := progressSeed()
	seed.LearningPaths[0].Courses = nil
	e := newEnv(t, seed)
	got, err := e.client.Enrollments().Progress(e.ctx, onboarding, []lms.User{user("1", "jane@example.com")}, nil)
	want := []lms.Progress{{UserID: "1", Email: "jane@example.com"}}
	if diff := cmp.Diff(want, got); err != nil || diff != "" {
		t.Errorf("Progress = %v (-want +got):\n%s", err, diff)
	}
}
