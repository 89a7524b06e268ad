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

// lmsConnection adapts an LMSConnection to connectionObject.
type lmsConnection struct{ *v1alpha1.LMSConnection }

func (c lmsConnection) settings() *v1alpha1.ConnectionSettings { return &c.Spec.ConnectionSettings }
func (c lmsConnection) connStatus() *v1alpha1.ConnectionStatus { return &c.Status }
func (c lmsConnection) secretKey() client.ObjectKey {
	return client.ObjectKey{Namespace: c.Namespace, Name: c.Spec.CredentialsSecretRef.Name}
}
func (c lmsConnection) object() client.Object { return c.LMSConnection }
func (c lmsConnection) poolKey() pool.Key {
	return pool.Key{Kind: v1alpha1.LMSConnectionKind, Namespace: c.Namespace, Name: c.Name}
}

// An LMSConnectionReconciler verifies an LMSConnection's credentials, keeps
// its client, budget and inventory in the pool, and publishes its state.
type LMSConnectionReconciler struct {
	connectionCore
}

// NewLMSConnectionReconciler returns an LMSConnectionReconciler; paused
// receives the LMSConnections that paused after a 429.
func NewLMSConnectionReconciler(d Deps, paused chan event.GenericEvent) *LMSConnectionReconciler {
	return &LMSConnectionReconciler{connectionCore: d.connectionCore("lmsconnection", paused)}
}

// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=lmsconnections,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=lmsconnections/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=lmsconnections/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile implements reconcile.Reconciler.
func (r *LMSConnectionReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var obj v1alpha1.LMSConnection
	if err := r.Client.Get(ctx, req.NamespacedName, &obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	orig := obj.DeepCopy()
	res, err := r.reconcile(ctx, lmsConnection{&obj})
	if perr := patchStatus(ctx, r.Client, orig, &obj, orig.Status, obj.Status); perr != nil && err == nil {
		err = perr
	}
	return res, err
}

// SetupWithManager registers the controller: it watches LMSConnections, their
// Secrets (metadata only) and, while a connection is being deleted, its users.
func (r *LMSConnectionReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1alpha1.LMSConnection{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.forSecret)).
		Watches(&v1alpha1.Learner{}, dependentDeleted(v1alpha1.LMSConnectionKind), deletesOnly()).
		Watches(&v1alpha1.LearnerGroup{}, dependentDeleted(v1alpha1.LMSConnectionKind), deletesOnly()).
		Watches(&v1alpha1.Enrollment{}, dependentDeleted(v1alpha1.LMSConnectionKind), deletesOnly()).
		WatchesRawSource(source.Channel(r.paused, &handler.EnqueueRequestForObject{})).
		Named("lmsconnection").
		Complete(r)
}

func (r *LMSConnectionReconciler) forSecret(ctx context.Context, s client.Object) []reconcile.Request {
	var list v1alpha1.LMSConnectionList
	if err := r.Client.List(ctx, &list, client.MatchingFields{indexSecret: s.GetNamespace() + "/" + s.GetName()}); err != nil {
		return nil
	}
	out := make([]reconcile.Request, 0, len(list.Items))
	for _, c := range list.Items {
		out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&c)})
	}
	return out
}
