package controller

import (
	"context"
	"sort"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// progressRetry is how soon a progress read that failed for another reason
// than the request budget is tried again.
const progressRetry = 30 * time.Second

// A progressBook holds the progress read of every Enrollment, in memory.
// Status keeps at most 100 learners, so the book is what lets completed
// users of a large Enrollment go unasked, and a read cut short by the
// request budget resume where it stopped. After a restart it is rebuilt at
// the next read.
type progressBook struct {
	mu      sync.Mutex
	ledgers map[types.UID]*progressLedger
}

// A progressLedger is one Enrollment's progress, by user ID. A reconcile
// owns it while it runs: an Enrollment is never reconciled twice at once.
type progressLedger struct {
	target  string
	entries map[string]progressEntry
}

// A progressEntry is one user's progress and when it was read.
type progressEntry struct {
	p  lms.Progress
	at time.Time
}

func newProgressBook() *progressBook {
	return &progressBook{ledgers: map[types.UID]*progressLedger{}}
}

// get returns the Enrollment's ledger for target, if one is held.
func (b *progressBook) get(uid types.UID, target string) (*progressLedger, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	l, ok := b.ledgers[uid]
	return l, ok && l.target == target
}

// put stores the Enrollment's ledger.
func (b *progressBook) put(uid types.UID, l *progressLedger) {
	b.mu.Lock()
	b.ledgers[uid] = l
	b.mu.Unlock()
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

// assignedUsers returns the distinct users of the assigned subjects.
func assignedUsers(subjects []subjectProgress) []lms.User {
	seen := map[string]bool{}
	var out []lms.User
	for _, s := range subjects {
		if s.assigned && !seen[s.user.ID] {
			seen[s.user.ID] = true
			out = append(out, s.user)
		}
	}
	return out
}

// readProgress reads the assigned users' progress when it is due: once per
// sync interval (status.lastProgressTime, the oldest read), with the lowest
// budget priority so that it never crowds out writes. Users assigned since
// the last read show as not started until the next. It returns the ledger
// to summarise from (nil: keep the summary's progress as it is) and, when
// the read failed, an outcome whose message and requeueAfter say so; Ready
// stays True either way.
func (run *enrollmentRun) readProgress(ctx context.Context, t lms.Target, subjects []subjectProgress) (*progressLedger, *outcome) {
	if !run.caps.Progress {
		return nil, nil
	}
	key := string(t.Kind) + "/" + t.ID
	led, live := run.progress.get(run.e.UID, key)
	if !run.progressDue() {
		return led, nil // nil after a restart: the status is less than an interval old
	}
	if !live {
		led = run.seedLedger(key, subjects)
		run.progress.put(run.e.UID, led)
	}
	users := assignedUsers(subjects)
	led.prune(users)
	stale := run.staleUsers(led, users)
	if len(stale) == 0 {
		return led, nil
	}
	res, err := run.conn.Client.Enrollments().Progress(lms.WithPriority(ctx, lms.PriorityProgress), t, stale, completedKnown(led))
	run.recordProgress(led, stale, res, err == nil)
	run.recordProgressTime(led, users)
	if err != nil {
		return led, run.progressFailed(err)
	}
	return led, nil
}

// prune forgets the users that are no longer assigned subjects.
func (l *progressLedger) prune(users []lms.User) {
	keep := make(map[string]bool, len(users))
	for _, u := range users {
		keep[u.ID] = true
	}
	for id := range l.entries {
		if !keep[id] {
			delete(l.entries, id)
		}
	}
}

// progressDue reports whether status.lastProgressTime is older than the sync interval.
func (run *enrollmentRun) progressDue() bool {
	last := run.e.Status.LastProgressTime
	return last == nil || run.now.Sub(last.Time) >= run.interval
}

// seedLedger starts a ledger from status.learners: their completions are
// known and not asked again.
func (run *enrollmentRun) seedLedger(key string, subjects []subjectProgress) *progressLedger {
	led := &progressLedger{target: key, entries: map[string]progressEntry{}}
	ids := map[string]string{}
	for _, s := range subjects {
		ids[s.name] = s.user.ID
	}
	for _, lp := range run.e.Status.Learners {
		id := ids[lp.Name]
		if id == "" || lp.CompletedTime == nil {
			continue
		}
		at := lp.CompletedTime.Time
		p := lms.Progress{UserID: id, Percent: 100, Completed: true, CompletedAt: &at}
		if f, err := strconv.ParseFloat(lp.Score, 64); err == nil {
			p.Score = &f
		}
		led.entries[id] = progressEntry{p: p}
	}
	return led
}

// staleUsers returns the users whose progress was never read or was read
// a sync interval ago or more.
func (run *enrollmentRun) staleUsers(led *progressLedger, users []lms.User) []lms.User {
	var out []lms.User
	for _, u := range users {
		e, ok := led.entries[u.ID]
		if !ok || run.now.Sub(e.at) >= run.interval {
			out = append(out, u)
		}
	}
	return out
}

// completedKnown returns the completions in the ledger, by user ID.
func completedKnown(led *progressLedger) map[string]lms.Progress {
	out := map[string]lms.Progress{}
	for id, e := range led.entries {
		if e.p.Completed {
			out[id] = e.p
		}
	}
	return out
}

// recordProgress stores what was read. After a complete read, users the
// vendor reported nothing for have not started.
func (run *enrollmentRun) recordProgress(led *progressLedger, asked []lms.User, res []lms.Progress, complete bool) {
	got := map[string]bool{}
	for _, p := range res {
		if p.UserID != "" {
			led.entries[p.UserID] = progressEntry{p: p, at: run.now}
			got[p.UserID] = true
		}
	}
	if !complete {
		return
	}
	for _, u := range asked {
		if !got[u.ID] {
			led.entries[u.ID] = progressEntry{p: lms.Progress{UserID: u.ID}, at: run.now}
		}
	}
}

// recordProgressTime sets status.lastProgressTime to the oldest read of
// the assigned users' progress, once every one was read.
func (run *enrollmentRun) recordProgressTime(led *progressLedger, users []lms.User) {
	if len(users) == 0 {
		return
	}
	oldest := run.now
	for _, u := range users {
		e, ok := led.entries[u.ID]
		if !ok || e.at.IsZero() {
			return
		}
		if e.at.Before(oldest) {
			oldest = e.at
		}
	}
	t := metav1.NewTime(oldest.Truncate(time.Second))
	run.e.Status.LastProgressTime = &t
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

// summarize fills status.summary and status.learners: every subject is
// counted, at most MaxLearnerProgressEntries are listed (those not
// completed first, then by name), and the rest counted in learnersOmitted.
// A nil ledger keeps the progress counts and the list as they are.
func (run *enrollmentRun) summarize(subjects []subjectProgress, led *progressLedger) {
	sum := &run.e.Status.Summary
	sum.Subjects, sum.Assigned = int32(len(subjects)), 0
	for _, s := range subjects {
		if s.assigned {
			sum.Assigned++
		}
	}
	if !run.caps.Progress {
		sum.NotStarted, sum.InProgress, sum.Completed = 0, 0, 0
		run.e.Status.Learners, run.e.Status.LearnersOmitted = nil, 0
		return
	}
	if led == nil {
		return
	}
	list := run.progressEntries(subjects, led, sum)
	sort.SliceStable(list, func(i, j int) bool {
		ci, cj := list[i].CompletedTime != nil || list[i].Percent == 100, list[j].CompletedTime != nil || list[j].Percent == 100
		if ci != cj {
			return !ci
		}
		return list[i].Name < list[j].Name
	})
	run.e.Status.LearnersOmitted = 0
	if len(list) > v1alpha1.MaxLearnerProgressEntries {
		run.e.Status.LearnersOmitted = int32(len(list) - v1alpha1.MaxLearnerProgressEntries)
		list = list[:v1alpha1.MaxLearnerProgressEntries]
	}
	run.e.Status.Learners = list
}

// progressEntries returns every subject's progress entry and counts the
// assigned ones by progress.
func (run *enrollmentRun) progressEntries(subjects []subjectProgress, led *progressLedger, sum *v1alpha1.EnrollmentSummary) []v1alpha1.LearnerProgress {
	sum.NotStarted, sum.InProgress, sum.Completed = 0, 0, 0
	list := make([]v1alpha1.LearnerProgress, 0, len(subjects))
	for _, s := range subjects {
		var p lms.Progress
		if s.user.ID != "" {
			p = led.entries[s.user.ID].p
		}
		if s.assigned {
			switch {
			case p.Completed:
				sum.Completed++
			case p.Percent > 0:
				sum.InProgress++
			default:
				sum.NotStarted++
			}
		}
		list = append(list, learnerProgress(s.name, p))
	}
	return list
}

// learnerProgress converts one user's progress for status.
func learnerProgress(name string, p lms.Progress) v1alpha1.LearnerProgress {
	lp := v1alpha1.LearnerProgress{Name: name, Percent: int32(min(max(p.Percent, 0), 100))}
	if p.Completed {
		lp.Percent = 100
		if p.CompletedAt != nil {
			t := metav1.NewTime(p.CompletedAt.UTC().Truncate(time.Second))
			lp.CompletedTime = &t
		}
	}
	if p.Score != nil {
		lp.Score = strconv.FormatFloat(*p.Score, 'f', -1, 64)
	}
	return lp
}
