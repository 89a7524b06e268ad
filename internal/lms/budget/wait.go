package budget

import (
	"fmt"
	"math"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// A WaitReason says what a caller waits for.
type WaitReason string

// The reasons of a wait.
const (
	// WaitTokens: the bucket refills.
	WaitTokens WaitReason = "Tokens"
	// WaitQueue: the tokens there are held for the callers ahead.
	WaitQueue WaitReason = "Queue"
	// WaitHourlyCap: the sliding hour's allowance (of this priority) is used.
	WaitHourlyCap WaitReason = "HourlyCap"
	// WaitProgressShare: progress reads have used their share of the sliding hour.
	WaitProgressShare WaitReason = "ProgressShare"
	// WaitPaused: the connection is paused after the vendor reported a rate limit.
	WaitPaused WaitReason = "Paused"
)

// A Wait tells a caller that was refused tokens when to come back.
type Wait struct {
	// After is how long to wait before asking again; zero when served. The
	// waits of the callers in a queue are staggered: each accounts for the
	// tokens of the callers ahead of it.
	After time.Duration
	// Reason is what the wait is for, the longest of the reasons.
	Reason WaitReason
	// Ahead is how many callers are served before this one.
	Ahead int
	// Paused is true when the connection is paused after a rate limit.
	Paused bool
}

// Message says why the caller waits, for a condition or an error.
func (w Wait) Message() string {
	switch {
	case w.Paused:
		return "the connection is paused after the vendor reported its rate limit"
	case w.Reason == WaitHourlyCap:
		return "the connection's hourly request limit is reached"
	case w.Reason == WaitProgressShare:
		return "progress reads have used their share of the connection's hourly requests"
	case w.Ahead > 0:
		return fmt.Sprintf("waiting for the connection's request budget (%d callers ahead)", w.Ahead)
	}
	return "waiting for the connection's request budget"
}

// admit serves the caller key (anonymous when "") n tokens of priority p when
// it is its turn and the budget has them, taking them from the bucket;
// otherwise it keeps the caller's place and returns the wait.
func (b *Budget) admit(now time.Time, key string, n int, p lms.Priority) (Wait, bool) {
	b.refill(now)
	b.forget(now)
	b.queue.lapse(now)
	me := b.queue.find(key, p, min(max(n, 1), b.limits.Burst), now)
	w := b.wait(now, me)
	if w.After > 0 {
		b.queue.hold(me, now.Add(w.After))
		return w, false
	}
	b.queue.leave(me)
	b.tokens -= float64(me.n)
	return Wait{}, true
}

// A standing is what is ahead of a caller in the order of service.
type standing struct {
	// ahead is how many waiters are served before it.
	ahead int
	// held is how many tokens are held for those of them whose priority
	// can use tokens now (not stopped by the hourly cap or its share).
	held int
	// same is how many tokens those of its own priority asked for.
	same int
	// starving is true when the caller is served before higher priorities.
	starving bool
}

// wait returns how long me must wait for its tokens: zero when it is served now.
func (b *Budget) wait(now time.Time, me *waiter) Wait {
	st := b.standing(now, me)
	w := Wait{Ahead: st.ahead, Paused: now.Before(b.pausedUntil)}
	start := now
	if w.Paused {
		start = b.pausedUntil
		w.After, w.Reason = start.Sub(now), WaitPaused
	}
	if d := b.tokenWait(now, start, me, st); d > 0 {
		w.After += d
		if !w.Paused {
			w.Reason = b.tokenReason(me, st)
		}
	}
	if d := b.windowWait(now, me.p, st.held+me.n); d > w.After {
		w.After, w.Reason = d, WaitHourlyCap
	}
	if d := b.shareWait(now, me.p, st.same+me.n); d > w.After {
		w.After, w.Reason = d, WaitProgressShare
	}
	return w
}

// tokenWait is how long after start the bucket holds me's tokens and those of
// the waiters ahead. A waiter that will starve is told to come back when it
// does, so that it is served first in time.
func (b *Budget) tokenWait(now, start time.Time, me *waiter, st standing) time.Duration {
	avail := math.Min(float64(b.limits.Burst), b.tokens+start.Sub(now).Seconds()*b.ratePerSecond())
	need := float64(st.held+me.n) + b.reserveOf(me, st)
	if need <= avail {
		return 0
	}
	d := b.refillTime(need - avail)
	if starves := me.since.Add(StarveAfter).Sub(start); !st.starving && b.mayStarve(me) && starves > 0 {
		d = min(d, starves)
	}
	return d
}

// tokenReason tells a wait for tokens held for the waiters ahead from a wait
// for the bucket to refill.
func (b *Budget) tokenReason(me *waiter, st standing) WaitReason {
	if st.held > 0 && float64(me.n)+b.reserveOf(me, st) <= b.tokens {
		return WaitQueue
	}
	return WaitTokens
}

// reserveOf is the reserve me leaves for higher priorities: none while it starves.
func (b *Budget) reserveOf(me *waiter, st standing) float64 {
	if st.starving {
		return 0
	}
	return b.reserve(me.p)
}

// standing returns what is ahead of me in the order of service.
func (b *Budget) standing(now time.Time, me *waiter) standing {
	o := b.order(now)
	st := standing{starving: o.starving(me)}
	for _, w := range b.queue.line {
		if w == me || !o.before(w, me, st.starving) {
			continue
		}
		n := min(w.n, b.limits.Burst)
		st.ahead++
		if o.usable[w.p] {
			st.held += n
		}
		if w.p == me.p {
			st.same += n
		}
	}
	return st
}

// An order is the order of service at one time.
type order struct {
	// under is true for the priorities below their floor of the sliding hour.
	under [levels]bool
	// usable is true for the priorities the hourly cap and the shares let call now.
	usable [levels]bool
	// cut: a waiter that took its place before cut has waited StarveAfter.
	cut time.Time
}

// order returns the order of service now.
func (b *Budget) order(now time.Time) order {
	o := order{cut: now.Add(-StarveAfter)}
	for p := range levels {
		o.under[p] = p != int(lms.PriorityWrite) && b.used[p] < b.floor(lms.Priority(p))
		o.usable[p] = b.windowWait(now, lms.Priority(p), 1) == 0 && b.shareWait(now, lms.Priority(p), 1) == 0
	}
	return o
}

// before reports whether w is served before me: starving waiters first, then
// by priority, then in the order they came.
func (o order) before(w, me *waiter, meStarving bool) bool {
	if ws := o.starving(w); ws != meStarving {
		return ws
	}
	if w.p != me.p {
		return w.p < me.p
	}
	return w.seq < me.seq
}

// starving reports whether w, below PriorityWrite, has waited StarveAfter
// while its priority used less than its floor of the sliding hour.
func (o order) starving(w *waiter) bool {
	return w.key != "" && o.under[w.p] && !w.since.After(o.cut)
}

// mayStarve reports whether w's priority is under its floor, so that w
// would be served first once it has waited StarveAfter.
func (b *Budget) mayStarve(w *waiter) bool {
	return w.key != "" && w.p != lms.PriorityWrite && b.used[w.p] < b.floor(w.p)
}

// floor is how many calls of the sliding hour priority p is guaranteed;
// never more than progress's share.
func (b *Budget) floor(p lms.Priority) int {
	f := int(floorShare[p] * float64(b.limits.RequestsPerHour))
	if p == lms.PriorityProgress {
		f = min(f, b.progressCap())
	}
	return f
}
