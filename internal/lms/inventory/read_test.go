package inventory

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// A fakePager serves pages of users by cursor ("" then "2", "3", ...) and
// fails the cursors in fail as many times as they say.
type fakePager struct {
	mu    sync.Mutex
	pages []lms.UserPage
	fail  map[string]int
	calls []string
}

func (p *fakePager) List(context.Context) ([]lms.User, error) {
	return nil, errors.New("List must not be called on a PagedLister")
}

func (p *fakePager) ListPage(_ context.Context, cursor string) (lms.UserPage, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, cursor)
	if p.fail[cursor] > 0 {
		p.fail[cursor]--
		return lms.UserPage{}, lms.NewError(lms.KindTransient, "list users", "500", "Internal Server Error")
	}
	i := 0
	if cursor != "" {
		i, _ = strconv.Atoi(cursor)
		i--
	}
	return p.pages[i], nil
}

// pagesOf returns n pages of one user each, linked by cursor.
func pagesOf(n int) []lms.UserPage {
	var out []lms.UserPage
	for i := range n {
		page := lms.UserPage{Users: []lms.User{{ID: strconv.Itoa(i + 1), Email: "u" + strconv.Itoa(i+1) + "@example.com"}}}
		if i < n-1 {
			page.Next = strconv.Itoa(i + 2)
		}
		out = append(out, page)
	}
	return out
}

func TestRetryDelayDoublesFromOneSecondUpToTheInterval(t *testing.T) {
	type args struct {
		failures int
		max      time.Duration
	}
	cases := map[string]struct {
		reason string
		args   args
		want   time.Duration
	}{
		"first":      {"one failure waits FirstRetry", args{1, 10 * time.Minute}, time.Second},
		"third":      {"each failure doubles the wait", args{3, 10 * time.Minute}, 4 * time.Second},
		"capped":     {"the wait never exceeds the sync interval", args{12, 10 * time.Minute}, 10 * time.Minute},
		"short":      {"an interval below FirstRetry caps the first wait", args{1, 500 * time.Millisecond}, 500 * time.Millisecond},
		"no max":     {"without an interval the default cap applies", args{40, 0}, defaultMaxRetry},
		"many fails": {"a long streak does not overflow", args{1000, time.Hour}, time.Hour},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, retryDelay(tc.args.failures, tc.args.max)); diff != "" {
				t.Errorf("%s: retryDelay(%d, %s) (-want +got):\n%s", tc.reason, tc.args.failures, tc.args.max, diff)
			}
		})
	}
}

func TestFailedReadsBackOffAndNoCallerRepeatsThemMeanwhile(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	inv := New(clk)
	calls := 0
	fail := Lister(func(context.Context) ([]lms.User, error) {
		calls++
		return nil, lms.NewError(lms.KindTransient, "list users", "500", "Internal Server Error")
	})
	ctx := context.Background()
	if _, err := inv.Refresh(ctx, fail, time.Minute); err == nil || IsBackoff(err) {
		t.Fatalf("first Refresh: err = %v, want the list's own error", err)
	}
	for range 20 { // Learners waiting for the first load must not each list again
		if err := inv.EnsureLoaded(ctx, fail); !IsBackoff(err) {
			t.Fatalf("EnsureLoaded during the wait: err = %v, want a *BackoffError", err)
		}
	}
	if calls != 1 {
		t.Errorf("%d list calls before the wait was over, want 1", calls)
	}
	var waits []time.Duration
	for range 4 {
		at := inv.State().RetryAt
		waits = append(waits, at.Sub(clk.Now()))
		clk.SetTime(at)
		_, _ = inv.Refresh(ctx, fail, time.Minute)
	}
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}, waits); diff != "" {
		t.Errorf("waits between failed reads (-want +got):\n%s", diff)
	}
	if st := inv.State(); st.Failures != 5 || lms.Message(st.Err) != "Internal Server Error" {
		t.Errorf("State() = %+v, want 5 failures and the vendor's message", st)
	}
}

