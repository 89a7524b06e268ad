package eleap

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// Progress reads the users' progress in t as cheaply as eLeaP allows:
//
//   - users known complete are reported as known, with no call;
//   - otherwise one users/recent_completions call (courses completed in the
//     last 24 hours) for all users together;
//   - then users/activity (id, id_course) only for users not found there.
//
// users/activity needs a course id, so for a learning path Progress first
// reads the path's courses (one learning_paths/assigned_courses call) and
// then asks activity for each course a user has not completed recently:
// Percent is the mean of the courses' percents, Completed means every
// course is completed, CompletedAt is the latest completion, and Score is
// not reported. A path without courses reports 0 for everyone.
//
// On an error, the progress read so far is returned with it, in users' order.
func (c *enrollmentClient) Progress(ctx context.Context, t lms.Target, users []lms.User, known map[string]lms.Progress) ([]lms.Progress, error) {
	if _, err := section(t.Kind); err != nil {
		return nil, err
	}
	r := &progressReader{api: c.api, target: t}
	out := make([]lms.Progress, 0, len(users))
	for _, u := range users {
		if k, ok := known[u.ID]; ok && k.Completed && u.ID != "" {
			k.UserID = u.ID
			out = append(out, k)
			continue
		}
		p, err := r.read(ctx, u)
		if err != nil {
			return out, fmt.Errorf("read progress in eLeaP %s %s: %w", t.Kind, t.ID, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// A progressReader reads progress in one target, loading the recent
// completions (and a learning path's courses) on first use.
type progressReader struct {
	api     enrollmentsAPI
	target  lms.Target
	loaded  bool
	recent  map[string]completionDTO
	courses []string
}

// load reads the recent completions and the target's courses once.
func (r *progressReader) load(ctx context.Context) error {
	if r.loaded {
		return nil
	}
	recent, err := r.recentCompletions(ctx)
	if err != nil {
		return err
	}
	courses := []string{r.target.ID}
	if r.target.Kind == lms.TargetLearningPath {
		if courses, err = r.pathCourses(ctx); err != nil {
			return err
		}
	}
	r.recent, r.courses, r.loaded = recent, courses, true
	return nil
}

// recentCompletions reads users/recent_completions, keyed by user and course.
func (r *progressReader) recentCompletions(ctx context.Context) (map[string]completionDTO, error) {
	dtos, err := r.api.recentCompletions(ctx)
	if err := ignoreNoData(err); err != nil {
		return nil, err
	}
	out := make(map[string]completionDTO, 2*len(dtos))
	for _, d := range dtos {
		course := strings.TrimSpace(string(d.IDCourse))
		if id := strings.TrimSpace(string(d.IDUser)); id != "" {
			out[recentKey("id", id, course)] = d
		}
		if email := lms.NormalizeEmail(string(d.Email)); email != "" {
			out[recentKey("email", email, course)] = d
		}
	}
	return out, nil
}

// recentKey keys a recent completion by user (id or email) and course.
func recentKey(kind, user, course string) string { return kind + "\x00" + user + "\x00" + course }

// pathCourses reads the ids of a learning path's courses; 4041 is none.
func (r *progressReader) pathCourses(ctx context.Context) ([]string, error) {
	dtos, err := r.api.pathCourses(ctx, r.target.ID)
	if err := ignoreNoData(err); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(dtos))
	for _, t := range toTargets(lms.TargetCourse, dtos) {
		ids = append(ids, t.ID)
	}
	return ids, nil
}

// read returns one user's progress in the target, over its courses.
func (r *progressReader) read(ctx context.Context, u lms.User) (lms.Progress, error) {
	p := lms.Progress{UserID: u.ID, Email: lms.NormalizeEmail(u.Email)}
	if err := r.load(ctx); err != nil {
		return p, err
	}
	sum, done := 0, len(r.courses) > 0
	var last *time.Time
	for _, course := range r.courses {
		cp, err := r.course(ctx, u, course)
		if err != nil {
			return p, err
		}
		sum, done, last = sum+cp.Percent, done && cp.Completed, latest(last, cp.CompletedAt)
		if len(r.courses) == 1 && r.target.Kind == lms.TargetCourse {
			p.Score = cp.Score
		}
	}
	if len(r.courses) > 0 {
		p.Percent = sum / len(r.courses)
	}
	if done {
		p.Completed, p.Percent, p.CompletedAt = true, 100, last
	}
	return p, nil
}

// course returns a user's progress in one course: from the recent
// completions, else from users/activity (4041: not started).
func (r *progressReader) course(ctx context.Context, u lms.User, course string) (lms.Progress, error) {
	if d, ok := r.recentFor(u, course); ok {
		return lms.Progress{Percent: 100, Completed: true, CompletedAt: parseTime(string(d.Completed)), Score: d.Score.ptr()}, nil
	}
	if u.ID == "" {
		return lms.Progress{}, nil
	}
	dtos, err := r.api.activity(ctx, u.ID, course)
	if err := ignoreNoData(err); err != nil {
		return lms.Progress{}, err
	}
	return fromActivity(dtos, course), nil
}

// recentFor finds the user's recent completion of the course, by id or email.
func (r *progressReader) recentFor(u lms.User, course string) (completionDTO, bool) {
	if d, ok := r.recent[recentKey("id", u.ID, course)]; ok && u.ID != "" {
		return d, true
	}
	email := lms.NormalizeEmail(u.Email)
	d, ok := r.recent[recentKey("email", email, course)]
	return d, ok && email != ""
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

// latest returns the later of two optional times.
func latest(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.After(*a)) {
		return b
	}
	return a
}
