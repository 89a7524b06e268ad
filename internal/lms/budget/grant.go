package budget

import (
	"context"
	"math"
	"sync/atomic"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// A Grant holds tokens taken together for an operation of several calls
// (look up, then create, then read back), so that concurrent operations
// cannot each take the first token and starve at the second.
type Grant struct {
	b    *Budget
	p    lms.Priority
	left atomic.Int32
}

type grantKey struct{}

// A Request asks for the tokens of one operation.
type Request struct {
	// Key identifies the caller, the object the operation is for
	// ("Learner/ns/name", see lms.CallerKey), so that it keeps its place in
	// the queue when it waits and comes back. Empty: an anonymous caller, who
	// gets no place and is served only from tokens no waiter holds.
	Key string
	// Tokens is the number of calls of the operation, its reads and its
	// writes together; at least 1, at most the burst.
	Tokens int
	// Priority is the operation's priority.
	Priority lms.Priority
}

// AcquireFor takes the tokens of r at once, in the order of service (see the
// package documentation). When it is r's turn and the budget has them, it
// returns a context whose calls spend the grant first and carry r's key and
// priority; the caller must Release the grant when the operation ends. When
// not, it keeps r.Key's place and returns the wait, after which the caller
// comes back with the same key.
func (b *Budget) AcquireFor(ctx context.Context, r Request) (context.Context, *Grant, Wait) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	p := rank(r.Priority)
	w, ok := b.admit(now, r.Key, r.Tokens, p)
	if !ok {
		return ctx, nil, w
	}
	g := &Grant{b: b, p: p}
	g.left.Store(int32(min(max(r.Tokens, 1), b.limits.Burst)))
	if r.Key != "" {
		ctx = lms.WithCaller(ctx, r.Key)
	}
	return context.WithValue(lms.WithPriority(ctx, r.Priority), grantKey{}, g), g, Wait{}
}

// Acquire takes n tokens at once for an operation of priority p, as an
// anonymous caller: AcquireFor with no key. It returns how long to wait
// and whether the wait is a pause after a 429 when the tokens are not there.
func (b *Budget) Acquire(ctx context.Context, n int, p lms.Priority) (context.Context, *Grant, time.Duration, bool) {
	gctx, g, w := b.AcquireFor(ctx, Request{Tokens: n, Priority: p})
	return gctx, g, w.After, w.Paused
}

// Release returns the grant's unspent tokens to the budget.
func (g *Grant) Release() {
	if g == nil {
		return
	}
	left := g.left.Swap(0)
	if left <= 0 {
		return
	}
	g.b.mu.Lock()
	defer g.b.mu.Unlock()
	g.b.tokens = math.Min(float64(g.b.limits.Burst), g.b.tokens+float64(left))
}

// spendGrant uses one token of the grant in ctx, if any is left, recording
// the call in the hourly window. It returns false when the grant is spent or
// when the hourly cap is reached meanwhile.
func (b *Budget) spendGrant(ctx context.Context) (spent, granted bool) {
	g, ok := ctx.Value(grantKey{}).(*Grant)
	if !ok || g.b != b {
		return false, false
	}
	if g.left.Add(-1) < 0 {
		g.left.Add(1)
		return false, true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	b.forget(now)
	if now.Before(b.pausedUntil) || len(b.sent) >= b.limits.RequestsPerHour {
		b.tokens = math.Min(float64(b.limits.Burst), b.tokens+1) // give it back; the call is held
		return false, true
	}
	b.record(now, g.p)
	return true, true
}

// continueGrant spends one token for a call of an operation whose grant is
// spent (it made more calls than it asked tokens for, such as a lookup that
// falls back from the code to the email). The operation is under way, so it
// must finish: it comes before the waiters in the queue, which would
// otherwise hold every token and let it retry for ever, and it may overdraw
// the bucket by up to one burst, a debt the refill repays before anyone else
// is served. The pause and the hourly cap still hold.
func (b *Budget) continueGrant(ctx context.Context) (bool, Wait) {
	g, _ := ctx.Value(grantKey{}).(*Grant)
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	if now.Before(b.pausedUntil) {
		return false, Wait{After: b.pausedUntil.Sub(now), Reason: WaitPaused, Paused: true}
	}
	b.refill(now)
	b.forget(now)
	if w := b.windowWait(now, lms.PriorityWrite, 1); w > 0 {
		return false, Wait{After: w, Reason: WaitHourlyCap}
	}
	if b.tokens-1 < -float64(b.limits.Burst) {
		return false, Wait{After: b.refillTime(-float64(b.limits.Burst) + 1 - b.tokens), Reason: WaitTokens}
	}
	b.tokens--
	b.record(now, g.p)
	return true, Wait{}
}
