package controller

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// heldRequeue is how often an object whose operations are held looks again
// by itself; an approval enqueues it at once.
const heldRequeue = 10 * time.Minute

// holder names the operations of purpose of the run's object.
func (b runBase) holder(purpose string) holder {
	o := b.obj.(client.Object)
	return holder{kind: managedKind(o), namespace: o.GetNamespace(), name: o.GetName(), purpose: purpose}
}

// managedKind is the kind of a Learner, LearnerGroup or Enrollment.
func managedKind(o client.Object) string {
	switch o.(type) {
	case *v1alpha1.Learner:
		return "Learner"
	case *v1alpha1.LearnerGroup:
		return "LearnerGroup"
	case *v1alpha1.Enrollment:
		return "Enrollment"
	}
	return ""
}

// takeDeletions asks the connection's deletion guard for n operations of
// purpose, called what in messages ("deactivations"), with waiting more of
// them to ask for later (the next chunks of a batch). It returns the batch
// that tracks what is sent of the grant, and the outcome to report when some
// are held (then the waiting ones too) or the grant could not be recorded.
func (b runBase) takeDeletions(ctx context.Context, purpose string, n, waiting int, what string) (*guardedBatch, *outcome) {
	grant, err := b.guard.take(ctx, b.holder(purpose), n, waiting)
	batch := &guardedBatch{guard: b.guard, grant: grant}
	if err != nil {
		return batch, ptrTo(failedWith(v1alpha1.ReasonProgressing, err))
	}
	if grant.n < n {
		return batch, ptrTo(b.heldOutcome(n-grant.n+waiting, what))
	}
	return batch, nil
}

// settleHeld tells the guard that the object wants no operation of purpose now
// (it was restored), so that nothing stays held for it.
func (b runBase) settleHeld(ctx context.Context, purpose string) {
	_, _ = b.guard.take(ctx, b.holder(purpose), 0, 0)
}

// heldOutcome is the outcome of an object n of whose operations are held.
func (b runBase) heldOutcome(n int, what string) outcome {
	threshold := 0
	if b.guard != nil {
		threshold = b.guard.view().threshold
	}
	return working(v1alpha1.ReasonDeletionHeld, fmt.Sprintf("%d %s held by the deletion guard of %s %s (more than %d deletions "+
		"were due within an hour). If intended, approve on the connection: %s; otherwise restore what was removed",
		n, what, b.conn.Key.Kind, b.conn.Key, threshold, approveCommand(b.conn.Key, "<count>")), heldRequeue)
}

// A guardedBatch tracks what is sent of a grant, so that the operations
// never sent (stopped by the budget or the vendor's rate limit) are given
// back to the guard instead of being counted twice.
type guardedBatch struct {
	guard *deletionGuard
	grant guardGrant
	sent  int
}

// sentWith records one granted operation that ended with err: sent, unless
// a rate limit stopped it before it left.
func (b *guardedBatch) sentWith(err error) {
	if err == nil || !lms.IsRateLimited(err) {
		b.sent++
	}
}

// finish gives back what was granted and not sent.
func (b *guardedBatch) finish() {
	if b != nil {
		b.guard.giveBack(b.grant, b.grant.n-b.sent)
	}
}

// granted is the number of operations granted.
func (b *guardedBatch) granted() int { return b.grant.n }

// guardChunk asks the deletion guard for the removals of chunk, the writes
// a batch sends now; rest are its writes after them. It returns the chunk to
// send (every addition, the removals granted, in order), the batch tracking
// the removals sent, and the outcome to report when removals are held.
func (b *batch) guardChunk(ctx context.Context, chunk, rest []write) ([]write, *guardedBatch, *outcome) {
	guarded, held := b.takeDeletions(ctx, b.purpose(), removals(chunk), removals(rest), "removals")
	if held != nil && held.err != nil {
		return nil, guarded, held
	}
	kept, left := make([]write, 0, len(chunk)), guarded.granted()
	for _, w := range chunk {
		switch {
		case !w.remove:
			kept = append(kept, w)
		case left > 0:
			do := w.do
			w.do = func(ctx context.Context) error {
				err := do(ctx)
				guarded.sentWith(err)
				return err
			}
			kept, left = append(kept, w), left-1
		}
	}
	return kept, guarded, held
}

// purpose names the batch's removals for the deletion guard: its kind of
// view ("members", "assigned-users"), stable while the LMS ids change.
func (b *batch) purpose() string {
	kind, _, _ := strings.Cut(b.view, ":")
	return kind
}

// removals counts the removals among writes.
func removals(writes []write) int {
	n := 0
	for _, w := range writes {
		if w.remove {
			n++
		}
	}
	return n
}
