package budget

import (
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// Window is the period the hourly cap applies to.
const Window = time.Hour

// Backoff bounds of the pause after a 429 without Retry-After.
const (
	MinPause = time.Minute
	MaxPause = time.Hour
)

// MaxRetryAfter caps every pause a vendor asks for (a Retry-After header, a
// rate limit reported in an answer's body): an absurd value must not stop a
// connection for longer than a day.
const MaxRetryAfter = 24 * time.Hour

// DefaultProgressShare is the share of the hour progress reads may use when
// Limits sets none.
const DefaultProgressShare = 0.10

// Limits are a connection's budget settings.
type Limits struct {
	// RequestsPerHour is the most requests in any sliding hour.
	RequestsPerHour int
	// Burst is the bucket's capacity.
	Burst int
	// ProgressShare is the share of RequestsPerHour that PriorityProgress may
	// use in any sliding hour, so that per-learner progress reads never crowd
	// out writes; 0 means DefaultProgressShare, at most 1.
	ProgressShare float64
}

// A Budget is one connection's request budget. It is safe for concurrent use.
type Budget struct {
	mu     sync.Mutex
	clock  clock.PassiveClock
	jitter func() float64

	limits Limits
	tokens float64
	last   time.Time

	// sent holds the calls of the last hour, oldest first; used counts them
	// by priority.
	sent []call
	used [levels]int
	// queue holds the places of the callers waiting for tokens.
	queue queue

	pausedUntil time.Time
	pauses      int
	// resetFrom is the backoff count the last success reset, so that a pause
	// reported in the body of that very answer goes on backing off.
	resetFrom int
}

// A call is one call sent, in the hourly window.
type call struct {
	at time.Time
	p  lms.Priority
}

// levels is the number of priorities.
const levels = int(lms.PriorityProgress) + 1

// rank returns p, or the nearest priority when p is none of them.
func rank(p lms.Priority) lms.Priority {
	return min(max(p, lms.PriorityWrite), lms.PriorityProgress)
}

// New returns a full Budget with the given limits.
func New(l Limits, clk clock.PassiveClock) *Budget {
	l = l.normalised()
	return &Budget{
		clock:  clk,
		jitter: rand.Float64,
		limits: l,
		tokens: float64(l.Burst),
		last:   clk.Now(),
	}
}

func (l Limits) normalised() Limits {
	if l.RequestsPerHour < 1 {
		l.RequestsPerHour = 1
	}
	if l.Burst < 1 {
		l.Burst = 1
	}
	if l.Burst > l.RequestsPerHour {
		l.Burst = l.RequestsPerHour
	}
	if l.ProgressShare <= 0 {
		l.ProgressShare = DefaultProgressShare
	}
	l.ProgressShare = min(l.ProgressShare, 1)
	return l
}

// SetLimits changes the limits, keeping the calls already counted.
func (b *Budget) SetLimits(l Limits) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(b.clock.Now())
	b.limits = l.normalised()
	b.tokens = math.Min(b.tokens, float64(b.limits.Burst))
}

// Limits returns the limits in force.
func (b *Budget) Limits() Limits {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.limits
}

// Take spends one token for a call of priority p, as an anonymous caller (one
// that holds no place in the queue). It returns true when the call may be
// sent now; otherwise the delay after which to ask again, and whether the
// delay comes from a pause after a 429.
func (b *Budget) Take(p lms.Priority) (ok bool, wait time.Duration, paused bool) {
	ok, w := b.take("", p)
	return ok, w.After, w.Paused
}

// take spends one token for a call of priority p by the caller key ("":
// anonymous), recording the call in the hourly window.
func (b *Budget) take(key string, p lms.Priority) (bool, Wait) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	p = rank(p)
	w, ok := b.admit(now, key, 1, p)
	if ok {
		b.record(now, p)
	}
	return ok, w
}

// record counts a call of priority p sent at now.
func (b *Budget) record(now time.Time, p lms.Priority) {
	b.sent = append(b.sent, call{at: now, p: p})
	b.used[p]++
}

// reserve is how many tokens a call of priority p must leave for higher
// priorities: single-object writes come before batches, which come before
// drift reads, which come before progress.
// MaxAcquire is the most tokens an operation of priority p can be granted
// at once: the burst, less what p leaves for higher priorities. An operation
// of more calls is best split into parts of this size.
func (b *Budget) MaxAcquire(p lms.Priority) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return max(b.limits.Burst-int(b.reserve(p)), 1)
}

