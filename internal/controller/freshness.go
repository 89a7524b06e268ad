package controller

import (
	"context"
	"sync"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// A freshness remembers, per object and view, the generation of the object
// for which the view was last read afresh. A view (a group's members, a
// target's assignments) is read from the vendor at most once per sync
// interval; an object whose spec changed reads it once more, so that the
// writes of a new spec are planned from what the LMS holds now, and then
// plans from that view until the next interval, however many times it is
// reconciled meanwhile (waiting for budget, Learners joining).
type freshness struct {
	mu   sync.Mutex
	seen map[types.UID]map[string]int64
}

func newFreshness() *freshness { return &freshness{seen: map[types.UID]map[string]int64{}} }

// due reports whether obj must read view afresh.
func (f *freshness) due(obj client.Object, view string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	gen, ok := f.seen[obj.GetUID()][view]
	return !ok || gen < obj.GetGeneration()
}

// read records that obj read view afresh at its current generation.
func (f *freshness) read(obj client.Object, view string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seen[obj.GetUID()] == nil {
		f.seen[obj.GetUID()] = map[string]int64{}
	}
	f.seen[obj.GetUID()][view] = obj.GetGeneration()
}

// forget drops what is remembered of the object uid.
func (f *freshness) forget(uid types.UID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.seen, uid)
}

// readView returns the set under view from the connection's views, read
// with load when it is older than the sync interval or when the object's
// spec changed since it last read it.
func (b *runBase) readView(ctx context.Context, view string, load func(context.Context) ([]string, error)) (sets.Set[string], error) {
	maxAge := b.interval
	due := b.fresh.due(b.object, view)
	if due {
		maxAge = 0
	}
	ids, read, err := b.conn.Views.Get(lms.WithPriority(ctx, lms.PriorityRead), view, maxAge, load)
	if err == nil && due {
		b.fresh.read(b.object, view)
	}
	if read {
		if b.readNow == nil {
			b.readNow = sets.New[string]()
		}
		b.readNow.Insert(view)
	}
	return ids, err
}
