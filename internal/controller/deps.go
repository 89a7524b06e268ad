package controller

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"

	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// Deps are what the reconcilers share: the API clients, the connection pool
// (with the vendor registry inside) and the metrics. cmd/main.go builds them;
// tests build them with the simulator's endpoints.
type Deps struct {
	Client client.Client
	// APIReader reads without the cache (Secrets).
	APIReader client.Reader
	Pool      *pool.Pool
	// Recorder returns the event recorder of a controller.
	Recorder func(name string) events.EventRecorder
	Clock    clock.PassiveClock
	Metrics  *metrics.Metrics
	// OnUsersChanged is told of users that changed in an inventory refresh.
	OnUsersChanged UsersChangedFunc
}

func (d Deps) connectionCore(name string, paused chan event.GenericEvent) connectionCore {
	return connectionCore{Client: d.Client, APIReader: d.APIReader, Pool: d.Pool,
		Recorder: d.Recorder(name), Clock: d.Clock, OnUsersChanged: d.OnUsersChanged, paused: paused}
}

func (d Deps) resolver() *connectionResolver {
	return &connectionResolver{client: d.Client, pool: d.Pool}
}

// connectionRefOf returns the connection reference of a dependent object.
func connectionRefOf(o client.Object) (v1alpha1.ConnectionReference, bool) {
	switch x := o.(type) {
	case *v1alpha1.Learner:
		return x.Spec.ConnectionRef, true
	case *v1alpha1.LearnerGroup:
		return x.Spec.ConnectionRef, true
	case *v1alpha1.Enrollment:
		return x.Spec.ConnectionRef, true
	}
	return v1alpha1.ConnectionReference{}, false
}

// dependentDeleted maps a deleted Learner, LearnerGroup or Enrollment to its
// connection of the given kind, so that a connection waiting for its users to
// go is finalized when the last one goes.
func dependentDeleted(kind string) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
		ref, ok := connectionRefOf(o)
		if !ok || ref.KindOrDefault() != kind {
			return nil
		}
		k := connectionKey(o.GetNamespace(), ref)
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
		if err := c.List(ctx, l, client.MatchingFields{indexConnection: indexValue(key)}); err != nil {
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

// readinessChanged passes connection events that change what dependents see:
// a generation the connection has finished reconciling (so that its new
// settings and budget are in the pool), or a flip of the Ready condition.
func readinessChanged() builder.WatchesOption {
	return builder.WithPredicates(predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			o, n := connStatusOf(e.ObjectOld), connStatusOf(e.ObjectNew)
			if o == nil || n == nil {
				return false
			}
			return o.ObservedGeneration != n.ObservedGeneration ||
				isReady(o.Conditions, e.ObjectOld.GetGeneration()) != isReady(n.Conditions, e.ObjectNew.GetGeneration())
		},
		GenericFunc: func(event.GenericEvent) bool { return false },
	})
}

func connStatusOf(o client.Object) *v1alpha1.ConnectionStatus {
	switch c := o.(type) {
	case *v1alpha1.LMSConnection:
		return &c.Status
	case *v1alpha1.ClusterLMSConnection:
		return &c.Status
	}
	return nil
}

// controllerOptions sets a controller's concurrency.
func controllerOptions(concurrency int) controller.Options {
	return controller.Options{MaxConcurrentReconciles: max(concurrency, 1)}
}
