package controller

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// groupsCacheKey is the key of the group list in a connection's Groups cache.
const groupsCacheKey = "groups"

// A LearnerGroupReconciler makes the LMS group of each LearnerGroup, and its
// members, match the spec. It finds groups in the connection's cached group
// list (one list per sync interval), reads a group's members once per
// reconcile, and writes only what differs.
type LearnerGroupReconciler struct {
	client   client.Client
	status   statusWriter
	conns    *connectionResolver
	recorder events.EventRecorder
	metrics  *metrics.Metrics
}

// NewLearnerGroupReconciler returns a LearnerGroupReconciler.
func NewLearnerGroupReconciler(d Deps) *LearnerGroupReconciler {
	return &LearnerGroupReconciler{client: d.Client, status: d.statusWriter(), conns: d.resolver(), recorder: d.Recorder("learnergroup"), metrics: d.Metrics}
}

// groupRun is one reconcile of one LearnerGroup.
type groupRun struct {
	*LearnerGroupReconciler
	g        *v1alpha1.LearnerGroup
	conn     *pool.Connection
	groups   lms.GroupClient
	caps     lms.Capabilities
	interval time.Duration
}

// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learnergroups,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learnergroups/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learnergroups/finalizers,verbs=update
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learners,verbs=get;list;watch

// Reconcile implements reconcile.Reconciler.
func (r *LearnerGroupReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var g v1alpha1.LearnerGroup
	if err := r.client.Get(ctx, req.NamespacedName, &g); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	orig := g.DeepCopy()
	o := r.reconcile(ctx, &g)
	rebase := func(f client.Object) {
		fg := f.(*v1alpha1.LearnerGroup)
		managed := rebaseSet(fg.Status.ManagedMembers, orig.Status.ManagedMembers, g.Status.ManagedMembers)
		fg.Status = g.Status
		fg.Status.ManagedMembers = managed
	}
	return r.status.finish(ctx, "LearnerGroup", orig, &g, &g.Status.CommonStatus, &orig.Status, &g.Status, rebase, o)
}

func (r *LearnerGroupReconciler) reconcile(ctx context.Context, g *v1alpha1.LearnerGroup) outcome {
	c, o := r.conns.resolve(ctx, g.Namespace, g.Spec.ConnectionRef)
	if o != nil {
		if !g.DeletionTimestamp.IsZero() {
			return releaseIfConnectionGone(ctx, r.client, g, *o)
		}
		return *o
	}
	run := &groupRun{LearnerGroupReconciler: r, g: g, conn: c.conn, groups: c.conn.Client.Groups(),
		caps: c.conn.Client.Capabilities(), interval: c.syncInterval}
	if !g.DeletionTimestamp.IsZero() {
		return run.finalize(ctx)
	}
	if o := run.validate(ctx); o != nil {
		return *o
	}
	if controllerutil.AddFinalizer(g, Finalizer) {
		if err := r.client.Update(ctx, g); err != nil {
			return outcome{reason: v1alpha1.ReasonProgressing, message: err.Error(), err: err}
		}
	}
	return run.sync(ctx)
}

// sync makes the group, then its members, match the spec.
func (run *groupRun) sync(ctx context.Context) outcome {
	parentID, o := run.parentID(ctx)
	if o != nil {
		return *o
	}
	if o := run.ensureGroup(ctx, parentID); o != nil {
		return *o
	}
	return run.syncMembers(ctx)
}

// finalize applies the deletion policy, then lets the LearnerGroup go.
func (run *groupRun) finalize(ctx context.Context) outcome {
	if !controllerutil.ContainsFinalizer(run.g, Finalizer) {
		return working(v1alpha1.ReasonDeleting, "deleting", 0)
	}
	if o := run.applyDeletionPolicy(ctx); o != nil {
		return *o
	}
	controllerutil.RemoveFinalizer(run.g, Finalizer)
	if err := run.client.Update(ctx, run.g); err != nil {
		return outcome{reason: v1alpha1.ReasonDeleting, message: err.Error(), err: client.IgnoreNotFound(err)}
	}
	return working(v1alpha1.ReasonDeleting, "deleted", 0)
}

// applyDeletionPolicy deletes the LMS group under the Delete policy. On
// Enabley a group with child groups cannot be deleted, so it waits for the
// LearnerGroups naming it as parent to go first.
func (run *groupRun) applyDeletionPolicy(ctx context.Context) *outcome {
	id := run.g.Status.ExternalID
	if run.g.Spec.DeletionPolicy == v1alpha1.GroupOrphan || id == "" || run.groups == nil {
		return nil
	}
	if children := run.childGroups(ctx); len(children) > 0 {
		w := working(v1alpha1.ReasonDeleting, "waiting for the child LearnerGroups "+strings.Join(children, ", ")+" to be deleted first", 0)
		return &w
	}
	return run.write(ctx, 1, func(ctx context.Context) *outcome {
		if err := run.groups.Delete(ctx, id); err != nil && !lms.IsNotFound(err) {
			o := run.failed("delete group", err)
			return &o
		}
		run.conn.Groups.Forget(groupsCacheKey)
		run.event(corev1.EventTypeNormal, "Deleted", "Delete", "Deleted LMS group %s (id %s)", run.g.Spec.DisplayName, id)
		return nil
	})
}

// write runs op, a write of n vendor calls, with its tokens taken from the
// connection's budget together. It returns op's outcome, or the wait for
// the budget when the tokens are not there.
func (run *groupRun) write(ctx context.Context, n int, op func(context.Context) *outcome) *outcome {
	var res *outcome
	ran := false
	o := withTokens(ctx, run.conn, n, lms.PriorityWrite, func(ctx context.Context) outcome {
		ran, res = true, op(ctx)
		return outcome{}
	})
	if !ran {
		return &o
	}
	return res
}

// failed reports a vendor failure as an event and an outcome.
func (run *groupRun) failed(action string, err error) outcome {
	o := fromError(action, err)
	if !lms.IsRateLimited(err) {
		run.event(corev1.EventTypeWarning, o.reason, "Sync", "Failed to %s: %s", action, lms.Message(err))
	}
	return o
}

func (run *groupRun) event(typ, reason, action, format string, args ...any) {
	run.recorder.Eventf(run.g, nil, typ, reason, action, format, args...)
}

// SetupWithManager registers the controller. LearnerGroups are reconciled on
// spec changes, when their parent or child groups get or lose their LMS group,
// when a Learner they declare (by name or label) changes in a way that
// matters to membership, and when their connection's readiness changes.
func (r *LearnerGroupReconciler) SetupWithManager(mgr ctrl.Manager, concurrency int) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1alpha1.LearnerGroup{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&v1alpha1.LearnerGroup{}, handler.EnqueueRequestsFromMapFunc(r.relatedGroups), groupIdentityChanged()).
		Watches(&v1alpha1.Learner{}, handler.EnqueueRequestsFromMapFunc(r.groupsOfLearner), membershipChanged()).
		Watches(&v1alpha1.LMSConnection{}, dependentsOf(r.client, v1alpha1.LMSConnectionKind, &v1alpha1.LearnerGroupList{}), readinessChanged()).
		Watches(&v1alpha1.ClusterLMSConnection{}, dependentsOf(r.client, v1alpha1.ClusterLMSConnectionKind, &v1alpha1.LearnerGroupList{}), readinessChanged()).
		WithOptions(controllerOptions(concurrency)).
		Named("learnergroup").
		Complete(r)
}

// groupMessage is a list of names for a condition message, cut after a few.
func groupMessage(names []string) string {
	const shown = 5
	if len(names) <= shown {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:shown], ", "), len(names)-shown)
}
