package lms

import (
	"context"
	"strconv"
	"sync"
)

type opKey struct{}

// WithOperation returns ctx carrying the vendor operation's name (such as
// "users/add"), which the budget and metrics transports read to label calls.
// Vendor clients set it on every request's context.
func WithOperation(ctx context.Context, op string) context.Context {
	return context.WithValue(ctx, opKey{}, op)
}

// Operation returns the operation name carried by ctx, or "unknown".
func Operation(ctx context.Context) string {
	if op, ok := ctx.Value(opKey{}).(string); ok {
		return op
	}
	return "unknown"
}

// Priority orders calls competing for a connection's request budget. A lower
// value is served first.
type Priority int

// The priorities, highest first:
//
//  1. PriorityWrite: single-object writes, the creates, updates and deletions
//     of one Learner or one group (and the cheap reads of the same operation);
//  2. PriorityBatch: bulk membership writes sent in chunks, a group's members
//     or an Enrollment's assignments, so that a running batch of 10,000
//     assignments never starves the creates of new Learners;
//  3. PriorityRead: reads that look for drift (user and group lists, members,
//     assignments, target lists);
//  4. PriorityProgress: per-learner progress reads, which may also use no more
//     than their capped share of the connection's hour.
//
// The budget keeps a lower priority from starving for ever: see package budget.
const (
	PriorityWrite Priority = iota
	PriorityBatch
	PriorityRead
	PriorityProgress
)

// Priorities returns every priority, highest first.
func Priorities() []Priority {
	return []Priority{PriorityWrite, PriorityBatch, PriorityRead, PriorityProgress}
}

// String returns the priority's name: Write, Batch, Read or Progress.
func (p Priority) String() string {
	switch p {
	case PriorityWrite:
		return "Write"
	case PriorityBatch:
		return "Batch"
	case PriorityRead:
		return "Read"
	case PriorityProgress:
		return "Progress"
	}
	return "Priority(" + strconv.Itoa(int(p)) + ")"
}

type prioKey struct{}

// WithPriority returns ctx carrying the priority of the calls made with it.
func WithPriority(ctx context.Context, p Priority) context.Context {
	return context.WithValue(ctx, prioKey{}, p)
}

// PriorityOf returns the priority carried by ctx (PriorityWrite when none).
func PriorityOf(ctx context.Context) Priority {
	if p, ok := ctx.Value(prioKey{}).(Priority); ok {
		return p
	}
	return PriorityWrite
}

type callerKey struct{}

// WithCaller returns ctx carrying the key of the object on whose behalf its
// calls are made ("Learner/ns/name"), so that the request budget keeps that
// caller's place in its queue when it waits and comes back.
func WithCaller(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, callerKey{}, key)
}

// CallerOf returns the caller key carried by ctx, or "" (an anonymous caller).
func CallerOf(ctx context.Context) string {
	k, _ := ctx.Value(callerKey{}).(string)
	return k
}

// CallerKey is the caller key of an object: "Kind/namespace/name", or
// "Kind/name" for a cluster-scoped object.
func CallerKey(kind, namespace, name string) string {
	if namespace == "" {
		return kind + "/" + name
	}
	return kind + "/" + namespace + "/" + name
}

type memoKey struct{}

// A memo holds the answers of the reads made with one context.
type memo struct {
	mu     sync.Mutex
	values map[string]any
}

// WithMemo returns ctx carrying a memo of reads: a vendor client that reads
// the same thing twice with it (Enabley's channel performance, for the
// channel's learners and for their progress) makes the read once. A
// reconcile sets one, so that nothing outlives it.
func WithMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &memo{values: map[string]any{}})
}

// Memoize returns the answer of read under key from ctx's memo, reading it
// when the memo has none (or ctx carries no memo). Failures are not kept.
func Memoize[T any](ctx context.Context, key string, read func() (T, error)) (T, error) {
	m, ok := ctx.Value(memoKey{}).(*memo)
	if !ok {
		return read()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.values[key].(T); ok {
		return v, nil
	}
	v, err := read()
	if err == nil {
		m.values[key] = v
	}
	return v, err
}

type pageLimitKey struct{}

// WithPageLimit returns ctx carrying the most pages a paged read may send
// with it (spec.rateLimit.pagesPerSync), once the read was whole once: a
// longer read goes on where it stopped at its next turn. n <= 0 means no
// limit, for callers that need a whole read now.
func WithPageLimit(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, pageLimitKey{}, max(n, 0))
}

// PageLimit returns the page limit carried by ctx, 0 when none.
func PageLimit(ctx context.Context) int {
	n, _ := ctx.Value(pageLimitKey{}).(int)
	return n
}
