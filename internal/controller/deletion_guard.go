package controller

import (
	"context"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// The purposes of guarded operations: an object may hold operations of
// several purposes at once (an Enrollment's learners and groups).
const (
	// purposeDelete: the deletion policy (deactivate, delete, unassign all).
	purposeDelete = "delete"
	// purposeActive: a Learner's spec.active turned false.
	purposeActive = "active"
	// purposeMembers: removals of a LearnerGroup's members (the kind of the
	// batch's view; an Enrollment's are "assigned-users", "assigned-groups").
	purposeMembers = "members"
)

// A holder names the guarded operations of one purpose of one object.
type holder struct {
	kind, namespace, name, purpose string
}

// A guardSeed is what a connection records of its deletion guard, from which
// the guard is rebuilt after a restart.
type guardSeed struct {
	uid     types.UID
	perHour int
	status  *v1alpha1.DeletionProtectionStatus
}

// seedOf returns the seed of a connection object with these settings and status.
func seedOf(obj client.Object, s *v1alpha1.ConnectionSettings, st *v1alpha1.DeletionProtectionStatus) guardSeed {
	return guardSeed{uid: obj.GetUID(), perHour: perHourOf(s.DeletionProtection), status: st}
}

// A deletionGuard holds one connection's deactivations, deletions,
// unassignments and member removals past its threshold in a sliding hour,
// like Entra's accidental-deletion threshold: once it holds something,
// everything waits until an approval lets it through or the objects no
// longer want it. It is safe for concurrent use.
type deletionGuard struct {
	mu        sync.Mutex
	clock     clock.PassiveClock
	uid       types.UID
	threshold int
	state     guardState
	// held counts what each holder waits to send.
	held map[holder]int
	// persist records the state in the connection's status; a grant is
	// given only once it is recorded.
	persist func(context.Context, guardState) error
	// changed is told the held total, and how many operations were newly
	// held, when the total changes. It must not block.
	changed func(total, added int)
}

// newDeletionGuard rebuilds a guard from its seed.
func newDeletionGuard(clk clock.PassiveClock, seed guardSeed, persist func(context.Context, guardState) error,
	changed func(total, added int)) *deletionGuard {
	g := &deletionGuard{clock: clk, uid: seed.uid, threshold: seed.perHour, state: stateOf(seed.status),
		held: map[holder]int{}, persist: persist, changed: changed}
	if seed.status != nil && seed.status.Threshold > 0 {
		g.threshold = int(seed.status.Threshold)
	}
	return g
}

// take asks for n operations of h, which has waiting more to ask for later
// (the next chunks of a batch). What the guard grants is recorded in the
// connection's status before take returns. What it does not grant is held
// for h, and then the waiting ones too, replacing what h held before;
// n = 0 settles h.
func (g *deletionGuard) take(ctx context.Context, h holder, n, waiting int) (guardGrant, error) {
	if g == nil {
		return guardGrant{n: n}, nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.clock.Now()
	st := g.state.pruned(now)
	grant := st.decide(n, g.threshold, g.heldTotal() > 0)
	if grant.n > 0 {
		next := st.spent(now, grant)
		if err := g.persist(ctx, next); err != nil {
			return guardGrant{}, err
		}
		g.state = next
	}
	held := n - grant.n
	if held > 0 {
		held += waiting
	}
	g.setHeld(h, held)
	return grant, nil
}

// giveBack returns the operations of grant that were not sent (the budget or
// the vendor's rate limit stopped them), so that they are not counted twice.
func (g *deletionGuard) giveBack(grant guardGrant, unsent int) {
	if g == nil || unsent <= 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.state = g.state.returned(grant, min(unsent, grant.n))
}

// approve lets n more operations through within the next hour.
func (g *deletionGuard) approve(ctx context.Context, n int) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	next := g.state.pruned(g.clock.Now()).approve(g.clock.Now(), n)
	if err := g.persist(ctx, next); err != nil {
		return err
	}
	g.state = next
	return nil
}

// setThreshold sets the threshold in force.
func (g *deletionGuard) setThreshold(t int) {
	g.mu.Lock()
	g.threshold = t
	g.mu.Unlock()
}

// setHeld records that h holds n operations.
func (g *deletionGuard) setHeld(h holder, n int) {
	old := g.held[h]
	if n == old {
		return
	}
	if n == 0 {
		delete(g.held, h)
	} else {
		g.held[h] = n
	}
	if g.changed != nil {
		g.changed(g.heldTotal(), max(0, n-old))
	}
}

// heldTotal counts what every holder holds.
func (g *deletionGuard) heldTotal() int {
	n := 0
	for _, c := range g.held {
		n += c
	}
	return n
}

// drop forgets what the object kind/ns/name holds, but for purpose keep.
func (g *deletionGuard) drop(kind, ns, name, keep string) {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for h := range g.held {
		if h.kind == kind && h.namespace == ns && h.name == name && h.purpose != keep {
			g.setHeld(h, 0)
		}
	}
}

// holders returns the objects that hold something, once each (purpose empty).
func (g *deletionGuard) holders() []holder {
	g.mu.Lock()
	defer g.mu.Unlock()
	seen := map[holder]bool{}
	var out []holder
	for h := range g.held {
		h.purpose = ""
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// A guardView is what a guard shows in its connection's status.
type guardView struct {
	threshold, sent, held, approved int
	approvedUntil                   time.Time
}

// view returns the guard's state now.
func (g *deletionGuard) view() guardView {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.state.pruned(g.clock.Now())
	return guardView{threshold: g.threshold, sent: st.sent(), held: g.heldTotal(),
		approved: st.approved, approvedUntil: st.approvedUntil}
}
