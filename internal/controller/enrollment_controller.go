package controller

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// An EnrollmentReconciler assigns the learners and groups of each Enrollment
// to its course, learning path or channel, removes the assignments it made
// when subjects leave, and reports progress read within the request budget.
type EnrollmentReconciler struct {
	client   client.Client
	status   statusWriter
	conns    *connectionResolver
	recorder events.EventRecorder
	clock    clock.PassiveClock
	metrics  *metrics.Metrics
	// progress remembers what was read of each Enrollment's progress, so that
	// completed users are not asked again and an interrupted read resumes.
	progress *progressBook
}

// NewEnrollmentReconciler returns an EnrollmentReconciler.
func NewEnrollmentReconciler(d Deps) *EnrollmentReconciler {
	return &EnrollmentReconciler{client: d.Client, status: d.statusWriter(), conns: d.resolver(), recorder: d.Recorder("enrollment"),
		clock: d.Clock, metrics: d.Metrics, progress: newProgressBook()}
}

// enrollmentRun is one reconcile of one Enrollment.
type enrollmentRun struct {
	*EnrollmentReconciler
	e        *v1alpha1.Enrollment
	conn     *pool.Connection
	caps     lms.Capabilities
	interval time.Duration
	now      time.Time
}

// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=enrollments,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=enrollments/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=enrollments/finalizers,verbs=update
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learners,verbs=get;list;watch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learnergroups,verbs=get;list;watch

// Reconcile implements reconcile.Reconciler.
func (r *EnrollmentReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var e v1alpha1.Enrollment
	if err := r.client.Get(ctx, req.NamespacedName, &e); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	orig := e.DeepCopy()
	o := r.reconcile(ctx, &e)
	rebase := func(f client.Object) {
		fe := f.(*v1alpha1.Enrollment)
		users := rebaseSet(fe.Status.AssignedUserIDs, orig.Status.AssignedUserIDs, e.Status.AssignedUserIDs)
		groups := rebaseSet(fe.Status.AssignedGroups, orig.Status.AssignedGroups, e.Status.AssignedGroups)
		fe.Status = e.Status
		fe.Status.AssignedUserIDs, fe.Status.AssignedGroups = users, groups
	}
	return r.status.finish(ctx, "Enrollment", orig, &e, &e.Status.CommonStatus, &orig.Status, &e.Status, rebase, o)
}

func (r *EnrollmentReconciler) reconcile(ctx context.Context, e *v1alpha1.Enrollment) outcome {
	c, o := r.conns.resolve(ctx, e.Namespace, e.Spec.ConnectionRef)
	if o != nil {
		if !e.DeletionTimestamp.IsZero() {
			if o.connectionGone {
				r.progress.forget(e.UID)
			}
			return releaseIfConnectionGone(ctx, r.client, e, *o)
		}
		return *o
	}
	run := &enrollmentRun{EnrollmentReconciler: r, e: e, conn: c.conn, caps: c.conn.Client.Capabilities(),
		interval: c.syncInterval, now: r.clock.Now()}
	if !e.DeletionTimestamp.IsZero() {
		return run.finalize(ctx)
	}
	if o := run.checkSupported(); o != nil {
		return *o
	}
	if controllerutil.AddFinalizer(e, Finalizer) {
		if err := r.client.Update(ctx, e); err != nil {
			return outcome{reason: v1alpha1.ReasonProgressing, message: err.Error(), err: err}
		}
	}
	return run.sync(ctx)
}

// sync resolves the target and the subjects, makes the assignments match
// them, and reads progress when it is due.
func (run *enrollmentRun) sync(ctx context.Context) outcome {
	target, o := run.resolveTarget(ctx)
	if o != nil {
		return *o
	}
	subj, o := run.resolveSubjects(ctx)
	if o != nil {
		return *o
	}
	state, o := run.assign(ctx, target, subj)
	if o != nil {
		return *o
	}
	subjects := subjectList(subj, state)
	led, progress := run.readProgress(ctx, target, subjects)
	run.summarize(subjects, led)
	if len(subj.pending) > 0 {
		return working(v1alpha1.ReasonWaitingForDependencies, pendingMessage(subj.pending), run.interval)
	}
	msg := fmt.Sprintf("%d of %d learners assigned to %s", run.e.Status.Summary.Assigned, run.e.Status.Summary.Subjects, describeTarget(target))
	if len(subj.groups) > 0 {
		msg += fmt.Sprintf(" (%s through groups)", countNouns(map[string]int{"group": len(subj.groups)}))
	}
	if progress != nil {
		return done(v1alpha1.ReasonSynced, msg+"; "+progress.message, progress.requeueAfter)
	}
	return done(v1alpha1.ReasonSynced, msg, run.interval)
}

// pendingMessage names the subjects not Ready yet, at most five of them.
func pendingMessage(pending []string) string {
	shown := pending
	if len(shown) > 5 {
		shown = shown[:5]
	}
	msg := "waiting for " + strings.Join(shown, ", ")
	if len(pending) > len(shown) {
		msg += fmt.Sprintf(" and %d more", len(pending)-len(shown))
	}
	return msg
}

// finalize applies the deletion policy, then lets the Enrollment go.
func (run *enrollmentRun) finalize(ctx context.Context) outcome {
	if !controllerutil.ContainsFinalizer(run.e, Finalizer) {
		return working(v1alpha1.ReasonDeleting, "deleting", 0)
	}
	if run.e.Spec.DeletionPolicy != v1alpha1.EnrollmentOrphan {
		if o := run.unassignAll(ctx); o != nil {
			return *o
		}
	}
	run.progress.forget(run.e.UID)
	controllerutil.RemoveFinalizer(run.e, Finalizer)
	if err := run.client.Update(ctx, run.e); err != nil {
		return outcome{reason: v1alpha1.ReasonDeleting, message: err.Error(), err: client.IgnoreNotFound(err)}
	}
	return working(v1alpha1.ReasonDeleting, "deleted", 0)
}

// failed reports a vendor failure as an event and an outcome.
func (run *enrollmentRun) failed(action string, err error) outcome {
	o := fromError(action, err)
	if !lms.IsRateLimited(err) {
		run.event(corev1.EventTypeWarning, o.reason, "Sync", "Failed to %s: %s", action, lms.Message(err))
	}
	return o
}

func (run *enrollmentRun) event(typ, reason, action, format string, args ...any) {
	run.recorder.Eventf(run.e, nil, typ, reason, action, format, args...)
}

// SetupWithManager registers the controller. Enrollments are reconciled on
// spec changes, on changes of their connection's readiness, and when a
// Learner or LearnerGroup they resolve to changes.
func (r *EnrollmentReconciler) SetupWithManager(mgr ctrl.Manager, concurrency int) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1alpha1.Enrollment{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&v1alpha1.LMSConnection{}, dependentsOf(r.client, v1alpha1.LMSConnectionKind, &v1alpha1.EnrollmentList{}), readinessChanged()).
		Watches(&v1alpha1.ClusterLMSConnection{}, dependentsOf(r.client, v1alpha1.ClusterLMSConnectionKind, &v1alpha1.EnrollmentList{}), readinessChanged()).
		Watches(&v1alpha1.Learner{}, r.learnerHandler(), membershipChanged()).
		Watches(&v1alpha1.LearnerGroup{}, r.groupHandler(), groupChanged()).
		WithOptions(controllerOptions(concurrency)).
		Named("enrollment").
		Complete(r)
}
