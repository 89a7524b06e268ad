package inventory

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/util/sets"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

func TestViewsReadOncePerMaxAgeAndFollowTheOperatorsWrites(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	v := NewViews(clk)
	var reads atomic.Int32
	remote := []string{"1", "2"}
	load := func(context.Context) ([]string, error) { reads.Add(1); return remote, nil }
	get := func() sets.Set[string] {
		t.Helper()
		s, _, err := v.Get(context.Background(), "members:g", time.Minute, load)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	get()
	v.Add("members:g", "3")
	v.Remove("members:g", "1")
	if got, want := sets.List(get()), []string{"2", "3"}; !cmp.Equal(got, want) || reads.Load() != 1 {
		t.Fatalf("after the operator's writes: view %v with %d reads, want %v with 1 read", got, reads.Load(), want)
	}
	clk.SetTime(t0.Add(time.Minute))
	if got := sets.List(get()); !cmp.Equal(got, remote) || reads.Load() != 2 {
		t.Errorf("after maxAge: view %v with %d reads, want the vendor's %v read again", got, reads.Load(), remote)
	}
	v.Forget("members:g")
	get()
	if reads.Load() != 3 {
		t.Errorf("after Forget: %d reads, want 3", reads.Load())
	}
}

func TestViewsWritesToAViewNeverReadAreNotInvented(t *testing.T) {
	v := NewViews(clocktesting.NewFakePassiveClock(t0))
	v.Add("members:g", "9")
	s, fresh, err := v.Get(context.Background(), "members:g", time.Minute, func(context.Context) ([]string, error) { return []string{"1"}, nil })
	if err != nil || !fresh || !cmp.Equal(sets.List(s), []string{"1"}) {
		t.Errorf("Get = %v fresh=%v err=%v, want the vendor's [1] read fresh: a write to an unread view records nothing", sets.List(s), fresh, err)
	}
}

func TestViewsConcurrentLoadsShareOneReadAndFailuresAreNotCached(t *testing.T) {
	v := NewViews(clocktesting.NewFakePassiveClock(t0))
	failing := func(context.Context) ([]string, error) { return nil, errors.New("503") }
	if _, _, err := v.Get(context.Background(), "k", time.Minute, failing); err == nil {
		t.Fatal("a failed read must return its error")
	}
	var reads atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, _, _ = v.Get(context.Background(), "k", time.Minute, func(context.Context) ([]string, error) {
				reads.Add(1)
				return []string{"a"}, nil
			})
		})
	}
	wg.Wait()
	if reads.Load() != 1 {
		t.Errorf("20 concurrent Gets after a failure made %d reads, want 1", reads.Load())
	}
}

func TestViewsKeepTheLastSetWhileASpreadReadGoesOn(t *testing.T) {
	type want struct {
		ids   []string
		fresh bool
		err   bool
		loads []int // the page limits the loads were called with
	}
	continues := func(limit int) ([]string, error) {
		if limit > 0 {
			return nil, fmt.Errorf("read channel: %w", lms.ErrReadContinues)
		}
		return []string{"1", "2"}, nil
	}
	cases := map[string]struct {
		reason string
		read   bool // the view was read (as [1]) and then the operator added 3
		load   func(limit int) ([]string, error)
		want   want
	}{
		"KeepsTheOldSet": {
			reason: "a read that goes on keeps the last set, with the operator's writes, not fresh and with no error",
			read:   true, load: continues,
			want: want{ids: []string{"1", "3"}, loads: []int{2}},
		},
		"NeverReadIsReadWhole": {
			reason: "a view with no set to keep is read whole at once",
			load:   continues,
			want:   want{ids: []string{"1", "2"}, fresh: true, loads: []int{2, 0}},
		},
		"OtherErrorsFail": {
			reason: "any other error is returned, as before",
			read:   true, load: func(int) ([]string, error) { return nil, errors.New("503") },
			want: want{err: true, loads: []int{2}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			clk := clocktesting.NewFakePassiveClock(t0)
			v := NewViews(clk)
			if tc.read {
				_, _, _ = v.Get(context.Background(), "k", time.Minute, func(context.Context) ([]string, error) { return []string{"1"}, nil })
				v.Add("k", "3")
			}
			clk.SetTime(t0.Add(time.Minute))
			var got want
			ids, fresh, err := v.Get(lms.WithPageLimit(context.Background(), 2), "k", time.Minute, func(ctx context.Context) ([]string, error) {
				got.loads = append(got.loads, lms.PageLimit(ctx))
				return tc.load(lms.PageLimit(ctx))
			})
			got.ids, got.fresh, got.err = sets.List(ids), fresh, err != nil
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestViewsASliceCountsAsTheIntervalsRead(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	v := NewViews(clk)
	loads := 0
	_, _, _ = v.Get(context.Background(), "k", time.Minute, func(context.Context) ([]string, error) { return []string{"1"}, nil })
	slice := func(context.Context) ([]string, error) { loads++; return nil, lms.ErrReadContinues }
	clk.SetTime(t0.Add(time.Minute))
	_, _, _ = v.Get(context.Background(), "k", time.Minute, slice)
	clk.SetTime(t0.Add(90 * time.Second))
	_, _, _ = v.Get(context.Background(), "k", time.Minute, slice)
	if loads != 1 {
		t.Errorf("%d slices read within one interval, want 1: the next slice is due an interval after the last", loads)
	}
}

// A read spread over intervals saw its first pages before the operator's
// writes made while it went on: the writes are laid over its result. Writes
// made before a read began are not: the vendor's answer then shows what a
// hand in the LMS changed since.
func TestViewsLayTheWritesMadeDuringASpreadReadOverItsResult(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	v := NewViews(clk)
	var answer []string
	var spread bool
	load := func(context.Context) ([]string, error) {
		if spread {
			return nil, lms.ErrReadContinues
		}
		return answer, nil
	}
	step := func(at time.Duration, remote []string, continues bool, want []string) {
		t.Helper()
		clk.SetTime(t0.Add(at))
		answer, spread = remote, continues
		s, _, err := v.Get(context.Background(), "k", time.Minute, load)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, sets.List(s), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("at %s: view -want +got:\n%s", at, diff)
		}
	}
	step(0, []string{"1", "2"}, false, []string{"1", "2"})
	step(time.Minute, nil, true, []string{"1", "2"}) // the read begins, its first pages read
	v.Add("k", "3")
	v.Remove("k", "1")
	// the last pages come in; the answer's first pages still show 1 and lack 3
	step(2*time.Minute, []string{"1", "2"}, false, []string{"2", "3"})
	v.Add("k", "4")
	// the next read shows 4 gone (removed by hand) and 3 with it
	step(3*time.Minute, []string{"2"}, false, []string{"2"})
}
