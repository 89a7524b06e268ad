package controller

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

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
	return r.reconcileObject(ctx, req.NamespacedName, clusterConnection{&v1alpha1.ClusterLMSConnection{}})
}

// SetupWithManager registers the controller: it watches ClusterLMSConnections, their
// Secrets (metadata only), their pauses after a 429 and, while one is being
// deleted, its users.
func (r *ClusterLMSConnectionReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return r.setup(mgr, &v1alpha1.ClusterLMSConnection{}, &v1alpha1.ClusterLMSConnectionList{}, "clusterlmsconnection", r)
}
