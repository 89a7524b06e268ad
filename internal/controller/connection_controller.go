package controller

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// A ConnectionReconciler verifies the credentials of an LMSConnection or a
// ClusterLMSConnection, keeps its client, budget and inventory in the pool,
// and publishes its state. One type serves both kinds.
type ConnectionReconciler struct {
	connectionCore
	// newObject returns an empty connection of the reconciler's kind.
	newObject func() connectionObject
	list      client.ObjectList
	name      string
}

// The grants are what the code uses (docs/security.md says why each):
// connections are read from the cache (list, watch), their finalizer is
// updated, the approval annotation removed (patch), status patched; Secrets
// are read uncached by name (get) and watched as metadata (list, watch);
// namespaces are read from the cache for their labels (list, watch).
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=lmsconnections,verbs=list;watch;update;patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=lmsconnections/status,verbs=patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=lmsconnections/finalizers,verbs=update
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=clusterlmsconnections,verbs=list;watch;update;patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=clusterlmsconnections/status,verbs=patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=clusterlmsconnections/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// NewLMSConnectionReconciler returns the reconciler of LMSConnections;
// paused receives the LMSConnections that paused after a 429.
func NewLMSConnectionReconciler(d Deps, paused chan event.GenericEvent) *ConnectionReconciler {
	return &ConnectionReconciler{connectionCore: d.connectionCore("lmsconnection", paused), name: "lmsconnection",
		newObject: func() connectionObject { return lmsConnection{&v1alpha1.LMSConnection{}} },
		list:      &v1alpha1.LMSConnectionList{}}
}

// NewClusterLMSConnectionReconciler returns the reconciler of
// ClusterLMSConnections; paused receives the ones that paused after a 429.
func NewClusterLMSConnectionReconciler(d Deps, paused chan event.GenericEvent) *ConnectionReconciler {
	return &ConnectionReconciler{connectionCore: d.connectionCore("clusterlmsconnection", paused), name: "clusterlmsconnection",
		newObject: func() connectionObject { return clusterConnection{&v1alpha1.ClusterLMSConnection{}} },
		list:      &v1alpha1.ClusterLMSConnectionList{}}
}

// Reconcile implements reconcile.Reconciler.
func (r *ConnectionReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return r.reconcileObject(ctx, req.NamespacedName, r.newObject())
}

// SetupWithManager registers the controller with concurrency workers: it
// watches the connections, their Secrets (metadata only), their pauses after
// a 429 and, while one is being deleted, its users.
func (r *ConnectionReconciler) SetupWithManager(mgr ctrl.Manager, concurrency int) error {
	return r.setup(mgr, r.newObject().object(), r.list, r.name, r, concurrency)
}

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
