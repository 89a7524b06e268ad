package budget

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// Grace is how long past the time it was told to come back a waiter keeps
// its place, and the tokens held for it. A waiter that has not come back by
// then has vanished (its object was deleted, its work was done otherwise):
// its place lapses so that it cannot block the queue.
const Grace = 15 * time.Second

// StarveAfter is how long a waiter of a priority below PriorityWrite may wait
// while its priority is under its floor (see floorShare) before it is served
// ahead of the higher priorities.
const StarveAfter = time.Minute

// floorShare is the share of RequestsPerHour, in the sliding hour, that a
// priority is guaranteed under pressure from the ones above: while it used
// less, a waiter of it that has waited StarveAfter is served first.
var floorShare = [levels]float64{
	lms.PriorityBatch:    0.10,
	lms.PriorityRead:     0.05,
	lms.PriorityProgress: 0.02,
}

// A place names a caller's place: one per caller key and priority, so that
// an object waiting for its writes and for a read holds two.
type place struct {
	key string
	p   lms.Priority
}

// A waiter is a caller waiting for tokens.
type waiter struct {
	place
	// n is how many tokens it asked for when it last came.
	n int
	// seq orders the waiters by arrival; a caller with no place yet has the
	// largest, behind every waiter.
	seq uint64
	// since is when it took its place; due is when it was told to come back.
	since, due time.Time
}

// A queue holds the places of the callers that wait for tokens, in the
// order of their arrival.
type queue struct {
	seq uint64
	// waiters finds a caller's place; line holds the same waiters in the
	// order they came.
	waiters map[place]*waiter
	line    []*waiter
	// nextLapse is the earliest time a place may lapse: no place lapses before.
	nextLapse time.Time
}

// find returns the waiter of the caller key at priority p, asking for n
// tokens: its place when it has one, else a new waiter that has none yet.
func (q *queue) find(key string, p lms.Priority, n int, now time.Time) *waiter {
	if w, ok := q.waiters[place{key: key, p: p}]; ok && key != "" {
		w.n = n
		return w
	}
	return &waiter{place: place{key: key, p: p}, n: n, seq: math.MaxUint64, since: now}
}

// hold keeps w's place, giving it one at the tail when it has none, until
// due (and the grace period after it). An anonymous caller gets no place.
func (q *queue) hold(w *waiter, due time.Time) {
	if w.key == "" {
		return
	}
	if w.seq == math.MaxUint64 {
		q.seq++
		w.seq = q.seq
		if q.waiters == nil {
			q.waiters = map[place]*waiter{}
		}
		q.waiters[w.place] = w
		q.line = append(q.line, w)
	}
	w.due = due
	if end := due.Add(Grace); q.nextLapse.IsZero() || end.Before(q.nextLapse) {
		q.nextLapse = end
	}
}

// leave removes w's place, once it is served.
func (q *queue) leave(w *waiter) {
	if q.waiters[w.place] != w {
		return
	}
	delete(q.waiters, w.place)
	i, _ := slices.BinarySearchFunc(q.line, w.seq, func(x *waiter, seq uint64) int { return cmp.Compare(x.seq, seq) })
	q.line = slices.Delete(q.line, i, i+1)
}

// lapse removes the places of the waiters that did not come back within the
// grace period after they were due.
func (q *queue) lapse(now time.Time) {
	if q.nextLapse.IsZero() || !now.After(q.nextLapse) {
		return
	}
	q.nextLapse = time.Time{}
	q.line = slices.DeleteFunc(q.line, func(w *waiter) bool {
		end := w.due.Add(Grace)
		if now.After(end) {
			delete(q.waiters, w.place)
			return true
		}
		if q.nextLapse.IsZero() || end.Before(q.nextLapse) {
			q.nextLapse = end
		}
		return false
	})
}

// queued returns the number of waiters by priority.
func (q *queue) queued() [levels]int {
	var n [levels]int
	for _, w := range q.line {
		n[w.p]++
	}
	return n
}
