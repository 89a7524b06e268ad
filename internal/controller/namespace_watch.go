package controller

import (
	"context"
	"maps"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// clusterDependentsIn maps a Namespace (its metadata) to the objects of
// list's type in it whose connectionRef is a ClusterLMSConnection: the
// namespace's labels decide whether the connection's
// allowedNamespaces.selector admits them, so that NamespaceNotAllowed clears
// (or starts) as soon as a namespace is labelled.
func clusterDependentsIn(c client.Client, list client.ObjectList) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, ns client.Object) []reconcile.Request {
		l := list.DeepCopyObject().(client.ObjectList)
		if err := c.List(ctx, l, client.InNamespace(ns.GetName())); err != nil {
			return nil
		}
		var out []reconcile.Request
		_ = meta.EachListItem(l, func(obj runtime.Object) error {
			if m, ok := obj.(managed); ok && m.GetConnectionRef().KindOrDefault() == v1alpha1.ClusterLMSConnectionKind {
				out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(m)})
			}
			return nil
		})
		return out
	})
}

// namespaceLabelsChanged passes the Namespace updates that change its
// labels; a new namespace has no dependents yet, and a deleted one's go
// with it.
func namespaceLabelsChanged() builder.WatchesOption {
	return builder.WithPredicates(predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
		UpdateFunc: func(e event.UpdateEvent) bool {
			return !maps.Equal(e.ObjectOld.GetLabels(), e.ObjectNew.GetLabels())
		},
	})
}
