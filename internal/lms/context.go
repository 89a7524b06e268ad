package lms

import "context"

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

// Priority orders calls competing for a connection's request budget.
type Priority int

// The priorities. Writes come before reads for drift, which come before progress polling.
const (
	PriorityWrite Priority = iota
	PriorityRead
	PriorityProgress
)

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