func (b *Budget) reserve(p lms.Priority) float64 {
	switch p {
	case lms.PriorityBatch:
		return math.Floor(float64(b.limits.Burst) * 0.1)
	case lms.PriorityRead:
		return math.Floor(float64(b.limits.Burst) * 0.2)
	case lms.PriorityProgress:
		return math.Floor(float64(b.limits.Burst) * 0.5)
	}
	return 0
}

// windowWait returns how long until n calls of priority p fit in the hourly
// cap; lower priorities may not use the last part of the hour's allowance.
func (b *Budget) windowWait(now time.Time, p lms.Priority, n int) time.Duration {
	capacity := b.limits.RequestsPerHour
	switch p {
	case lms.PriorityBatch:
		capacity -= capacity / 40
	case lms.PriorityRead:
		capacity -= capacity / 20
	case lms.PriorityProgress:
		capacity -= capacity / 10
	}
	capacity = max(capacity, n)
	over := len(b.sent) + n - capacity
	if over <= 0 {
		return 0
	}
	// The calls fit once the over oldest calls have left the window.
	return b.sent[over-1].at.Add(Window).Sub(now)
}

// progressCap is how many progress calls the sliding hour may hold.
func (b *Budget) progressCap() int {
	return max(1, int(b.limits.ProgressShare*float64(b.limits.RequestsPerHour)))
}

// shareWait returns how long until n more calls of priority p fit in its
// share of the sliding hour; only progress has a share.
func (b *Budget) shareWait(now time.Time, p lms.Priority, n int) time.Duration {
	if p != lms.PriorityProgress {
		return 0
	}
	over := b.used[p] + n - max(b.progressCap(), n)
	if over <= 0 {
		return 0
	}
	// The calls fit once the over oldest progress calls have left the window.
	for _, c := range b.sent {
		if c.p == p {
			if over--; over == 0 {
				return c.at.Add(Window).Sub(now)
			}
		}
	}
	return 0
}

func (b *Budget) refill(now time.Time) {
	elapsed := now.Sub(b.last).Seconds()
	if elapsed <= 0 {
		return
	}
	b.last = now
	b.tokens = math.Min(float64(b.limits.Burst), b.tokens+elapsed*b.ratePerSecond())
}

func (b *Budget) ratePerSecond() float64 {
	return float64(b.limits.RequestsPerHour) / Window.Seconds()
}

func (b *Budget) refillTime(tokens float64) time.Duration {
	d := time.Duration(math.Ceil(tokens / b.ratePerSecond() * float64(time.Second)))
	if d < time.Millisecond {
		d = time.Millisecond
	}
	return d
}

func (b *Budget) forget(now time.Time) {
	cut := now.Add(-Window)
	i := 0
	for i < len(b.sent) && !b.sent[i].at.After(cut) {
		b.used[b.sent[i].p]--
		i++
	}
	if i > 0 {
		b.sent = append(b.sent[:0], b.sent[i:]...)
	}
}

// Pause stops every call of the connection after an HTTP 429. With a
// Retry-After (retryAfter > 0) the pause lasts that long; without one it backs
// off exponentially from MinPause to MaxPause, with up to 10% jitter. A
// pause never lasts longer than MaxRetryAfter. It returns the end of the pause.
func (b *Budget) Pause(retryAfter time.Duration) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pause(retryAfter)
}

// pauseAfterAnswer pauses as Pause does, for a rate limit reported in the body
// of an answer: that answer was counted as a success, which must not restart
// the backoff.
func (b *Budget) pauseAfterAnswer(retryAfter time.Duration) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pauses = max(b.pauses, b.resetFrom)
	b.resetFrom = 0
	return b.pause(retryAfter)
}

// pause stops every call until now + retryAfter, or the backoff.
func (b *Budget) pause(retryAfter time.Duration) time.Time {
	now := b.clock.Now()
	d := min(retryAfter, MaxRetryAfter)
	if d <= 0 {
		d = b.backoff()
	}
	b.pauses++
	if until := now.Add(d); until.After(b.pausedUntil) {
		b.pausedUntil = until
	}
	return b.pausedUntil
}

func (b *Budget) backoff() time.Duration {
	d := MinPause << min(b.pauses, 6)
	if d > MaxPause {
		d = MaxPause
	}
	return d + time.Duration(b.jitter()*0.1*float64(d))
}

// PauseUntil pauses every call of the connection until t, unless it is
// paused longer already: a restarted process takes over the pause that a
// 429 asked of the one before it (recorded in the connection's status).
func (b *Budget) PauseUntil(t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t.After(b.pausedUntil) {
		b.pausedUntil = t
	}
}

// Succeeded records an answer that was not a 429, which resets the backoff.
func (b *Budget) Succeeded() {
	b.mu.Lock()
	b.resetFrom, b.pauses = b.pauses, 0
	b.mu.Unlock()
}
