package controller

import (
	"context"
	"maps"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// dependentDeleted maps a deleted Learner, LearnerGroup or Enrollment to its
// connection of the given kind, so that a connection waiting for its users to
// go is finalized when the last one goes.
func dependentDeleted(kind string) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
		m, ok := o.(managed)
		if !ok || m.GetConnectionRef().KindOrDefault() != kind {
			return nil
		}
		k := connectionKey(o.GetNamespace(), m.GetConnectionRef())
		return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: k.Namespace, Name: k.Name}}}
	})
}

// deletesOnly passes delete events only.
func deletesOnly() builder.WatchesOption {
	return builder.WithPredicates(predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return false },
		UpdateFunc:  func(event.UpdateEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return true },
	})
}

// dependentsOf maps a connection of the given kind to the objects in list's
// type that use it.
func dependentsOf(c client.Client, kind string, list client.ObjectList) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
		key := pool.Key{Kind: kind, Namespace: o.GetNamespace(), Name: o.GetName()}
		l := list.DeepCopyObject().(client.ObjectList)
		if err := c.List(ctx, l, client.MatchingFields{indexConnection: indexValue(key)}, client.UnsafeDisableDeepCopy); err != nil {
			return nil
		}
		return requestsFor(l)
	})
}

// requestsFor returns a request for every item of l.
func requestsFor(l client.ObjectList) []reconcile.Request {
	var out []reconcile.Request
	_ = meta.EachListItem(l, func(obj runtime.Object) error {
		out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(obj.(client.Object))})
		return nil
	})
	return out
}

// updatesWhere passes creations and deletions, and the updates of T objects
// for which changed holds; never generic events.
func updatesWhere[T client.Object](changed func(old, new T) bool) builder.WatchesOption {
	return builder.WithPredicates(predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			o, okOld := e.ObjectOld.(T)
			n, okNew := e.ObjectNew.(T)
			return okOld && okNew && changed(o, n)
		},
		GenericFunc: func(event.GenericEvent) bool { return false },
	})
}

// readinessChanged passes connection events that change what dependents see:
// a generation the connection has finished reconciling (so that its new
// settings and budget are in the pool), a flip of the Ready condition or a
// new reason for it (SecretNotFound, then Deleting: the connection stopped
// being usable in another way), the start of its deletion, and newly
// verified credentials (a fixed Secret must reach the dependents that the
// old one stalled, even when the connection stayed Ready).
func readinessChanged() builder.WatchesOption { return updatesWhere(connectionChanged) }

// connectionChanged is readinessChanged's test of an update from old to new.
func connectionChanged(old, new client.Object) bool {
	o, n := connStatusOf(old), connStatusOf(new)
	if o == nil || n == nil {
		return false
	}
	return o.ObservedGeneration != n.ObservedGeneration || o.SecretResourceVersion != n.SecretResourceVersion ||
		isReady(o.Conditions, old.GetGeneration()) != isReady(n.Conditions, new.GetGeneration()) ||
		readyReason(o.Conditions) != readyReason(n.Conditions) || deleting(old) != deleting(new) ||
		paused(old) != paused(new)
}

// specOrAnnotationsChanged passes creations, deletions, and the updates of
// a managed object that change its spec (generation) or one of the
// annotations the operator acts on (paused, reconcile-requested-at), so that
// removing a pause or requesting a re-read acts at once.
func specOrAnnotationsChanged() builder.Predicates {
	return builder.WithPredicates(predicate.Or[client.Object](predicate.GenerationChangedPredicate{},
		predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool { return annotationsChanged(e.ObjectOld, e.ObjectNew) }}))
}

// readyReason is the reason of the Ready condition, "" without one.
func readyReason(conds []metav1.Condition) string {
	if c := meta.FindStatusCondition(conds, v1alpha1.ConditionReady); c != nil {
		return c.Reason
	}
	return ""
}

// connStatusOf returns the status of a connection object, nil for another object.
func connStatusOf(o client.Object) *v1alpha1.ConnectionStatus {
	switch c := o.(type) {
	case *v1alpha1.LMSConnection:
		return &c.Status
	case *v1alpha1.ClusterLMSConnection:
		return &c.Status
	}
	return nil
}

// membershipChanged passes Learner events that may change what a
// LearnerGroup or an Enrollment resolves to: creation and deletion, a new
// generation, a label change, a new status.externalID, a flip of Ready, and
// the start of a deletion.
func membershipChanged() builder.WatchesOption {
	return updatesWhere(func(o, n *v1alpha1.Learner) bool {
		return o.Generation != n.Generation || !maps.Equal(o.Labels, n.Labels) ||
			o.Status.ExternalID != n.Status.ExternalID ||
			meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.ConditionReady) !=
				meta.IsStatusConditionTrue(n.Status.Conditions, v1alpha1.ConditionReady) ||
			deleting(o) != deleting(n)
	})
}

// membershipDelay is how long a change of a Learner waits before it reaches
// the LearnerGroups and Enrollments that declare it: a burst of changes
// (10,000 Learners becoming Ready one by one) then reaches each of them about
// once per delay rather than once per Learner, and each of their reconciles
// writes the members gathered meanwhile as one batch.
const membershipDelay = 2 * time.Second

// learnersCoalesced returns a handler that enqueues, membershipDelay after
// a Learner's event, the objects mapFn maps its versions to (the old and the
// new on an update, so that a Learner leaving a selector reaches the group it
// left).
func learnersCoalesced(mapFn func(ctx context.Context, ls []*v1alpha1.Learner) []reconcile.Request) handler.EventHandler {
	type queue = workqueue.TypedRateLimitingInterface[reconcile.Request]
	add := func(ctx context.Context, q queue, objs ...client.Object) {
		var ls []*v1alpha1.Learner
		for _, o := range objs {
			if l, ok := o.(*v1alpha1.Learner); ok {
				ls = append(ls, l)
			}
		}
		for _, req := range mapFn(ctx, ls) {
			q.AddAfter(req, membershipDelay)
		}
	}
	return handler.Funcs{
		CreateFunc:  func(ctx context.Context, e event.CreateEvent, q queue) { add(ctx, q, e.Object) },
		UpdateFunc:  func(ctx context.Context, e event.UpdateEvent, q queue) { add(ctx, q, e.ObjectOld, e.ObjectNew) },
		DeleteFunc:  func(ctx context.Context, e event.DeleteEvent, q queue) { add(ctx, q, e.Object) },
		GenericFunc: func(ctx context.Context, e event.GenericEvent, q queue) { add(ctx, q, e.Object) },
	}
}

// controllerOptions sets a controller's concurrency.
func controllerOptions(concurrency int) controller.Options {
	return controller.Options{MaxConcurrentReconciles: max(concurrency, 1)}
}
