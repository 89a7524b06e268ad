package controller

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

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
	return r.reconcileObject(ctx, req.NamespacedName, lmsConnection{&v1alpha1.LMSConnection{}})
}

// SetupWithManager registers the controller: it watches LMSConnections, their
// Secrets (metadata only), their pauses after a 429 and, while one is being
// deleted, its users.
func (r *LMSConnectionReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return r.setup(mgr, &v1alpha1.LMSConnection{}, &v1alpha1.LMSConnectionList{}, "lmsconnection", r)
}
