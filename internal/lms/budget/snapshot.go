package budget

import (
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// A Snapshot reports a Budget's state, for a connection's status and for
// `kubectl lms status`.
type Snapshot struct {
	Limits Limits
	// RequestsLastHour is how many calls were sent in the last hour.
	RequestsLastHour int
	// RequestsLeft is how many more calls the sliding hour allows now.
	RequestsLeft int
	// Tokens is how many whole tokens the bucket holds now.
	Tokens int
	// PausedUntil is the end of the pause after a 429; zero when not paused.
	PausedUntil time.Time
	// Priorities reports each priority, highest first.
	Priorities []PriorityUsage
	// ProgressShareLeft is how many more progress calls the sliding hour's
	// progress share allows now.
	ProgressShareLeft int
}

// A PriorityUsage reports one priority's use of the budget.
type PriorityUsage struct {
	Priority lms.Priority
	// RequestsLastHour is how many calls of the priority were sent in the last hour.
	RequestsLastHour int
	// Queued is how many callers of the priority hold a place in the queue.
	Queued int
}

// Snapshot returns the budget's state now.
func (b *Budget) Snapshot() Snapshot {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	b.refill(now)
	b.forget(now)
	b.queue.lapse(now)
	s := Snapshot{Limits: b.limits, RequestsLastHour: len(b.sent), Tokens: int(b.tokens),
		RequestsLeft:      max(0, b.limits.RequestsPerHour-len(b.sent)),
		ProgressShareLeft: max(0, b.progressCap()-b.used[lms.PriorityProgress])}
	if now.Before(b.pausedUntil) {
		s.PausedUntil = b.pausedUntil
	}
	queued := b.queue.queued()
	for _, p := range lms.Priorities() {
		s.Priorities = append(s.Priorities, PriorityUsage{Priority: p, RequestsLastHour: b.used[p], Queued: queued[p]})
	}
	return s
}
