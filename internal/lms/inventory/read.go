package inventory

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// Bounds of reading.
const (
	// FirstRetry is the wait after a read that failed once; it doubles with
	// each failure in a row, up to the maxAge of the last Refresh.
	FirstRetry = time.Second
	// defaultMaxRetry bounds the wait when no Refresh gave a maxAge yet.
	defaultMaxRetry = 10 * time.Minute
	// maxPages bounds a paged read, against a vendor whose paging never ends.
	maxPages = 100000
)

// A Source is what an Inventory reads users from: every lms.UserClient is
// one. A Source that is also an lms.PagedLister is read page by page, and
// a read that fails on a page resumes at that page on the next attempt.
type Source interface {
	// List reads every user (all pages).
	List(ctx context.Context) ([]lms.User, error)
}

// A Lister is a function that reads every user, as a Source.
type Lister func(ctx context.Context) ([]lms.User, error)

// List calls f.
func (f Lister) List(ctx context.Context) ([]lms.User, error) { return f(ctx) }

// A BackoffError is returned, without reading, while the last read failed
// and the next attempt is not due: concurrent callers do not each repeat a
// list that fails.
type BackoffError struct {
	// Err is the last read's error.
	Err error
	// RetryAt is when the next attempt is due.
	RetryAt time.Time
}

// Error implements error.
func (e *BackoffError) Error() string {
	return fmt.Sprintf("%v (next attempt at %s)", e.Err, e.RetryAt.Format(time.RFC3339))
}

// Unwrap returns the last read's error.
func (e *BackoffError) Unwrap() error { return e.Err }

// EnsureLoaded reads a snapshot if none was ever read. Concurrent callers
// share the one read.
func (inv *Inventory) EnsureLoaded(ctx context.Context, src Source) error {
	if ok, _ := inv.Loaded(); ok {
		return nil
	}
	_, err := inv.refresh(ctx, src, 0)
	return err
}

// Refresh reads a new snapshot when the current one is older than maxAge,
// and returns the users that changed. A refresh already done by a concurrent
// caller within maxAge is not repeated. After a failed read, the next one is
// due after FirstRetry, doubling with each failure up to maxAge; until then
// Refresh returns a *BackoffError without reading.
//
// With a page limit in ctx (lms.WithPageLimit) and a snapshot to keep
// serving, a paged read sends at most that many pages per call; one that
// stops with pages left is kept (no error, no changes: the snapshot stays
// the last complete one) and goes on where it stopped once maxAge has passed
// since that slice, whatever the read's age.
func (inv *Inventory) Refresh(ctx context.Context, src Source, maxAge time.Duration) ([]Change, error) {
	return inv.refresh(ctx, src, maxAge)
}

// refresh reads a new snapshot (or the next slice of a spread read) when it
// is due, unless the last failure's wait is not over.
func (inv *Inventory) refresh(ctx context.Context, src Source, maxAge time.Duration) ([]Change, error) {
	inv.loadMu.Lock()
	defer inv.loadMu.Unlock()
	if !inv.due(ctx, maxAge) {
		return nil, nil
	}
	return inv.load(ctx, src, maxAge)
}

// due reports whether a refresh with maxAge (0: only when never read) reads:
// never read; or, for a spread read kept and a page limit in ctx, maxAge
// passed since its last slice or its last attempt failed (waiting decides
// when it goes again); or else the snapshot is older than maxAge. The caller
// holds loadMu.
func (inv *Inventory) due(ctx context.Context, maxAge time.Duration) bool {
	inv.mu.RLock()
	loaded, at, failing := inv.users != nil, inv.loadedAt, inv.health.failures > 0
	inv.mu.RUnlock()
	switch {
	case !loaded:
		return true
	case maxAge == 0:
		return false
	case inv.paged != nil && inv.paged.spread && lms.PageLimit(ctx) > 0:
		return failing || inv.clock.Since(inv.paged.sliceAt) >= maxAge
	}
	return inv.clock.Since(at) >= maxAge
}

// refreshAfter reads a new snapshot unless one was read after since (by a
// concurrent caller) or the last failure's wait is not over.
func (inv *Inventory) refreshAfter(ctx context.Context, src Source, since time.Time) ([]Change, error) {
	inv.loadMu.Lock()
	defer inv.loadMu.Unlock()
	if ok, at := inv.Loaded(); ok && at.After(since) {
		return nil, nil
	}
	return inv.load(ctx, src, 0)
}

// load reads the users and replaces the snapshot, unless the last failure's
// wait is not over; inv.loadMu is held.
func (inv *Inventory) load(ctx context.Context, src Source, maxAge time.Duration) ([]Change, error) {
	if err := inv.waiting(maxAge); err != nil {
		return nil, err
	}
	started := inv.clock.Now()
	inv.startLoading()
	users, skipped, err := inv.read(ctx, src, maxAge)
	if errors.Is(err, errSliceRead) { // a spread read goes on at its next turn
		inv.sliced()
		return nil, nil
	}
	if err != nil {
		inv.failed(err)
		return nil, err
	}
	inv.succeeded(skipped)
	return inv.replace(users, started), nil
}

