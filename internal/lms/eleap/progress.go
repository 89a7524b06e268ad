package eleap

import (
	"context"
	"fmt"
	"strings"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// The progress reads eLeaP has (see lms.ProgressReader): the courses
// completed in the last 24 hours, for the whole company in one
// users/recent_completions call; a learning path's courses
// (learning_paths/assigned_courses); and one user's status in one course
// (users/activity). eLeaP has no read of a whole target's progress.

// RecentCompletions reads users/recent_completions: the courses completed in
// the last 24 hours, by anyone; 4041 is none.
func (c *enrollmentClient) RecentCompletions(ctx context.Context) ([]lms.Completion, error) {
	dtos, err := c.api.recentCompletions(ctx)
	if err := ignoreNoData(err); err != nil {
		return nil, fmt.Errorf("read eLeaP recent completions: %w", err)
	}
	out := make([]lms.Completion, 0, len(dtos))
	for _, d := range dtos {
		out = append(out, lms.Completion{UserID: strings.TrimSpace(string(d.IDUser)), Email: lms.NormalizeEmail(string(d.Email)),
			CourseID: strings.TrimSpace(string(d.IDCourse)), CompletedAt: parseTime(string(d.Completed)), Score: d.Score.ptr()})
	}
	return out, nil
}

// TargetCourses returns the course itself, or a learning path's courses
// (learning_paths/assigned_courses; 4041 is none).
func (c *enrollmentClient) TargetCourses(ctx context.Context, t lms.Target) ([]string, error) {
	if _, err := section(t.Kind); err != nil {
		return nil, err
	}
	if t.Kind == lms.TargetCourse {
		return []string{t.ID}, nil
	}
	dtos, err := c.api.pathCourses(ctx, t.ID)
	if err := ignoreNoData(err); err != nil {
		return nil, fmt.Errorf("list the courses of eLeaP learning path %s: %w", t.ID, err)
	}
	ids := make([]string, 0, len(dtos))
	for _, ct := range toTargets(lms.TargetCourse, dtos) {
		ids = append(ids, ct.ID)
	}
	return ids, nil
}

// CourseProgress reads the user's status in the course with users/activity;
// 4041 (not assigned, no progress) is not started.
func (c *enrollmentClient) CourseProgress(ctx context.Context, course string, u lms.User) (lms.Progress, error) {
	p := lms.Progress{UserID: u.ID, Email: lms.NormalizeEmail(u.Email)}
	if u.ID == "" {
		return p, lms.NewError(lms.KindInvalidRequest, opName("users/activity"), "", msgNoUserID)
	}
	dtos, err := c.api.activity(ctx, u.ID, course)
	if err := ignoreNoData(err); err != nil {
		return p, fmt.Errorf("read the progress of eLeaP user %s in course %s: %w", u.ID, course, err)
	}
	got := fromActivity(dtos, course)
	got.UserID, got.Email = p.UserID, p.Email
	return got, nil
}

// TargetProgress is unsupported: eLeaP reads progress one user at a time.
func (c *enrollmentClient) TargetProgress(context.Context, lms.Target) ([]lms.Progress, error) {
	return nil, lms.NewError(lms.KindUnsupported, opEnrollments, "", "eLeaP has no read of a target's progress for all its learners")
}

// fromActivity reads the activity entry of the course (else the first).
// A course is completed when its status says so, its progress is 100 or it
// has a completion date.
func fromActivity(entries []activityDTO, course string) lms.Progress {
	if len(entries) == 0 {
		return lms.Progress{}
	}
	d := entries[0]
	for _, e := range entries {
		if strings.TrimSpace(string(e.IDCourse)) == course {
			d = e
			break
		}
	}
	p := lms.Progress{Percent: min(max(int(d.Progress), 0), 100), Score: d.Score.ptr()}
	at := parseTime(string(d.Completed))
	if completedStatus(string(d.Status)) || p.Percent == 100 || at != nil {
		p.Completed, p.Percent, p.CompletedAt = true, 100, at
	}
	return p
}

// completedStatus recognises a users/activity status meaning completed.
func completedStatus(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "completed", "complete", "passed", "finished":
		return true
	}
	return false
}
