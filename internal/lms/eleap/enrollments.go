package eleap

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// The enrollment adapter's messages.
const (
	msgUnsupportedTarget = "eLeaP has no %s targets (only Course and LearningPath)"
	msgMissingID         = "no eLeaP id to send as %s"
	opEnrollments        = "eleap enrollments"
)

// The API sections of the target kinds.
const (
	sectionCourses = "courses"
	sectionPaths   = "learning_paths"
)

// enrollmentsAPI is what the enrollment adapter (and its progress reader)
// needs of the wire client.
type enrollmentsAPI interface {
	listTargets(ctx context.Context, section string) ([]targetDTO, error)
	assignedUsers(ctx context.Context, section, id string) ([]userDTO, error)
	assignedGroups(ctx context.Context, section, id string) ([]groupDTO, error)
	assignment(ctx context.Context, section, verb, id string, args url.Values) error
	recentCompletions(ctx context.Context) ([]completionDTO, error)
	pathCourses(ctx context.Context, id string) ([]targetDTO, error)
	activity(ctx context.Context, user, course string) ([]activityDTO, error)
}

// enrollmentClient assigns users and user groups to courses and learning
// paths, and reads progress (progress.go).
type enrollmentClient struct {
	api enrollmentsAPI
}

var _ lms.EnrollmentClient = (*enrollmentClient)(nil)

// section returns the API section of a target kind: "courses" or "learning_paths".
func section(k lms.TargetKind) (string, error) {
	switch k {
	case lms.TargetCourse:
		return sectionCourses, nil
	case lms.TargetLearningPath:
		return sectionPaths, nil
	}
	return "", lms.NewError(lms.KindUnsupported, opEnrollments, "", fmt.Sprintf(msgUnsupportedTarget, k))
}

// Targets lists the courses (courses/) or learning paths (learning_paths/).
func (c *enrollmentClient) Targets(ctx context.Context, kind lms.TargetKind) ([]lms.Target, error) {
	sec, err := section(kind)
	if err != nil {
		return nil, err
	}
	dtos, err := c.api.listTargets(ctx, sec)
	if err := ignoreNoData(err); err != nil {
		return nil, fmt.Errorf("list eLeaP %s: %w", sec, err)
	}
	return toTargets(kind, dtos), nil
}

// toTargets converts courses or learning paths.
func toTargets(kind lms.TargetKind, dtos []targetDTO) []lms.Target {
	var out []lms.Target
	for _, d := range dtos {
		out = append(out, lms.Target{Kind: kind, ID: strings.TrimSpace(string(d.ID)), Name: string(d.Name), Deadline: d.deadline()})
	}
	return out
}

// deadline converts a course's deadline: "date" with a date, or "relative"
// with a positive number of days or months. Anything else (no deadline,
// "0", an unknown unit, a date that does not parse) is none.
func (d targetDTO) deadline() *lms.Deadline {
	switch strings.ToLower(strings.TrimSpace(string(d.Deadline))) {
	case "date":
		at, err := time.Parse(time.DateOnly, strings.TrimSpace(string(d.DeadlineDate)))
		if err != nil {
			return nil
		}
		return &lms.Deadline{Date: at}
	case "relative":
		n, err := strconv.Atoi(strings.TrimSpace(string(d.DeadlineRelative)))
		if err != nil || n <= 0 {
			return nil
		}
		switch strings.ToLower(strings.TrimSpace(string(d.DeadlineRelativeUnit))) {
		case "days", "day":
			return &lms.Deadline{Days: n}
		case "months", "month":
			return &lms.Deadline{Months: n}
		}
	}
	return nil
}

// AssignedUsers returns the ids of the users assigned to t directly
// (*/assigned_users); eLeaP's 4041 is none.
func (c *enrollmentClient) AssignedUsers(ctx context.Context, t lms.Target) ([]string, error) {
	sec, err := section(t.Kind)
	if err != nil {
		return nil, err
	}
	dtos, err := c.api.assignedUsers(ctx, sec, t.ID)
	if err := ignoreNoData(err); err != nil {
		return nil, fmt.Errorf("list users assigned to eLeaP %s %s: %w", t.Kind, t.ID, err)
	}
	return idList(dtos), nil
}

// AssignUser assigns u to t, with silent=1 unless a.Notify; an assigned
// user is no error.
func (c *enrollmentClient) AssignUser(ctx context.Context, t lms.Target, u lms.User, a lms.Assignment) error {
	err := c.write(ctx, t, "assign_user", "id_user", u.ID, &a)
	if err != nil && !lms.IsAlreadyExists(err) {
		return fmt.Errorf("assign user %s to eLeaP %s %s: %w", u.ID, t.Kind, t.ID, err)
	}
	return nil
}

// UnassignUser removes u's assignment to t; an unassigned user (4041) is no error.
func (c *enrollmentClient) UnassignUser(ctx context.Context, t lms.Target, u lms.User) error {
	if err := ignoreNoData(c.write(ctx, t, "unassign_user", "id_user", u.ID, nil)); err != nil {
		return fmt.Errorf("unassign user %s from eLeaP %s %s: %w", u.ID, t.Kind, t.ID, err)
	}
	return nil
}

// AssignedGroups returns the ids of the user groups assigned to t.
func (c *enrollmentClient) AssignedGroups(ctx context.Context, t lms.Target) ([]string, error) {
	sec, err := section(t.Kind)
	if err != nil {
		return nil, err
	}
	dtos, err := c.api.assignedGroups(ctx, sec, t.ID)
	if err := ignoreNoData(err); err != nil {
		return nil, fmt.Errorf("list groups assigned to eLeaP %s %s: %w", t.Kind, t.ID, err)
	}
	var out []string
	for _, g := range dtos {
		out = append(out, strings.TrimSpace(string(g.ID)))
	}
	return out, nil
}

// AssignGroup assigns the user group to t, with silent=1 unless a.Notify;
// an assigned group is no error.
func (c *enrollmentClient) AssignGroup(ctx context.Context, t lms.Target, groupID string, a lms.Assignment) error {
	err := c.write(ctx, t, "assign_user_group", "id_usergroup", groupID, &a)
	if err != nil && !lms.IsAlreadyExists(err) {
		return fmt.Errorf("assign user group %s to eLeaP %s %s: %w", groupID, t.Kind, t.ID, err)
	}
	return nil
}

// UnassignGroup removes the user group's assignment to t; an unassigned
// group (4041) is no error.
func (c *enrollmentClient) UnassignGroup(ctx context.Context, t lms.Target, groupID string) error {
	if err := ignoreNoData(c.write(ctx, t, "unassign_user_group", "id_usergroup", groupID, nil)); err != nil {
		return fmt.Errorf("unassign user group %s from eLeaP %s %s: %w", groupID, t.Kind, t.ID, err)
	}
	return nil
}

// write calls an (un)assignment endpoint of t's section with the member
// argument; a, when not nil, adds silent=1 unless it asks to notify.
func (c *enrollmentClient) write(ctx context.Context, t lms.Target, verb, arg, id string, a *lms.Assignment) error {
	sec, err := section(t.Kind)
	if err != nil {
		return err
	}
	if id == "" {
		return lms.NewError(lms.KindInvalidRequest, opName(sec+"/"+verb), "", fmt.Sprintf(msgMissingID, arg))
	}
	args := url.Values{arg: {id}}
	if a != nil && !a.Notify {
		args.Set("silent", "1")
	}
	return c.api.assignment(ctx, sec, verb, t.ID, args)
}
