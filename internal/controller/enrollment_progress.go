package controller

import (
	"context"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// Progress reads: the cheap ones once per sync interval, the dear ones (one
// learner at a time) at most once per refresh interval per learner.
const (
	// progressRetry is how soon a progress read that failed for another
	// reason than the request budget is tried again.
	progressRetry = 30 * time.Second
	// defaultRefreshInterval is spec.progress.refreshInterval's default.
	defaultRefreshInterval = 24 * time.Hour
	// maxLearnerReads bounds the learners read in one reconcile, so that a
	// backlog never holds a worker for long.
	maxLearnerReads = 100
	// recentCompletionsKey is the key of the recent completions in the
	// connection's Completions cache.
	recentCompletionsKey = "recent"
)

// A progressBook holds the progress read of every Enrollment, in memory.
// Status keeps at most 100 learners (and the ids of those who completed),
// so the book is what spreads the reads of the others over the refresh
// interval. After a restart it is rebuilt from status and the next reads.
type progressBook struct {
	mu      sync.Mutex
	ledgers map[types.UID]*progressLedger
}

// A progressLedger is one Enrollment's progress in one target, by user ID.
// A reconcile owns it while it runs: an Enrollment is never reconciled twice
// at once.
type progressLedger struct {
	target  string
	entries map[string]*progressEntry
	// bulkAt is when the target's cheap read (recent completions, or its
	// whole progress) was last applied.
	bulkAt time.Time
}

// A progressEntry is one user's progress, and when it is next due for a read
// of its own.
type progressEntry struct {
	p lms.Progress
	// due is when the user's progress is next read one learner at a time;
	// read tells whether it was read once already.
	due  time.Time
	read bool
	// known tells that the progress was read (or is known from status to be
	// complete or overdue): only a known learner can be overdue, so that one
	// not read yet is not reported overdue on a guess.
	known bool
	// courses are the courses of the target the user completed (a learning
	// path is completed with all its courses), with when.
	courses map[string]*time.Time
}

func newProgressBook() *progressBook {
	return &progressBook{ledgers: map[types.UID]*progressLedger{}}
}

// ledger returns the Enrollment's ledger for target, a new one when none is
// held or the target changed.
func (b *progressBook) ledger(uid types.UID, target string) *progressLedger {
	b.mu.Lock()
	defer b.mu.Unlock()
	l, ok := b.ledgers[uid]
	if !ok || l.target != target {
		l = &progressLedger{target: target, entries: map[string]*progressEntry{}}
		b.ledgers[uid] = l
	}
	return l
}

// forget drops the Enrollment's ledger.
func (b *progressBook) forget(uid types.UID) {
	b.mu.Lock()
	delete(b.ledgers, uid)
	b.mu.Unlock()
}

// subjectProgress is one subject as the summary sees it.
type subjectProgress struct {
	name     string
	user     lms.User
	assigned bool
}

// subjectList returns every subject, sorted by name, with whether the LMS
// has it assigned (directly, or through an assigned group).
func subjectList(s *enrollmentSubjects, st *assignState) []subjectProgress {
	out := make([]subjectProgress, 0, s.count())
	for name, u := range s.direct {
		out = append(out, subjectProgress{name: name, user: u, assigned: u.ID != "" && st.users.Has(u.ID)})
	}
	for name, m := range s.members {
		reached := false
		for _, g := range m.groupIDs {
			reached = reached || st.groups.Has(g)
		}
		out = append(out, subjectProgress{name: name, user: m.user, assigned: m.user.ID != "" && reached})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// assignedUsers returns the distinct users of the assigned subjects, by ID.
func assignedUsers(subjects []subjectProgress) map[string]lms.User {
	out := map[string]lms.User{}
	for _, s := range subjects {
		if s.assigned {
			out[s.user.ID] = s.user
		}
	}
	return out
}

// readProgress brings the ledger of the assigned users up to date: the
// cheap read once per sync interval (the account's recent completions, or
// the target's whole progress), then the learners due for a read of their
// own, oldest first, at the lowest budget priority, within the progress
// share of the budget. It returns the ledger to summarise from and, when a
// read failed, an outcome whose message and requeueAfter say so; Ready stays
// True either way.
func (run *enrollmentRun) readProgress(ctx context.Context, t lms.Target, subjects []subjectProgress) (*progressLedger, *outcome) {
	if !run.caps.Progress {
		return nil, nil
	}
	led := run.progress.ledger(run.e.UID, string(t.Kind)+"/"+t.ID)
	users := assignedUsers(subjects)
	run.track(led, users, subjects)
	note := run.bulkProgress(ctx, t, led, users)
	if note == nil && !run.caps.TargetProgress {
		note = run.learnerProgress(ctx, t, led, users)
	}
	run.e.Status.CompletedUserIDs = led.completed()
	if !led.bulkAt.IsZero() {
		at := metav1.NewTime(led.bulkAt.Truncate(time.Second))
		run.e.Status.LastProgressTime = &at
	}
	return led, note
}

// refreshInterval is spec.progress.refreshInterval, or its default.
func (run *enrollmentRun) refreshInterval() time.Duration {
	if p := run.e.Spec.Progress; p != nil && p.RefreshInterval != nil && p.RefreshInterval.Duration > 0 {
		return p.RefreshInterval.Duration
	}
	return defaultRefreshInterval
}

// track forgets the users no longer assigned and starts an entry for each
// new one: known complete when status says so, else due for its first read
// now (the progress share of the budget paces a large Enrollment's).
func (run *enrollmentRun) track(led *progressLedger, users map[string]lms.User, subjects []subjectProgress) {
	for id := range led.entries {
		if _, ok := users[id]; !ok {
			delete(led.entries, id)
		}
	}
	completed := sets.New(run.e.Status.CompletedUserIDs...)
	overdue := sets.New(run.e.Status.OverdueUserIDs...)
	seeded := run.seededProgress(subjects)
	for id := range users {
		if _, ok := led.entries[id]; ok {
			continue
		}
		e := &progressEntry{p: lms.Progress{UserID: id}, due: run.now}
		if p, ok := seeded[id]; ok {
			e.p = p
		}
		if completed.Has(id) {
			e.p.Completed, e.p.Percent = true, 100
		}
		e.known = completed.Has(id) || overdue.Has(id)
		led.entries[id] = e
	}
}

// seededProgress returns the progress status.learners records, by user ID.
func (run *enrollmentRun) seededProgress(subjects []subjectProgress) map[string]lms.Progress {
	out := map[string]lms.Progress{}
	byName := make(map[string]string, len(subjects))
	for _, s := range subjects {
		byName[s.name] = s.user.ID
	}
	for _, lp := range run.e.Status.Learners {
		id := byName[lp.Name]
		if id == "" {
			continue
		}
		p := lms.Progress{UserID: id, Percent: int(lp.Percent), Completed: lp.CompletedTime != nil}
		if lp.CompletedTime != nil {
			at := lp.CompletedTime.Time
			p.CompletedAt = &at
		}
		if f, err := strconv.ParseFloat(lp.Score, 64); err == nil {
			p.Score = &f
		}
		out[id] = p
	}
	return out
}

// bulkProgress applies the cheap read of the target's progress, once per
// sync interval.
func (run *enrollmentRun) bulkProgress(ctx context.Context, t lms.Target, led *progressLedger, users map[string]lms.User) *outcome {
	if run.caps.TargetProgress {
		enr := run.conn.Client.Enrollments()
		if _, err := run.readView(ctx, usersView(t), func(ctx context.Context) ([]string, error) { return enr.AssignedUsers(ctx, t) }); err != nil {
			return run.progressFailed(err)
		}
	}
	if !run.bulkDue(t, led) {
		return nil
	}
	var err error
	if run.caps.TargetProgress {
		err = run.wholeProgress(ctx, t, led, users)
	} else {
		err = run.recentCompletions(ctx, t, led)
	}
	if lms.IsReadContinues(err) { // a spread read goes on: progress stays as last read
		return nil
	}
	if err != nil {
		return run.progressFailed(err)
	}
	led.bulkAt = run.now
	return nil
}

// bulkDue reports whether the target's cheap read of progress is due: once
// per sync interval. Where one read answers both the target's progress and
// its assigned users (Capabilities.TargetProgress: Enabley's performance
// pages), it is due when this reconcile read the assigned users' view (once
// per interval; the reconcile's memo holds the pages), so that the pages are
// read once per interval, not for the view and again, a little later, for
// progress; and when it was never read.
func (run *enrollmentRun) bulkDue(t lms.Target, led *progressLedger) bool {
	switch {
	case led.bulkAt.IsZero():
		return true
	case run.caps.TargetProgress:
		return run.readNow.Has(usersView(t))
	}
	return run.now.Sub(led.bulkAt) >= run.interval
}

// wholeProgress reads every learner's progress in t at once (Enabley): a
// learner missing from it has not started. The Enrollment's first read of
// it is whole, even while a read spread over intervals goes on.
func (run *enrollmentRun) wholeProgress(ctx context.Context, t lms.Target, led *progressLedger, users map[string]lms.User) error {
	ctx = lms.WithPriority(ctx, lms.PriorityRead)
	items, err := run.conn.Client.Enrollments().TargetProgress(ctx, t)
	if lms.IsReadContinues(err) && led.bulkAt.IsZero() {
		items, err = run.conn.Client.Enrollments().TargetProgress(lms.WithPageLimit(ctx, 0), t)
	}
	if err != nil {
		return err
	}
	got := make(map[string]lms.Progress, len(items))
	for _, p := range items {
		got[p.UserID] = p
	}
	for id, e := range led.entries {
		if p, ok := got[id]; ok {
			e.p = p
		} else if !e.p.Completed {
			e.p = lms.Progress{UserID: id, Email: users[id].Email}
		}
		e.known = true
	}
	return nil
}

// recentCompletions applies the account's recent completions (eLeaP, one
// read per connection and interval) of t's courses.
func (run *enrollmentRun) recentCompletions(ctx context.Context, t lms.Target, led *progressLedger) error {
	courses, err := run.targetCourses(ctx, t)
	if err != nil {
		return err
	}
	enr := run.conn.Client.Enrollments()
	recent, err := run.conn.Completions.Get(lms.WithPriority(ctx, lms.PriorityRead), recentCompletionsKey, run.interval,
		func(ctx context.Context) ([]lms.Completion, error) { return enr.RecentCompletions(ctx) })
	if err != nil {
		return err
	}
	for _, c := range recent {
		if e, ok := led.entries[c.UserID]; ok && slices.Contains(courses, c.CourseID) {
			e.completedCourse(c.CourseID, c.CompletedAt, c.Score, courses)
		}
	}
	return nil
}

// targetCourses returns the ids of t's courses, cached for a sync interval.
func (run *enrollmentRun) targetCourses(ctx context.Context, t lms.Target) ([]string, error) {
	enr := run.conn.Client.Enrollments()
	ids, _, err := run.conn.Views.Get(lms.WithPriority(ctx, lms.PriorityRead), "courses:"+string(t.Kind)+"/"+t.ID, run.interval,
		func(ctx context.Context) ([]string, error) { return enr.TargetCourses(ctx, t) })
	if err != nil {
		return nil, err
	}
	return sets.List(ids), nil
}

// completedCourse records that the user completed course at (with score), and
// the whole target once every one of its courses is.
func (e *progressEntry) completedCourse(course string, at *time.Time, score *float64, courses []string) {
	if e.courses == nil {
		e.courses = map[string]*time.Time{}
	}
	e.courses[course] = at
	if e.p.Completed || len(e.courses) < len(courses) {
		return
	}
	var last *time.Time
	for _, c := range courses {
		if t := e.courses[c]; t != nil && (last == nil || t.After(*last)) {
			last = t
		}
	}
	e.p.Completed, e.p.Percent, e.p.CompletedAt = true, 100, last
	if len(courses) == 1 {
		e.p.Score = score
	}
}

// learnerProgress reads, one learner at a time (eLeaP), the users not known
// complete whose read is due, oldest first, at most maxLearnerReads of them;
// a learner's read takes the tokens of its courses together at the progress
// priority. When the budget has no token (the progress share is spent), the
// rest wait for a later reconcile.
func (run *enrollmentRun) learnerProgress(ctx context.Context, t lms.Target, led *progressLedger, users map[string]lms.User) *outcome {
	due := led.dueAt(run.now)
	if len(due) == 0 {
		return nil
	}
	courses, err := run.targetCourses(ctx, t)
	if err != nil {
		return run.progressFailed(err)
	}
	for _, id := range due[:min(len(due), maxLearnerReads)] {
		e := led.entries[id]
		todo := e.pendingCourses(courses)
		o := spend(ctx, run.conn, max(len(todo), 1), lms.PriorityProgress, func(ctx context.Context) *outcome {
			return run.readLearner(ctx, e, users[id], todo, courses)
		})
		if o != nil {
			return o.progressNote()
		}
		e.due = run.now.Add(nextRead(run.refreshInterval(), e.read))
		e.read, e.known = true, true
	}
	return nil
}

// nextRead is how long until a learner's next read of its own: the refresh
// interval, but after the first read a random part of it, so that the reads
// of learners first read together are spread over the interval after.
func nextRead(refresh time.Duration, readBefore bool) time.Duration {
	if readBefore {
		return refresh
	}
	return time.Duration(rand.Int64N(int64(refresh))) + 1
}

// readLearner reads one learner's progress in each of todo, t's courses it
// has not completed: a course's percent, a learning path's mean over its
// courses.
func (run *enrollmentRun) readLearner(ctx context.Context, e *progressEntry, u lms.User, todo, courses []string) *outcome {
	enr := run.conn.Client.Enrollments()
	percents := 0
	for _, c := range todo {
		p, err := enr.CourseProgress(ctx, c, u)
		if err != nil {
			return run.progressFailed(err)
		}
		if p.Completed {
			e.completedCourse(c, p.CompletedAt, p.Score, courses)
		} else {
			percents += p.Percent
		}
		if len(courses) == 1 {
			e.p.Score = p.Score
		}
	}
	if !e.p.Completed && len(courses) > 0 {
		done := len(courses) - len(e.pendingCourses(courses))
		e.p.Percent = min((100*done+percents)/len(courses), 99)
	}
	return nil
}

// pendingCourses returns the courses of the target the user has not completed.
func (e *progressEntry) pendingCourses(courses []string) []string {
	var out []string
	for _, c := range courses {
		if _, done := e.courses[c]; !done {
			out = append(out, c)
		}
	}
	return out
}

// dueAt returns the users not known complete whose read is due at now,
// oldest due first.
func (l *progressLedger) dueAt(now time.Time) []string {
	var out []string
	for id, e := range l.entries {
		if !e.p.Completed && !e.due.After(now) {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return l.entries[out[i]].due.Before(l.entries[out[j]].due) })
	return out
}

// nextDue is when the next learner's read of its own is due; zero when none is.
func (l *progressLedger) nextDue() time.Time {
	var next time.Time
	for _, e := range l.entries {
		if !e.p.Completed && (next.IsZero() || e.due.Before(next)) {
			next = e.due
		}
	}
	return next
}

// completed returns the ids of the users known complete, sorted; nil when none.
func (l *progressLedger) completed() []string {
	var out []string
	for id, e := range l.entries {
		if e.p.Completed {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// progressFailed is the note of a failed progress read: retried when the
// budget allows, without touching Ready.
func (run *enrollmentRun) progressFailed(err error) *outcome {
	after := progressRetry
	if d, ok := lms.RetryAfter(err); ok && lms.IsRateLimited(err) {
		after = max(d, time.Second)
	} else {
		run.event(corev1.EventTypeWarning, v1alpha1.EventProgressNotRead, actionProgress, "Failed to read progress: %s", lms.Message(err))
	}
	return &outcome{message: "progress read in part (" + lms.Message(err) + "); resuming in " + after.String(),
		requeueAfter: min(after, run.interval)}
}

// progressNote turns the wait of a progress read for the budget into the
// note of the Enrollment's message: Ready stays True.
func (o *outcome) progressNote() *outcome {
	if o.err != nil || o.stalled || o.message == "" {
		return o
	}
	return &outcome{message: "progress read in part (" + o.message + "); resuming in " + o.requeueAfter.String(),
		requeueAfter: o.requeueAfter}
}
