package enabley

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/lmstest"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
)

var channel = lms.Target{Kind: lms.TargetChannel, ID: "big", Name: "Big course"}

// progressSeed is testSeed plus u6..u10 and channel "big" with u1..u10 as
// learners (five performance pages), u5 as its instructor, where u2 has
// completed with score 90 and u3 is at 40%.
func progressSeed(t *testing.T, e *env) {
	t.Helper()
	for _, p := range []enableysim.Completion{
		{User: "u2", Channel: "big", Percent: 100, Score: 90},
		{User: "u3", Channel: "big", Percent: 40, Score: 12},
	} {
		if err := e.sim.Complete(p); err != nil {
			t.Fatal(err)
		}
	}
}

func bigSeed() enableysim.Seed {
	seed := testSeed()
	learners := map[string][]string{}
	for i := 1; i <= 10; i++ {
		id := fmt.Sprintf("u%d", i)
		if i > 5 {
			seed.Users = append(seed.Users, enableysim.User{Identifier: id, Email: id + "@example.com", IsActive: true})
		}
		learners[id] = []string{"LEARNER"}
	}
	learners["u5"] = []string{"INSTRUCTOR"}
	seed.Channels = append(seed.Channels, enableysim.Channel{Identifier: "big", Name: "Big course", Users: learners})
	return seed
}

func TestTargetsListsChannelsOnly(t *testing.T) {
	e := newEnv(t, testSeed())
	got, err := e.client.Enrollments().Targets(ctx(t), lms.TargetChannel)
	if err != nil {
		t.Fatal(err)
	}
	want := []lms.Target{
		{Kind: lms.TargetChannel, ID: "c1", Name: "Safety"},
		{Kind: lms.TargetChannel, ID: "c2", Name: "Ethics"},
		{Kind: lms.TargetChannel, ID: "c3", Name: "Privacy"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("targets (-want +got):\n%s", d)
	}
	if n := e.calls(opListChannelsV3); n != 2 {
		t.Errorf("channel pages read: %d, want 2", n)
	}
	_, err = e.client.Enrollments().Targets(ctx(t), lms.TargetCourse)
	lmstest.RequireKind(t, "Targets(Course)", err, lms.KindUnsupported)
	_, err = e.client.Enrollments().AssignedUsers(ctx(t), lms.Target{Kind: lms.TargetLearningPath, ID: "x"})
	lmstest.RequireKind(t, "AssignedUsers(LearningPath)", err, lms.KindUnsupported)
}

func TestAssignUserRoles(t *testing.T) {
	cases := map[string]struct {
		role      lms.Role
		wantRoles []string
		wantKind  lms.ErrorKind
	}{
		"default is learner": {"", []string{"LEARNER"}, ""},
		"learner":            {lms.RoleLearner, []string{"LEARNER"}, ""},
		"instructor":         {lms.RoleInstructor, []string{"INSTRUCTOR"}, ""},
		"manager":            {lms.RoleManager, nil, lms.KindUnsupported},
		"supervisor":         {lms.RoleSupervisor, nil, lms.KindUnsupported},
	}
	target := lms.Target{Kind: lms.TargetChannel, ID: "c1"}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, testSeed())
			err := e.client.Enrollments().AssignUser(ctx(t), target, seededUser(1), lms.Assignment{Role: tc.role, Notify: true})
			if tc.wantKind != "" {
				lmstest.RequireKind(t, "AssignUser", err, tc.wantKind)
				if n := e.calls(opAssignChannelUser); n != 0 {
					t.Errorf("an unsupported role was sent (%d calls)", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, _ := e.sim.Channel("c1")
			if d := cmp.Diff(tc.wantRoles, c.Users["u1"]); d != "" {
				t.Errorf("roles in channel (-want +got):\n%s", d)
			}
		})
	}
}

