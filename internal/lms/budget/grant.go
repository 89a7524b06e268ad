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
	left atomic.Int32
}

type grantKey struct{}

// Acquire takes n tokens at once for an operation of priority p. When the
// budget has them, it returns a context whose calls spend the grant first; the
// caller must Release the grant when the operation ends. When it has not, it
// returns how long to wait and whether the wait is a pause after a 429.
func (b *Budget) Acquire(ctx context.Context, n int, p lms.Priority) (context.Context, *Grant, time.Duration, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	if now.Before(b.pausedUntil) {
		return ctx, nil, b.pausedUntil.Sub(now), true
	}
	b.refill(now)
	b.forget(now)
	n = min(n, b.limits.Burst)
	if w := b.windowWait(now, p, n); w > 0 {
		return ctx, nil, w, false
	}
	need := float64(n) + b.reserve(p)
	if b.tokens < need {
		return ctx, nil, b.refillTime(need - b.tokens), false
	}
	b.tokens -= float64(n)
	g := &Grant{b: b}
	g.left.Store(int32(n))
	return context.WithValue(ctx, grantKey{}, g), g, 0, false
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

// spend uses one token of the grant in ctx, if any is left, recording the
// call in the hourly window. It returns false when the grant is spent or when
// the hourly cap is reached meanwhile.
func (b *Budget) spendGrant(ctx context.Context) bool {
	g, ok := ctx.Value(grantKey{}).(*Grant)
	if !ok || g.b != b {
		return false
	}
	if g.left.Add(-1) < 0 {
		g.left.Add(1)
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	b.forget(now)
	if now.Before(b.pausedUntil) || len(b.sent) >= b.limits.RequestsPerHour {
		b.tokens = math.Min(float64(b.limits.Burst), b.tokens+1) // give it back; the call is held
		return false
	}
	b.sent = append(b.sent, now)
	return true
}