func TestWaitsForTheBudgetAreNotFailures(t *testing.T) {
	inv := New(clocktesting.NewFakePassiveClock(t0))
	limited := Lister(func(context.Context) ([]lms.User, error) {
		return nil, &lms.Error{Kind: lms.KindRateLimited, Op: "list users", RetryAfter: time.Minute}
	})
	_, _ = inv.Refresh(context.Background(), limited, time.Minute)
	if err := inv.EnsureLoaded(context.Background(), limited); IsBackoff(err) {
		t.Errorf("a wait for the budget started a backoff: %v", err)
	}
	if st := inv.State(); st.Failures != 0 {
		t.Errorf("State().Failures = %d after rate-limited reads, want 0", st.Failures)
	}
}

func TestRetryEndsTheWait(t *testing.T) {
	inv := New(clocktesting.NewFakePassiveClock(t0))
	n := 0
	src := Lister(func(context.Context) ([]lms.User, error) {
		if n++; n == 1 {
			return nil, lms.NewError(lms.KindInvalidCredentials, "list users", "401", "Unauthorized")
		}
		return []lms.User{{ID: "1"}}, nil
	})
	_, _ = inv.Refresh(context.Background(), src, time.Minute)
	inv.Retry()
	if _, err := inv.Refresh(context.Background(), src, time.Minute); err != nil {
		t.Fatalf("Refresh after Retry: %v, want a read at once", err)
	}
	if inv.Len() != 1 || inv.State().Failures != 0 {
		t.Errorf("after the read: %d users, state %+v; want 1 user and no failure", inv.Len(), inv.State())
	}
}

func TestAPagedReadResumesAtThePageThatFailed(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	inv := New(clk)
	p := &fakePager{pages: pagesOf(4), fail: map[string]int{"3": 2}}
	ctx := context.Background()
	for range 3 {
		_, _ = inv.Refresh(ctx, p, time.Minute)
		if st := inv.State(); st.Failures > 0 {
			if st.PagesKept != 2 {
				t.Errorf("after a failure on page 3: PagesKept = %d, want 2", st.PagesKept)
			}
			clk.SetTime(st.RetryAt)
		}
	}
	if diff := cmp.Diff([]string{"", "2", "3", "3", "3", "4"}, p.calls); diff != "" {
		t.Errorf("cursors asked for (-want +got): pages read before the failure must not be read again\n%s", diff)
	}
	if inv.Len() != 4 {
		t.Errorf("the snapshot holds %d users, want the 4 of every page", inv.Len())
	}
}

func TestARefusedCursorStartsTheReadOver(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	inv := New(clk)
	p := &fakePager{pages: pagesOf(3)}
	refused := &refusingPager{fakePager: p, cursor: "3"}
	_, _ = inv.Refresh(context.Background(), refused, time.Minute)
	if st := inv.State(); st.PagesKept != 0 {
		t.Errorf("PagesKept = %d after the vendor refused the cursor, want 0: asking for it again cannot work", st.PagesKept)
	}
	clk.SetTime(inv.State().RetryAt)
	if _, err := inv.Refresh(context.Background(), p, time.Minute); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"", "2", "3", "", "2", "3"}, p.calls); diff != "" {
		t.Errorf("cursors asked for (-want +got):\n%s", diff)
	}
}

// A refusingPager answers NotFound (an expired pagination key) for cursor, once.
type refusingPager struct {
	*fakePager
	cursor string
	done   bool
}

func (p *refusingPager) ListPage(ctx context.Context, cursor string) (lms.UserPage, error) {
	if cursor == p.cursor && !p.done {
		p.done = true
		p.mu.Lock()
		p.calls = append(p.calls, cursor)
		p.mu.Unlock()
		return lms.UserPage{}, lms.NewError(lms.KindNotFound, "list users", "not_found", "Invalid paginationKey")
	}
	return p.fakePager.ListPage(ctx, cursor)
}

func TestAnExpiredCursorOfAKeptReadStartsOverAtOnce(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	inv := New(clk)
	p := &fakePager{pages: pagesOf(3), fail: map[string]int{"3": 1}}
	_, _ = inv.Refresh(context.Background(), p, time.Minute) // page 3 fails: pages 1 and 2 are kept
	clk.SetTime(inv.State().RetryAt)
	expired := &refusingPager{fakePager: p, cursor: "3"} // meanwhile the cursor of page 3 expired
	if _, err := inv.Refresh(context.Background(), expired, time.Minute); err != nil {
		t.Fatalf("Refresh after the kept cursor expired: %v, want a read from the first page in the same attempt", err)
	}
	if diff := cmp.Diff([]string{"", "2", "3", "3", "", "2", "3"}, p.calls); diff != "" {
		t.Errorf("cursors asked for (-want +got):\n%s", diff)
	}
	if inv.Len() != 3 {
		t.Errorf("the snapshot holds %d users, want 3", inv.Len())
	}
}

