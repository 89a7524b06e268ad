package controller

import (
	"context"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// poolWait is how long a resource waits for its connection's client to be set
// up after a restart, when the connection object already says Ready.
const poolWait = 2 * time.Second

// A connectionResolver finds the pool.Connection a resource refers to, and
// says why a resource cannot use it yet.
type connectionResolver struct {
	client client.Client
	// reader reads Secrets uncached, to build the client of a connection
	// being deleted that the pool lost (a restart).
	reader client.Reader
	pool   *pool.Pool
	guards *deletionGuards
}

// resolved is a usable connection.
type resolved struct {
	conn *pool.Connection
	// syncInterval is the connection's interval for drift and progress.
	syncInterval time.Duration
	// deleting: the connection is being deleted. A dependent's deletion
	// policy that the vendor refuses (Stalled) then lets the dependent go
	// rather than hold the connection's deletion for ever.
	deleting bool
	// grants are what the connection lets the resource's namespace do.
	grants grants
	// guard is the connection's deletion guard.
	guard *deletionGuard
}

// resolve returns the connection of ref for a resource in namespace, or the
// outcome to report when it cannot be used. An outcome with abandon set
// tells a resource being deleted to let go without its deletion policy.
func (r *connectionResolver) resolve(ctx context.Context, namespace string, ref v1alpha1.ConnectionReference) (*resolved, *outcome) {
	key := connectionKey(namespace, ref)
	obj, o := r.connection(ctx, key, namespace)
	if o != nil {
		return nil, o
	}
	if paused(obj.object()) {
		return nil, ptrTo(connectionPaused(key))
	}
	g, err := r.grantsOf(ctx, obj, namespace)
	if err != nil {
		return nil, &outcome{reason: v1alpha1.ReasonConnectionNotReady, message: err.Error(), err: err}
	}
	c, o := r.usable(ctx, key, obj)
	if c != nil {
		c.grants, c.guard = g, r.guards.of(key, g.seed)
	}
	return c, o
}

// usable returns the connection obj of key as its dependents use it, or the
// outcome to report when they cannot.
func (r *connectionResolver) usable(ctx context.Context, key pool.Key, obj connectionObject) (*resolved, *outcome) {
	if !obj.GetDeletionTimestamp().IsZero() {
		return r.deletingConnection(ctx, obj)
	}
	conn, inPool := r.pool.Get(key)
	if o := notUsable(key, obj.connStatus(), conn); o != nil {
		return nil, o
	}
	if !inPool {
		return r.rebuild(ctx, obj)
	}
	return &resolved{conn: conn, syncInterval: conn.Settings.SyncInterval}, nil
}

// rebuild builds the client of a Ready connection that the pool lost (a
// restart) from the Secret and spec the connection verified, so that its
// dependents go on before the connection's own reconcile; otherwise they
// wait for that reconcile, looking again after poolWait.
func (r *connectionResolver) rebuild(ctx context.Context, obj connectionObject) (*resolved, *outcome) {
	key, st := obj.poolKey(), obj.connStatus()
	settingUp := working(v1alpha1.ReasonConnectionNotReady, fmt.Sprintf("%s %s is being set up", key.Kind, key), poolWait)
	if st.SecretResourceVersion == "" || !isReady(st.Conditions, obj.GetGeneration()) {
		return nil, &settingUp
	}
	conn, _, err := buildClient(ctx, r.reader, r.pool, obj, st.SecretResourceVersion)
	if err != nil {
		return nil, &outcome{reason: v1alpha1.ReasonConnectionNotReady, message: err.Error(), err: err}
	}
	if conn == nil {
		return nil, &settingUp
	}
	return &resolved{conn: conn, syncInterval: conn.Settings.SyncInterval}, nil
}

// connection reads the connection object of key, checking that a
// ClusterLMSConnection allows the namespace.
func (r *connectionResolver) connection(ctx context.Context, key pool.Key, namespace string) (connectionObject, *outcome) {
	var obj connectionObject = lmsConnection{&v1alpha1.LMSConnection{}}
	if key.Kind == v1alpha1.ClusterLMSConnectionKind {
		obj = clusterConnection{&v1alpha1.ClusterLMSConnection{}}
	}
	if err := r.client.Get(ctx, client.ObjectKey{Namespace: key.Namespace, Name: key.Name}, obj.object()); err != nil {
		return nil, missingConnection(key, err)
	}
	cc, ok := obj.(clusterConnection)
	if !ok {
		return obj, nil
	}
	allowed, err := r.namespaceAllowed(ctx, cc.Spec.AllowedNamespaces, namespace, "spec.allowedNamespaces")
	if err != nil {
		return nil, &outcome{reason: v1alpha1.ReasonConnectionNotReady, message: err.Error(), err: err}
	}
	if !allowed {
		s := stalled(v1alpha1.ReasonNamespaceNotAllowed,
			fmt.Sprintf("ClusterLMSConnection %s does not allow namespace %s (spec.allowedNamespaces)", key.Name, namespace))
		s.abandon = true
		return nil, &s
	}
	return obj, nil
}

// notUsable returns why a connection that is not being deleted cannot serve
// its dependents, nil when it can: when Ready, or when only its latest
// inventory refresh failed and conn, its pool entry, holds an earlier
// snapshot to work from.
func notUsable(key pool.Key, st *v1alpha1.ConnectionStatus, conn *pool.Connection) *outcome {
	ready := meta.FindStatusCondition(st.Conditions, v1alpha1.ConditionReady)
	if ready != nil && ready.Status == metav1.ConditionTrue {
		return nil
	}
	if ready != nil && ready.Reason == v1alpha1.ReasonInventoryFailed && conn != nil {
		if loaded, _ := conn.Users.Loaded(); loaded {
			return nil
		}
	}
	why := "it has no status yet"
	if ready != nil {
		why = ready.Reason + ": " + ready.Message
	}
	w := working(v1alpha1.ReasonConnectionNotReady, fmt.Sprintf("%s %s is not Ready (%s)", key.Kind, key, why), 0)
	return &w
}

// deletingConnection serves the dependents of a connection being deleted
// with the client the pool holds (credentials read earlier), whatever its
// Secret now; after a restart, with one built from the Secret. When none
// can be built, dependents being deleted let go (abandon).
func (r *connectionResolver) deletingConnection(ctx context.Context, obj connectionObject) (*resolved, *outcome) {
	key := obj.poolKey()
	conn, ok := r.pool.Get(key)
	if !ok {
		var why string
		var err error
		if conn, why, err = buildClient(ctx, r.reader, r.pool, obj, ""); err != nil {
			return nil, &outcome{reason: v1alpha1.ReasonConnectionNotReady, message: err.Error(), err: err}
		}
		if why != "" {
			w := working(v1alpha1.ReasonConnectionNotReady,
				fmt.Sprintf("%s %s is being deleted and no client can be built (%s)", key.Kind, key, why), 0)
			w.abandon = true
			return nil, &w
		}
	}
	return &resolved{conn: conn, syncInterval: conn.Settings.SyncInterval, deleting: true}, nil
}

// missingConnection is the outcome of a connection that cannot be read: a
// connection that does not exist lets a dependent being deleted go.
func missingConnection(key pool.Key, err error) *outcome {
	if apierrors.IsNotFound(err) {
		w := working(v1alpha1.ReasonConnectionNotReady, fmt.Sprintf("%s %s not found", key.Kind, key), 0)
		w.abandon = true
		return &w
	}
	return &outcome{reason: v1alpha1.ReasonConnectionNotReady, message: err.Error(), err: err}
}

// namespaceAllowed reports whether an AllowedNamespaces (a ClusterLMSConnection's
// field, named for errors) admits ns.
func (r *connectionResolver) namespaceAllowed(ctx context.Context, an *v1alpha1.AllowedNamespaces, ns, field string) (bool, error) {
	if an == nil || (len(an.Names) == 0 && an.Selector == nil) {
		return true, nil
	}
	if slices.Contains(an.Names, ns) {
		return true, nil
	}
	if an.Selector == nil {
		return false, nil
	}
	sel, err := metav1.LabelSelectorAsSelector(an.Selector)
	if err != nil {
		return false, fmt.Errorf("%s.selector: %w", field, err)
	}
	var n metav1.PartialObjectMetadata // the Namespace watch caches metadata only
	n.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Namespace"))
	if err := r.client.Get(ctx, client.ObjectKey{Name: ns}, &n); err != nil {
		return false, fmt.Errorf("read namespace %s: %w", ns, err)
	}
	return sel.Matches(labels.Set(n.Labels)), nil
}
