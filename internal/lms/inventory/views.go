package inventory

import (
	"context"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/utils/clock"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// Views keeps a connection's last reads of the sets the operator writes to,
// by key: a group's members, the users and groups assigned to a course. A
// view is read from the vendor at most once per maxAge and updated in place
// by the operator's own writes, so that a membership change costs its one
// write, planned from the last view, never a re-read of the whole roster;
// a change made in the LMS by hand shows at the next read, within maxAge.
// Views is safe for concurrent use; concurrent loads of one key share a read.
type Views struct {
	clock clock.PassiveClock
	mu    sync.Mutex
	items map[string]*view
}

// A view is one key's set and when it was read. load serialises the reads
// of the key.
type view struct {
	load sync.Mutex
	at   time.Time
	ids  sets.Set[string]
	read bool
	// journal holds the operator's writes made since the read under way
	// began (true: added, false: removed), nil when no read is under way. A
	// read spread over intervals saw its first pages before those writes:
	// its result, once complete, gets them laid over.
	journal map[string]bool
}

// NewViews returns an empty Views.
func NewViews(clk clock.PassiveClock) *Views {
	return &Views{clock: clk, items: map[string]*view{}}
}

// Get returns a copy of the set under key, reading it with load when it was
// never read, was forgotten, or is older than maxAge. fresh is true when
// this call read it.
//
// A load that answers lms.ErrReadContinues (a read spread over sync
// intervals, with pages left) has no new set: Get keeps the one read before,
// with the operator's writes laid over, as read now (the next slice is due
// after maxAge), and returns it not fresh, so that nothing is assigned or
// unassigned because of a partial read. A view never read is read whole.
// The operator's writes made while a read is under way (over several
// intervals, when spread) are laid over its result, which may have seen
// their users before the writes.
func (v *Views) Get(ctx context.Context, key string, maxAge time.Duration, load func(context.Context) ([]string, error)) (ids sets.Set[string], fresh bool, err error) {
	it := v.item(key)
	it.load.Lock()
	defer it.load.Unlock()
	if s, ok := v.current(it, maxAge); ok {
		return s, false, nil
	}
	v.begin(it)
	got, err := load(ctx)
	if lms.IsReadContinues(err) {
		if s, ok := v.continues(it); ok {
			return s, false, nil
		}
		got, err = load(lms.WithPageLimit(ctx, 0))
	}
	if err != nil {
		v.end(it)
		return nil, false, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	it.ids, it.at, it.read = sets.New(got...), v.clock.Now(), true
	for id, added := range it.journal {
		if added {
			it.ids.Insert(id)
		} else {
			it.ids.Delete(id)
		}
	}
	it.journal = nil
	return it.ids.Clone(), true, nil
}

// begin starts the journal of the operator's writes for a read about to be
// sent, unless one is under way (a spread read going on keeps its journal).
func (v *Views) begin(it *view) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if it.journal == nil {
		it.journal = map[string]bool{}
	}
}

// end drops the journal of a read that failed: the next read starts anew.
func (v *Views) end(it *view) {
	v.mu.Lock()
	defer v.mu.Unlock()
	it.journal = nil
}

// continues marks it as read now, when it was read before, and returns a
// copy of its set: a spread read goes on, and the set stays as it was; the
// journal goes on too, until the read completes.
func (v *Views) continues(it *view) (sets.Set[string], bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !it.read {
		return nil, false
	}
	it.at = v.clock.Now()
	return it.ids.Clone(), true
}

// item returns the view of key, adding an unread one.
func (v *Views) item(key string) *view {
	v.mu.Lock()
	defer v.mu.Unlock()
	it, ok := v.items[key]
	if !ok {
		it = &view{}
		v.items[key] = it
	}
	return it
}

// current returns a copy of it's set when it was read within maxAge.
func (v *Views) current(it *view, maxAge time.Duration) (sets.Set[string], bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !it.read || v.clock.Since(it.at) >= maxAge {
		return nil, false
	}
	return it.ids.Clone(), true
}

// Add records ids as added to the set under key by the operator's write;
// a key never read stays unread.
func (v *Views) Add(key string, ids ...string) {
	v.update(key, true, ids)
}

// Remove records ids as removed from the set under key.
func (v *Views) Remove(key string, ids ...string) {
	v.update(key, false, ids)
}

// update records the operator's write of ids in key's set, and in the
// journal of a read under way.
func (v *Views) update(key string, added bool, ids []string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	it, ok := v.items[key]
	if !ok {
		return
	}
	for _, id := range ids {
		if it.journal != nil {
			it.journal[id] = added
		}
		switch {
		case !it.read:
		case added:
			it.ids.Insert(id)
		default:
			it.ids.Delete(id)
		}
	}
}

// Forget drops the set under key, so that the next Get reads it anew.
func (v *Views) Forget(key string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if it, ok := v.items[key]; ok {
		it.read, it.ids, it.journal = false, nil, nil
	}
}