// read reads every user from src, page by page when it pages.
func (inv *Inventory) read(ctx context.Context, src Source, maxAge time.Duration) (map[string]*lms.User, []lms.SkippedRecord, error) {
	if p, ok := src.(lms.PagedLister); ok {
		return inv.readPages(ctx, p, maxAge)
	}
	list, err := src.List(ctx)
	if err != nil {
		return nil, nil, err
	}
	users := make(map[string]*lms.User, len(list))
	for i := range list {
		u := list[i]
		users[u.ID] = &u
	}
	return users, nil, nil
}

// errSliceRead stops a spread read that sent its page limit with pages left.
var errSliceRead = errors.New("the page limit of this slice is reached")

// readPages reads the pages of p from the first, or from the page a kept
// read stopped at: a spread read (under the page limit of ctx) whatever its
// age, a failed one when it began less than maxAge ago. A page that fails
// (but for a refused cursor) keeps the pages read before it for the next
// attempt. With a page limit and a snapshot, it sends at most that many
// pages and keeps the read (errSliceRead) when pages are left; a kept
// cursor the vendor refuses starts the read over, whole, so that a vendor
// whose cursors do not outlive an interval still completes every read.
func (inv *Inventory) readPages(ctx context.Context, p lms.PagedLister, maxAge time.Duration) (map[string]*lms.User, []lms.SkippedRecord, error) {
	limit := inv.pageLimit(ctx)
	r := inv.resumable(maxAge, limit > 0)
	resumed, sent := r.pages > 0, 0
	for r.pages < maxPages {
		if limit > 0 && sent >= limit && !r.whole {
			r.spread, r.sliceAt = true, inv.clock.Now()
			inv.keep(r)
			return nil, nil, errSliceRead
		}
		page, err := p.ListPage(ctx, r.cursor)
		sent++
		if err != nil && resumed && refused(err) { // the kept cursor expired: start over at once, whole
			r, resumed = inv.restart(), false
			r.whole = true
			continue
		}
		resumed = false
		if err != nil {
			inv.keep(resumeAfter(r, err))
			return nil, nil, fmt.Errorf("page %d: %w", r.pages+1, err)
		}
		if err := r.add(page); err != nil {
			inv.keep(nil)
			return nil, nil, err
		}
		if page.Next == "" {
			inv.keep(nil)
			return r.users, r.skipped, nil
		}
	}
	inv.keep(nil)
	return nil, nil, lms.NewError(lms.KindTransient, "list users", "", fmt.Sprintf("more than %d pages", maxPages))
}

// pageLimit is the most pages this read may send: the limit of ctx once a
// snapshot exists (the first read is whole), else none. The caller holds
// loadMu.
func (inv *Inventory) pageLimit(ctx context.Context) int {
	if ok, _ := inv.Loaded(); !ok {
		return 0
	}
	return lms.PageLimit(ctx)
}

// resumable returns the read to go on with: the one kept, if it is a
// spread read and this one is limited too, or if it began less than maxAge
// ago (any, when maxAge is 0); else a new one. The caller holds loadMu.
func (inv *Inventory) resumable(maxAge time.Duration, limited bool) *pagedRead {
	r := inv.paged
	switch {
	case r == nil:
		return newPagedRead(inv.clock.Now())
	case limited && r.spread, maxAge == 0, inv.clock.Since(r.started) < maxAge:
		return r
	}
	return inv.restart() // too old to resume
}

// newPagedRead returns an empty read begun at now.
func newPagedRead(now time.Time) *pagedRead {
	return &pagedRead{started: now, users: map[string]*lms.User{}, cursors: map[string]bool{}}
}

// restart drops the kept read and returns a new one; the writes kept for
// the old one are older than the new read. The caller holds loadMu.
func (inv *Inventory) restart() *pagedRead {
	inv.keep(nil)
	inv.stopLoading()
	inv.startLoading()
	return newPagedRead(inv.clock.Now())
}

// keep records r as the read to resume (nil: none). The caller holds loadMu.
func (inv *Inventory) keep(r *pagedRead) {
	inv.paged = r
	pages, spread, at := 0, false, time.Time{}
	if r != nil {
		pages, spread, at = r.pages, r.spread, r.sliceAt
	}
	inv.mu.Lock()
	inv.health.pagesKept, inv.health.spread, inv.health.sliceAt = pages, spread, at
	inv.mu.Unlock()
}

// resumeAfter returns r, to resume after a page that failed with err, or
// nil when the next read must start over: the vendor refused the page
// itself, which asking again would not change.
func resumeAfter(r *pagedRead, err error) *pagedRead {
	if refused(err) {
		return nil
	}
	return r
}

// refused reports whether err refuses a page for good: an expired or
// unknown cursor answers NotFound or InvalidRequest.
func refused(err error) bool { return lms.IsTerminal(err) || lms.IsNotFound(err) }