func TestAPageThatRepeatsTheLastOneIsAnError(t *testing.T) {
	inv := New(clocktesting.NewFakePassiveClock(t0))
	pages := pagesOf(3)
	pages[1].Users = pages[0].Users // the vendor ignores the page asked for
	p := &fakePager{pages: pages}
	if _, err := inv.Refresh(context.Background(), p, time.Minute); lms.KindOf(err) != lms.KindTransient {
		t.Fatalf("Refresh = %v, want a Transient error: a full page of users seen before means the paging does not end", err)
	}
}

func TestAReadTooOldToResumeStartsOver(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	inv := New(clk)
	p := &fakePager{pages: pagesOf(3), fail: map[string]int{"3": 1}}
	_, _ = inv.Refresh(context.Background(), p, time.Minute)
	clk.SetTime(t0.Add(2 * time.Minute)) // the pages kept are older than the interval
	if _, err := inv.Refresh(context.Background(), p, time.Minute); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"", "2", "3", "", "2", "3"}, p.calls); diff != "" {
		t.Errorf("cursors asked for (-want +got): a read older than maxAge must start again\n%s", diff)
	}
}

func TestWritesBetweenAttemptsOfAPagedReadSurviveIt(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	inv := New(clk)
	p := &fakePager{pages: pagesOf(3), fail: map[string]int{"3": 1}}
	_, _ = inv.Refresh(context.Background(), p, time.Minute)
	// Between the attempts the operator creates a user and deletes user 1,
	// whose page was read before the failure.
	inv.Put(lms.User{ID: "9", Email: "new@example.com"})
	inv.Remove("1")
	clk.SetTime(inv.State().RetryAt)
	if _, err := inv.Refresh(context.Background(), p, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, ok := inv.Find("9", "", ""); !ok {
		t.Error("a user created between the attempts is missing from the snapshot")
	}
	if _, ok := inv.Find("1", "", ""); ok {
		t.Error("a user deleted between the attempts is back in the snapshot")
	}
}

func TestSkippedRecordsAreReportedAndAbsenceIsNotProved(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	inv := New(clk)
	pages := pagesOf(2)
	pages[1].Skipped = []lms.SkippedRecord{{ID: "77", Reason: `field "isActive": a string where a boolean was expected`}}
	p := &fakePager{pages: pages}
	started := t0.Add(-time.Second)
	if _, err := inv.Refresh(context.Background(), p, time.Minute); err != nil {
		t.Fatalf("a page with a skipped record failed the read: %v", err)
	}
	if inv.Len() != 2 {
		t.Errorf("the snapshot holds %d users, want the 2 that could be read", inv.Len())
	}
	if diff := cmp.Diff(pages[1].Skipped, inv.State().Skipped); diff != "" {
		t.Errorf("State().Skipped (-want +got):\n%s", diff)
	}
	if inv.ProvesAbsence(started) {
		t.Error("ProvesAbsence is true although a record was skipped: the skipped record may be the user")
	}
	p.pages[1].Skipped = nil
	clk.SetTime(t0.Add(time.Minute))
	_, _ = inv.Refresh(context.Background(), p, time.Minute)
	if !inv.ProvesAbsence(started) {
		t.Error("ProvesAbsence is false after a complete read that skipped nothing")
	}
}

func TestPagingThatLeadsBackIsAnError(t *testing.T) {
	inv := New(clocktesting.NewFakePassiveClock(t0))
	pages := pagesOf(3)
	pages[2].Next = "2" // page 3 leads back to page 2
	p := &fakePager{pages: pages}
	_, err := inv.Refresh(context.Background(), p, time.Minute)
	if lms.KindOf(err) != lms.KindTransient {
		t.Fatalf("Refresh = %v, want a Transient error for paging that does not end", err)
	}
	if len(p.calls) != 3 {
		t.Errorf("%d pages asked for, want 3 (no loop)", len(p.calls))
	}
}
