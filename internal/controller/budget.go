package controller

import (
	"context"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/budget"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// spend runs op, an operation of n vendor calls of priority p, with its
// tokens taken from the connection's budget together, so that concurrent
// operations never starve each other half-way. The caller named in ctx (the
// object, see lms.WithCaller) keeps its place in the budget's queue while it
// waits. It returns op's outcome (nil: op is done and the reconcile goes
// on), or the wait when it is not the caller's turn or the tokens are not
// there.
func spend(ctx context.Context, conn *pool.Connection, n int, p lms.Priority, op func(context.Context) *outcome) *outcome {
	gctx, g, w := conn.Budget.AcquireFor(ctx, budget.Request{Key: lms.CallerOf(ctx), Tokens: n, Priority: p})
	if g == nil {
		reason := v1alpha1.ReasonWaitingForRateBudget
		if w.Paused {
			reason = v1alpha1.ReasonRateLimited
		}
		return ptrTo(working(reason, w.Message(), w.After))
	}
	defer g.Release()
	return op(gctx)
}