func TestUnassignUserIsIdempotent(t *testing.T) {
	e := newEnv(t, testSeed())
	target := lms.Target{Kind: lms.TargetChannel, ID: "c1"}
	en := e.client.Enrollments()
	if err := en.AssignUser(ctx(t), target, seededUser(2), lms.Assignment{}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := en.UnassignUser(ctx(t), target, seededUser(2)); err != nil {
			t.Fatalf("UnassignUser: %v", err)
		}
	}
	if c, _ := e.sim.Channel("c1"); len(c.Users) != 0 {
		t.Errorf("channel users after unassign: %v", c.Users)
	}
	err := en.AssignUser(ctx(t), lms.Target{Kind: lms.TargetChannel, ID: "nope"}, seededUser(2), lms.Assignment{})
	lmstest.RequireKind(t, "AssignUser to a missing channel", err, lms.KindNotFound)
}

func TestGroupAssignment(t *testing.T) {
	e := newEnv(t, testSeed())
	en := e.client.Enrollments()
	target := lms.Target{Kind: lms.TargetChannel, ID: "c2"}
	if err := en.AssignGroup(ctx(t), target, "acme", lms.Assignment{Role: lms.RoleLearner}); err != nil {
		t.Fatal(err)
	}
	c, _ := e.sim.Channel("c2")
	if d := cmp.Diff([]enableysim.ChannelGroup{{Group: "acme"}}, c.Groups); d != "" {
		t.Errorf("channel groups (-want +got):\n%s", d)
	}
	err := en.AssignGroup(ctx(t), target, "acme", lms.Assignment{Role: lms.RoleInstructor})
	lmstest.RequireKind(t, "AssignGroup as instructor", err, lms.KindUnsupported)
	_, err = en.AssignedGroups(ctx(t), target)
	lmstest.RequireKind(t, "AssignedGroups", err, lms.KindUnsupported)
	for range 2 {
		if err := en.UnassignGroup(ctx(t), target, "acme"); err != nil {
			t.Fatalf("UnassignGroup: %v", err)
		}
	}
	if c, _ := e.sim.Channel("c2"); len(c.Groups) != 0 {
		t.Errorf("channel groups after unassign: %v", c.Groups)
	}
}

func TestAssignedUsersAreTheChannelsLearners(t *testing.T) {
	e := newEnv(t, bigSeed())
	got, err := e.client.Enrollments().AssignedUsers(ctx(t), channel)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"u1", "u2", "u3", "u4", "u6", "u7", "u8", "u9", "u10"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("learners, instructor u5 excluded (-want +got):\n%s", d)
	}
	if n := e.calls(opPerformance); n != 5 {
		t.Errorf("performance pages: %d, want 5", n)
	}
}

func TestTargetProgressReadsEveryPageOnceWithAssignedUsers(t *testing.T) {
	start := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	score := func(v float64) *float64 { return &v }
	fresh := func(id string) lms.Progress { return lms.Progress{UserID: id, Score: score(0)} }
	e := newEnv(t, bigSeed())
	progressSeed(t, e)
	memo := lms.WithMemo(ctx(t))
	got, err := e.client.Enrollments().TargetProgress(memo, channel)
	if err != nil {
		t.Fatal(err)
	}
	want := []lms.Progress{fresh("u1"), {UserID: "u2", Percent: 100, Completed: true, CompletedAt: &start, Score: score(90)},
		{UserID: "u3", Percent: 40, Score: score(12)}, fresh("u4"), fresh("u6"), fresh("u7"), fresh("u8"), fresh("u9"), fresh("u10")}
	if d := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b lms.Progress) bool { return a.UserID < b.UserID })); d != "" {
		t.Errorf("TargetProgress (-want +got):\n%s", d)
	}
	if _, err := e.client.Enrollments().AssignedUsers(memo, channel); err != nil {
		t.Fatal(err)
	}
	if n := e.calls(opPerformance); n != 5 {
		t.Errorf("performance calls for the progress and the learners of one reconcile: %d, want the 5 pages once", n)
	}
}
