package controller

import (
	"context"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// spend runs op, an operation of n vendor calls of priority p, with its
// tokens taken from the connection's budget together, so that concurrent
// operations never starve each other half-way. It returns op's outcome (nil:
// op is done and the reconcile goes on), or the wait when the tokens are not
// there.
func spend(ctx context.Context, conn *pool.Connection, n int, p lms.Priority, op func(context.Context) *outcome) *outcome {
	gctx, g, wait, paused := conn.Budget.Acquire(ctx, n, p)
	if g == nil {
		if paused {
			return ptrTo(working(v1alpha1.ReasonRateLimited, "the connection is paused after the vendor answered 429", wait))
		}
		return ptrTo(working(v1alpha1.ReasonWaitingForRateBudget, "waiting for the connection's request budget", wait))
	}
	defer g.Release()
	return op(lms.WithPriority(gctx, p))
}
