package eleap

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
)

var (
	safety     = lms.Target{Kind: lms.TargetCourse, ID: "10", Name: "Safety"}
	privacy    = lms.Target{Kind: lms.TargetCourse, ID: "11", Name: "Privacy"}
	onboarding = lms.Target{Kind: lms.TargetLearningPath, ID: "20", Name: "Onboarding"}
)

func TestTargets(t *testing.T) {
	cases := map[string]struct {
		seed     func() eleapsim.Seed
		kind     lms.TargetKind
		want     []lms.Target
		wantKind lms.ErrorKind
	}{
		"courses":        {testSeed, lms.TargetCourse, []lms.Target{safety, privacy}, ""},
		"learning paths": {testSeed, lms.TargetLearningPath, []lms.Target{onboarding}, ""},
		"one course comes as a bare object": {func() eleapsim.Seed {
			s := testSeed()
			s.Courses = s.Courses[:1]
			return s
		}, lms.TargetCourse, []lms.Target{safety}, ""},
		"no learning paths": {func() eleapsim.Seed {
			s := testSeed()
			s.LearningPaths = nil
			return s
		}, lms.TargetLearningPath, nil, ""},
		"channels are Enabley's": {testSeed, lms.TargetChannel, nil, lms.KindUnsupported},
		"a course's deadline date and relative deadline are read": {func() eleapsim.Seed {
			s := testSeed()
			s.Courses[0].Deadline, s.Courses[0].DeadlineDate = "date", "2024-01-01"
			s.Courses[1].Deadline, s.Courses[1].DeadlineRelative, s.Courses[1].DeadlineRelativeUnit = "relative", "30", "days"
			return s
		}, lms.TargetCourse, []lms.Target{
			{Kind: lms.TargetCourse, ID: "10", Name: "Safety", Deadline: &lms.Deadline{Date: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}},
			{Kind: lms.TargetCourse, ID: "11", Name: "Privacy", Deadline: &lms.Deadline{Days: 30}},
		}, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, tc.seed())
			got, err := e.client.Enrollments().Targets(e.ctx, tc.kind)
			if lms.KindOf(err) != tc.wantKind {
				t.Fatalf("Targets error = %v, want kind %q", err, tc.wantKind)
			}
			if diff := cmp.Diff(tc.want, got, cmpEmpty); diff != "" {
				t.Errorf("Targets (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCourseDeadline(t *testing.T) {
	type args struct {
		dto targetDTO
	}
	cases := map[string]struct {
		reason string
		args   args
		want   *lms.Deadline
	}{
		"Date": {
			reason: "deadline date is the course's last day",
			args:   args{targetDTO{Deadline: "date", DeadlineDate: "2024-01-01", DeadlineRelative: "0"}},
			want:   &lms.Deadline{Date: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		},
		"DateUnparsable": {
			reason: "a date that does not parse is no deadline, not a guess",
			args:   args{targetDTO{Deadline: "date", DeadlineDate: "0000-00-00"}},
		},
		"RelativeDays": {
			reason: "a relative deadline in days",
			args:   args{targetDTO{Deadline: "relative", DeadlineRelative: "14", DeadlineRelativeUnit: "days"}},
			want:   &lms.Deadline{Days: 14},
		},
		"RelativeMonths": {
			reason: "a relative deadline in months",
			args:   args{targetDTO{Deadline: "relative", DeadlineRelative: "2", DeadlineRelativeUnit: "months"}},
			want:   &lms.Deadline{Months: 2},
		},
		"RelativeZero": {
			reason: "a relative deadline of 0 (the document's default) is none",
			args:   args{targetDTO{Deadline: "relative", DeadlineRelative: "0", DeadlineRelativeUnit: "days"}},
		},
		"RelativeUnknownUnit": {
			reason: "a unit the document does not name is none",
			args:   args{targetDTO{Deadline: "relative", DeadlineRelative: "3", DeadlineRelativeUnit: "weeks"}},
		},
		"None": {
			reason: "a course without a deadline type has none, whatever the date says",
			args:   args{targetDTO{DeadlineDate: "2024-01-01"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.args.dto.deadline()); diff != "" {
				t.Errorf("%s: deadline() (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

// cmpEmpty treats nil and empty slices alike.
var cmpEmpty = cmp.Comparer(func(a, b []lms.Target) bool {
	return len(a) == 0 && len(b) == 0 || cmp.Equal([]lms.Target(a), []lms.Target(b))
})

func TestUserAssignments(t *testing.T) {
	for _, target := range []lms.Target{safety, onboarding} {
		t.Run(string(target.Kind), func(t *testing.T) {
			e := newEnv(t, testSeed())
			en := e.client.Enrollments()
			must(t, en.AssignUser(e.ctx, target, jane, lms.Assignment{}))
			must(t, en.AssignUser(e.ctx, target, jane, lms.Assignment{}))
			must(t, en.AssignUser(e.ctx, target, john, lms.Assignment{Notify: true}))
			must(t, en.UnassignUser(e.ctx, target, john))
			must(t, en.UnassignUser(e.ctx, target, john))
			got, err := en.AssignedUsers(e.ctx, target)
			if diff := cmp.Diff([]string{"1"}, got); err != nil || diff != "" {
				t.Errorf("AssignedUsers = %v (-want +got):\n%s", err, diff)
			}
			wantEmails := []eleapsim.EmailSent{{Kind: "assignment", Email: "john@example.com", Endpoint: sectionOf(target) + "/assign_user"}}
			if diff := cmp.Diff(wantEmails, e.sim.State().EmailsSent); diff != "" {
				t.Errorf("emails: only the Notify assignment may send one (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGroupAssignments(t *testing.T) {
	for _, target := range []lms.Target{privacy, onboarding} {
		t.Run(string(target.Kind), func(t *testing.T) {
			e := newEnv(t, testSeed())
			en := e.client.Enrollments()
			if got, err := en.AssignedGroups(e.ctx, target); err != nil || len(got) != 0 {
				t.Errorf("AssignedGroups before = %v, %v; want none", got, err)
			}
			must(t, en.AssignGroup(e.ctx, target, "1", lms.Assignment{}))
			must(t, en.AssignGroup(e.ctx, target, "1", lms.Assignment{}))
			got, err := en.AssignedGroups(e.ctx, target)
			if diff := cmp.Diff([]string{"1"}, got); err != nil || diff != "" {
				t.Errorf("AssignedGroups = %v (-want +got):\n%s", err, diff)
			}
			must(t, en.UnassignGroup(e.ctx, target, "1"))
			must(t, en.UnassignGroup(e.ctx, target, "1"))
			if n := len(e.sim.State().EmailsSent); n != 0 {
				t.Errorf("silent group assignment sent %d emails", n)
			}
			if err := en.AssignGroup(e.ctx, target, "99", lms.Assignment{}); !lms.IsNotFound(err) {
				t.Errorf("AssignGroup of an unknown group = %v, want NotFound", err)
			}
		})
	}
}

func TestAssignmentsSendSilentUnlessNotify(t *testing.T) {
	e := newEnv(t, testSeed())
	en := e.client.Enrollments()
	must(t, en.AssignUser(e.ctx, safety, jane, lms.Assignment{}))
	if got := e.rec.last().Form.Get("silent"); got != "1" {
		t.Errorf("silent = %q, want 1", got)
	}
	must(t, en.AssignGroup(e.ctx, safety, "1", lms.Assignment{Notify: true}))
	if _, ok := e.rec.last().Form["silent"]; ok {
		t.Errorf("Notify must not send silent")
	}
}

// sectionOf returns the API section of a target.
func sectionOf(t lms.Target) string {
	s, _ := section(t.Kind)
	return s
}

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
