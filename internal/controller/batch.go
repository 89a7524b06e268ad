package controller

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// Bounds of the chunks a batch goes out in.
const (
	// maxChunk is the most writes one reconcile sends, whatever the burst.
	maxChunk = 100
	// batchContinue is how soon a reconcile that sent one chunk of a larger
	// batch comes back for the next.
	batchContinue = 10 * time.Millisecond
)

// A write is one membership write of a batch: a user or a group assigned to
// a target or unassigned, a member added to a group or removed.
type write struct {
	// id is what the write adds to, or removes from, the set the object owns
	// (status.managedMembers, assignedUserIDs, assignedGroups).
	id string
	// what names the write in messages: "assign user 1001 to course ...".
	what string
	// noun counts the write in events: "learner", "group", "member".
	noun string
	// remove: the write takes id out of the LMS set; NotFound means done.
	remove bool
	do     func(context.Context) error
}

// A batch sends the writes that make one LMS set (a group's members, a
// target's assigned users or groups) match the spec, a chunk per reconcile,
// so that a large batch never holds a worker for long: a chunk is what the
// budget grants a batch at once. Before a chunk's additions are sent, they
// are recorded as pending in status (written ahead), so that a crash
// mid-chunk leaves nothing assigned that the operator does not know it
// made; an addition becomes owned once the vendor confirmed it, and a
// pending one is settled at the next reconcile (see settle).
type batch struct {
	*runBase
	// owned is the set the object owns, pending what it is adding; record
	// copies both into status.
	owned, pending sets.Set[string]
	record         func(owned, pending sets.Set[string])
	// view is the key of the connection's view of the LMS set.
	view string
	// notFound reports a write answered NotFound (the group or the target is
	// gone); nil: an ordinary failure.
	notFound func(w write, err error) *outcome
	// added and removed are the ids written, by noun, for the events.
	added, removed map[string][]string
}

// newBatch returns a batch over the owned and pending sets, recorded into
// status by record.
func (b *runBase) newBatch(owned, pending sets.Set[string], record func(owned, pending sets.Set[string]), view string) *batch {
	return &batch{runBase: b, owned: owned, pending: pending, record: record, view: view,
		added: map[string][]string{}, removed: map[string][]string{}}
}

// settle resolves the pending additions the LMS lists: they were made, so
// they are owned. The others stay pending, as the answer of their write may
// have been lost after the vendor made it: they are written again when
// still desired, and removed (NotFound meaning done) when not.
func settle(owned, pending, listed sets.Set[string]) {
	for id := range pending {
		if listed.Has(id) {
			owned.Insert(id)
			pending.Delete(id)
		}
	}
}

// send sends the first chunk of writes; when more remain, it reports the
// work going on, to come back for the next chunk at once.
func (b *batch) send(ctx context.Context, writes []write) *outcome {
	defer func() { b.record(b.owned, b.pending) }()
	if len(writes) == 0 {
		b.settleHeld(ctx, b.purpose())
		return nil
	}
	chunk := writes[:min(len(writes), b.chunkSize())]
	var held *outcome
	o := spend(ctx, b.conn, len(chunk), lms.PriorityBatch, func(ctx context.Context) *outcome {
		var guarded *guardedBatch
		if chunk, guarded, held = b.guardChunk(ctx, chunk, writes[len(chunk):]); held != nil && held.err != nil {
			return held
		}
		defer guarded.finish()
		if o := b.writeAhead(ctx, chunk); o != nil {
			return o
		}
		return b.sendChunk(ctx, chunk)
	})
	if o == nil && held != nil {
		return held
	}
	if o == nil && len(chunk) < len(writes) {
		return ptrTo(working(v1alpha1.ReasonProgressing,
			fmt.Sprintf("sent %d of %d membership writes; the rest follow", len(chunk), len(writes)), batchContinue))
	}
	return o
}

// chunkSize is how many writes one reconcile sends: half of what the
// budget grants a batch at once. A chunk of the whole grant is served only
// from a full bucket, and the refill that comes while the bucket is full is
// lost: every moment between the bucket filling and the batch coming back
// (its requeue, its status writes) wasted the budget (eLeaP, 2,500/h, burst
// 10: chunks of 9 converged at 1.26 x the floor). Half leaves the other half
// to fill meanwhile.
func (b *batch) chunkSize() int {
	return min((b.conn.Budget.MaxAcquire(lms.PriorityBatch)+1)/2, maxChunk)
}

// writeAhead records the chunk's additions as pending and saves the status
// before any of them is sent.
func (b *batch) writeAhead(ctx context.Context, chunk []write) *outcome {
	before := b.pending.Len()
	for _, w := range chunk {
		if !w.remove && !b.owned.Has(w.id) {
			b.pending.Insert(w.id)
		}
	}
	if b.pending.Len() == before {
		return nil
	}
	b.record(b.owned, b.pending)
	err := b.save(ctx)
	if apierrors.IsConflict(err) { // a reconcile of a copy the cache had not updated yet: nothing sent
		return ptrTo(working(v1alpha1.ReasonProgressing, "the status changed meanwhile; the batch goes on in a moment", staleRetry))
	}
	if err != nil {
		return ptrTo(failedWith(v1alpha1.ReasonProgressing, fmt.Errorf("record the writes ahead in status: %w", err)))
	}
	return nil
}

// sendChunk sends the writes in order, stopping at the first failure. A
// failed addition stays pending: its answer may have been lost after the
// vendor made it.
func (b *batch) sendChunk(ctx context.Context, chunk []write) *outcome {
	for _, w := range chunk {
		err := w.do(ctx)
		if err != nil && w.remove && lms.IsNotFound(err) {
			err = nil
		}
		switch {
		case err == nil:
			b.applied(w)
		case lms.IsNotFound(err) && b.notFound != nil:
			return b.notFound(w, err)
		default:
			return b.failedPtr(w.what, err)
		}
	}
	return nil
}

// applied records a confirmed write in the owned set and the view.
func (b *batch) applied(w write) {
	b.pending.Delete(w.id)
	if w.remove {
		b.owned.Delete(w.id)
		b.conn.Views.Remove(b.view, w.id)
		b.removed[w.noun] = append(b.removed[w.noun], w.id)
		return
	}
	b.owned.Insert(w.id)
	b.conn.Views.Add(b.view, w.id)
	b.added[w.noun] = append(b.added[w.noun], w.id)
}

// counts returns how many writes of each noun ids holds.
func counts(ids map[string][]string) map[string]int {
	out := make(map[string]int, len(ids))
	for noun, xs := range ids {
		out[noun] = len(xs)
	}
	return out
}
