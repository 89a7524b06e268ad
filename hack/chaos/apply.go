package main

import (
	"context"
	"fmt"
	"time"

	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// applyAttempts bounds the tries of one op against the API server.
const applyAttempts = 10

// runOps applies ops in order, each after its delay, calling before ahead
// of each and done after. It stops at the first op the API server keeps
// refusing, or the first error of before.
func runOps(ctx context.Context, c client.Client, ops []op, before, done func(op) error) error {
	for _, o := range ops {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(o.delay):
		}
		if err := before(o); err != nil {
			return err
		}
		if err := applyWithRetry(ctx, c, o); err != nil {
			return err
		}
		if err := done(o); err != nil {
			return err
		}
	}
	return nil
}

// applyWithRetry applies o, retrying errors a while: the API server can be
// slow on a loaded machine.
func applyWithRetry(ctx context.Context, c client.Client, o op) error {
	var err error
	for range applyAttempts {
		if err = applyOp(ctx, c, o); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s: %w", o, err)
}

// applyOp creates, updates or deletes o's object. A create that finds the
// object (an earlier try got through) and a delete that finds none are done.
func applyOp(ctx context.Context, c client.Client, o op) error {
	switch o.kind {
	case opCreate:
		return client.IgnoreAlreadyExists(c.Create(ctx, o.obj.DeepCopyObject().(client.Object)))
	case opDelete:
		return client.IgnoreNotFound(c.Delete(ctx, o.obj.DeepCopyObject().(client.Object)))
	}
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur := o.obj.DeepCopyObject().(client.Object)
		if err := c.Get(ctx, client.ObjectKeyFromObject(o.obj), cur); err != nil {
			return err
		}
		copySpec(cur, o.obj)
		return c.Update(ctx, cur)
	})
}

// copySpec sets dst's spec to src's; both are of the same kind.
func copySpec(dst, src client.Object) {
	switch d := dst.(type) {
	case *v1alpha1.Learner:
		d.Spec = *src.(*v1alpha1.Learner).Spec.DeepCopy()
	case *v1alpha1.LearnerGroup:
		d.Spec = *src.(*v1alpha1.LearnerGroup).Spec.DeepCopy()
	case *v1alpha1.Enrollment:
		d.Spec = *src.(*v1alpha1.Enrollment).Spec.DeepCopy()
	}
}
