package controller

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// clusterConnection adapts a ClusterLMSConnection to connectionObject.
type clusterConnection struct{ *v1alpha1.ClusterLMSConnection }

func (c clusterConnection) settings() *v1alpha1.ConnectionSettings { return &c.Spec.ConnectionSettings }
func (c clusterConnection) connStatus() *v1alpha1.ConnectionStatus { return &c.Status }
func (c clusterConnection) secretKey() client.ObjectKey {
	return client.ObjectKey{Namespace: c.Spec.CredentialsSecretRef.Namespace, Name: c.Spec.CredentialsSecretRef.Name}
}
func (c clusterConnection) object() client.Object { return c.ClusterLMSConnection }
func (c clusterConnection) poolKey() pool.Key {
	return pool.Key{Kind: v1alpha1.ClusterLMSConnectionKind, Name: c.Name}
}

// A ClusterLMSConnectionReconciler does for ClusterLMSConnections what the
// LMSConnectionReconciler does for LMSConnections.
type ClusterLMSConnectionReconciler struct {
	connectionCore
}

// NewClusterLMSConnectionReconciler returns a ClusterLMSConnectionReconciler;
// paused receives the ClusterLMSConnections that paused after a 429.
func NewClusterLMSConnectionReconciler(d Deps, paused chan event.GenericEvent) *ClusterLMSConnectionReconciler {
	return &ClusterLMSConnectionReconciler{connectionCore: d.connectionCore("clusterlmsconnection", paused)}
}

// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=clusterlmsconnections,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=clusterlmsconnections/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=clusterlmsconnections/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch

// Reconcile implements reconcile.Reconciler.
func (r *ClusterLMSConnectionReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var obj v1alpha1.ClusterLMSConnection
	if err := r.Client.Get(ctx, req.NamespacedName, &obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	orig := obj.DeepCopy()
	res, err := r.reconcile(ctx, clusterConnection{&obj})
	if perr := patchStatus(ctx, r.Client, orig, &obj, orig.Status, obj.Status); perr != nil && err == nil {
		err = perr
	}
	return res, err
}

// SetupWithManager registers the controller.
func (r *ClusterLMSConnectionReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1alpha1.ClusterLMSConnection{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.forSecret)).
		Watches(&v1alpha1.Learner{}, dependentDeleted(v1alpha1.ClusterLMSConnectionKind), deletesOnly()).
		Watches(&v1alpha1.LearnerGroup{}, dependentDeleted(v1alpha1.ClusterLMSConnectionKind), deletesOnly()).
		Watches(&v1alpha1.Enrollment{}, dependentDeleted(v1alpha1.ClusterLMSConnectionKind), deletesOnly()).
		WatchesRawSource(source.Channel(r.paused, &handler.EnqueueRequestForObject{})).
		Named("clusterlmsconnection").
		Complete(r)
}

func (r *ClusterLMSConnectionReconciler) forSecret(ctx context.Context, s client.Object) []reconcile.Request {
	var list v1alpha1.ClusterLMSConnectionList
	if err := r.Client.List(ctx, &list, client.MatchingFields{indexSecret: s.GetNamespace() + "/" + s.GetName()}); err != nil {
		return nil
	}
	out := make([]reconcile.Request, 0, len(list.Items))
	for _, c := range list.Items {
		out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&c)})
	}
	return out
}