// A pagedRead is a paged read in progress: the users of the pages read so
// far, and the cursor of the next page.
type pagedRead struct {
	started time.Time
	// spread is set once the read stopped at the page limit; sliceAt is
	// when it did, last.
	spread  bool
	sliceAt time.Time
	// whole is set on a read started over after a refused cursor: it is
	// not cut into slices.
	whole   bool
	users   map[string]*lms.User
	skipped []lms.SkippedRecord
	cursor  string
	pages   int
	// cursors are the cursors seen: one that comes back means the vendor's
	// paging does not end.
	cursors map[string]bool
}

// add records page and moves the cursor on. A cursor that comes back, or a
// full page whose users were all on earlier pages (a vendor that ignores
// the page asked for), means that the vendor's paging does not end.
func (r *pagedRead) add(page lms.UserPage) error {
	fresh := 0
	for i := range page.Users {
		u := page.Users[i]
		if _, seen := r.users[u.ID]; !seen {
			fresh++
		}
		r.users[u.ID] = &u
	}
	r.skipped = append(r.skipped, page.Skipped...)
	r.pages++
	if page.Next != "" && (r.cursors[page.Next] || (fresh == 0 && len(page.Users) > 0)) {
		return lms.NewError(lms.KindTransient, "list users", "",
			fmt.Sprintf("page %d repeats an earlier page: the vendor's paging does not end", r.pages))
	}
	r.cursors[page.Next], r.cursor = true, page.Next
	return nil
}

// health is how an inventory's reads go. It is guarded by Inventory.mu.
type health struct {
	failures  int
	lastErr   error
	retryAt   time.Time
	maxRetry  time.Duration
	pagesKept int
	// spread is set while a spread read is kept; sliceAt is when it read
	// its last slice.
	spread  bool
	sliceAt time.Time
	skipped []lms.SkippedRecord
}

// waiting returns a *BackoffError while the last failure's wait is not
// over, and records maxAge (when set) as the longest wait.
func (inv *Inventory) waiting(maxAge time.Duration) error {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if maxAge > 0 {
		inv.health.maxRetry = maxAge
	}
	h := inv.health
	if h.failures > 0 && inv.clock.Now().Before(h.retryAt) {
		return &BackoffError{Err: h.lastErr, RetryAt: h.retryAt}
	}
	return nil
}

// failed records a failed read. A wait for the request budget or for the
// vendor's rate limit is not a failure: it neither counts nor delays.
func (inv *Inventory) failed(err error) {
	if inv.paged == nil {
		inv.stopLoading()
	}
	if lms.IsRateLimited(err) {
		return
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	h := &inv.health
	h.failures++
	h.lastErr = err
	h.retryAt = inv.clock.Now().Add(retryDelay(h.failures, h.maxRetry))
}

// retryDelay is the wait after failures reads failed in a row: FirstRetry,
// doubling, up to max (defaultMaxRetry when 0).
func retryDelay(failures int, max time.Duration) time.Duration {
	if max <= 0 {
		max = defaultMaxRetry
	}
	d := FirstRetry
	for i := 1; i < failures && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// sliced records a slice of a spread read: the reads go well, but the
// records skipped are still those of the last complete read.
func (inv *Inventory) sliced() {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.health.failures, inv.health.lastErr, inv.health.retryAt = 0, nil, time.Time{}
}

// succeeded records a complete read that skipped the given records.
func (inv *Inventory) succeeded(skipped []lms.SkippedRecord) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.health = health{maxRetry: inv.health.maxRetry, skipped: skipped}
}

// Retry lets the next read go at once, whatever the failures before it:
// for a connection whose credentials or settings changed.
func (inv *Inventory) Retry() {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.health.failures, inv.health.retryAt = 0, time.Time{}
}

// A State is how an inventory's reads go, for status.
type State struct {
	// Failures counts the reads that failed in a row; Err is the last one's
	// error and RetryAt when the next is due. Zero after a complete read.
	Failures int
	Err      error
	RetryAt  time.Time
	// PagesKept is how many pages of a paged read are kept, to resume at
	// the page that failed or, for a spread read, where the last slice
	// stopped.
	PagesKept int
	// Spreading is set while a read spread over sync intervals (a page
	// limit) is under way; SliceAt is when it read its last slice.
	Spreading bool
	SliceAt   time.Time
	// Skipped are the records the last complete read left out.
	Skipped []lms.SkippedRecord
}

// State returns how the reads go.
func (inv *Inventory) State() State {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	h := inv.health
	return State{Failures: h.failures, Err: h.lastErr, RetryAt: h.retryAt, PagesKept: h.pagesKept,
		Spreading: h.spread, SliceAt: h.sliceAt, Skipped: append([]lms.SkippedRecord(nil), h.skipped...)}
}

// ProvesAbsence reports whether a user missing from the snapshot is missing
// from the LMS, as far as reads go: the snapshot was read after since and
// its read skipped no record (a skipped record may be that user).
func (inv *Inventory) ProvesAbsence(since time.Time) bool {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	return inv.users != nil && inv.loadedAt.After(since) && len(inv.health.skipped) == 0
}

// IsBackoff reports whether err is a *BackoffError.
func IsBackoff(err error) bool {
	var b *BackoffError
	return errors.As(err, &b)
}
