package inventory

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/sets"
	clocktesting "k8s.io/utils/clock/testing"
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
