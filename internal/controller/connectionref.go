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
	pool   *pool.Pool
}

// resolved is a usable connection.
type resolved struct {
	conn *pool.Connection
	// syncInterval is the connection's interval for drift and progress.
	syncInterval time.Duration
}

// resolve returns the connection of ref for a resource in namespace, or the
// outcome to report when it cannot be used.
func (r *connectionResolver) resolve(ctx context.Context, namespace string, ref v1alpha1.ConnectionReference) (*resolved, *outcome) {
	key := connectionKey(namespace, ref)
	conds, o := r.connectionConditions(ctx, key, namespace)
	if o != nil {
		return nil, o
	}
	if ready := meta.FindStatusCondition(conds, v1alpha1.ConditionReady); !usable(ready) {
		why := "it has no status yet"
		if ready != nil {
			why = ready.Reason + ": " + ready.Message
		}
		w := working(v1alpha1.ReasonConnectionNotReady, fmt.Sprintf("%s %s is not Ready (%s)", key.Kind, key, why), 0)
		return nil, &w
	}
	conn, ok := r.pool.Get(key)
	if !ok {
		w := working(v1alpha1.ReasonConnectionNotReady, fmt.Sprintf("%s %s is being set up", key.Kind, key), poolWait)
		return nil, &w
	}
	return &resolved{conn: conn, syncInterval: conn.Settings.SyncInterval}, nil
}

// connectionConditions reads the connection object's conditions, checking
// that a ClusterLMSConnection allows the namespace.
func (r *connectionResolver) connectionConditions(ctx context.Context, key pool.Key, namespace string) ([]metav1.Condition, *outcome) {
	if key.Kind == v1alpha1.LMSConnectionKind {
		var c v1alpha1.LMSConnection
		if err := r.client.Get(ctx, client.ObjectKey{Namespace: key.Namespace, Name: key.Name}, &c); err != nil {
			return nil, missingConnection(key, err)
		}
		return c.Status.Conditions, nil
	}
	var c v1alpha1.ClusterLMSConnection
	if err := r.client.Get(ctx, client.ObjectKey{Name: key.Name}, &c); err != nil {
		return nil, missingConnection(key, err)
	}
	allowed, err := r.namespaceAllowed(ctx, c.Spec.AllowedNamespaces, namespace)
	if err != nil {
		return nil, &outcome{reason: v1alpha1.ReasonConnectionNotReady, message: err.Error(), err: err}
	}
	if !allowed {
		s := stalled(v1alpha1.ReasonNamespaceNotAllowed,
			fmt.Sprintf("ClusterLMSConnection %s does not allow namespace %s (spec.allowedNamespaces)", key.Name, namespace))
		return nil, &s
	}
	return c.Status.Conditions, nil
}

// usable reports whether a connection with this Ready condition can serve its
// dependents: when Ready, or while it waits for them to be deleted.
func usable(ready *metav1.Condition) bool {
	return ready != nil && (ready.Status == metav1.ConditionTrue || ready.Reason == v1alpha1.ReasonDeleting)
}

func missingConnection(key pool.Key, err error) *outcome {
	if apierrors.IsNotFound(err) {
		w := working(v1alpha1.ReasonConnectionNotReady, fmt.Sprintf("%s %s not found", key.Kind, key), 0)
		w.connectionGone = true
		return &w
	}
	return &outcome{reason: v1alpha1.ReasonConnectionNotReady, message: err.Error(), err: err}
}

// namespaceAllowed reports whether a ClusterLMSConnection's allowedNamespaces admits ns.
func (r *connectionResolver) namespaceAllowed(ctx context.Context, an *v1alpha1.AllowedNamespaces, ns string) (bool, error) {
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
		return false, fmt.Errorf("spec.allowedNamespaces.selector: %w", err)
	}
	var n corev1.Namespace
	if err := r.client.Get(ctx, client.ObjectKey{Name: ns}, &n); err != nil {
		return false, fmt.Errorf("read namespace %s: %w", ns, err)
	}
	return sel.Matches(labels.Set(n.Labels)), nil
}
