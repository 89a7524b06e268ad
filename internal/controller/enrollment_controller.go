package controller

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// An EnrollmentReconciler assigns the learners and groups of each Enrollment
// to its course, learning path or channel, removes the assignments it made
// when subjects leave, and reports progress read within the request budget.
type EnrollmentReconciler struct {
	reconciler[*v1alpha1.Enrollment]
	events  events.EventRecorder
	clock   clock.PassiveClock
	metrics *metrics.Metrics
	// progress remembers what was read of each Enrollment's progress, so that
	// completed users are not asked again and an interrupted read resumes.
	progress *progressBook
}

// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=enrollments,verbs=get;list;watch;update
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=enrollments/status,verbs=patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=enrollments/finalizers,verbs=update
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learners,verbs=list;watch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learnergroups,verbs=list;watch

// NewEnrollmentReconciler returns an EnrollmentReconciler.
func NewEnrollmentReconciler(d Deps) *EnrollmentReconciler {
	r := &EnrollmentReconciler{events: d.Recorder("enrollment"), clock: d.Clock, metrics: d.Metrics, progress: newProgressBook()}
	r.reconciler = reconcilerOf(d, kind[*v1alpha1.Enrollment]{
		name:      "Enrollment",
		newObject: func() *v1alpha1.Enrollment { return &v1alpha1.Enrollment{} },
		rebase:    rebaseEnrollment,
		newRun:    r.newRun,
		released:  r.released,
		gone:      func(key types.NamespacedName) { r.metrics.ForgetEnrollment(key.Namespace, key.Name) },
	})
	return r
}

// released forgets what is held of an Enrollment whose finalizer was
// released: its progress and its learners' metric series.
func (r *EnrollmentReconciler) released(e *v1alpha1.Enrollment) {
	r.progress.forget(e.UID)
	r.metrics.ForgetEnrollment(e.Namespace, e.Name)
}

// rebaseEnrollment lays mine's status onto fresh, keeping the assignments
// that another reconcile recorded in status.
func rebaseEnrollment(fresh, orig, mine *v1alpha1.Enrollment) {
	users := rebaseSet(fresh.Status.AssignedUserIDs, orig.Status.AssignedUserIDs, mine.Status.AssignedUserIDs)
	groups := rebaseSet(fresh.Status.AssignedGroups, orig.Status.AssignedGroups, mine.Status.AssignedGroups)
	fresh.Status = mine.Status
	fresh.Status.AssignedUserIDs, fresh.Status.AssignedGroups = users, groups
}

// enrollmentRun is one reconcile of one Enrollment.
type enrollmentRun struct {
	*EnrollmentReconciler
	runBase
	e   *v1alpha1.Enrollment
	now time.Time
}

// newRun starts one reconcile of e with its connection.
func (r *EnrollmentReconciler) newRun(e *v1alpha1.Enrollment, env runEnv) kindRun {
	return &enrollmentRun{EnrollmentReconciler: r, runBase: newRunBase(r.events, e, env), e: e, now: r.clock.Now()}
}

// finalizes reports whether the Enrollment's deletion policy may unassign.
func (run *enrollmentRun) finalizes() bool { return !run.observeOnly() }

// observeOnly reports whether the Enrollment never writes.
func (run *enrollmentRun) observeOnly() bool {
	return run.e.Spec.ManagementPolicy == v1alpha1.ManagementObserveOnly
}

// sync resolves the target and the subjects, makes the assignments match
// them, reads progress when it is due and finds the learners overdue. The
// learners' metric follows the status it leaves.
func (run *enrollmentRun) sync(ctx context.Context) outcome {
	ctx = lms.WithMemo(ctx) // one read of a vendor answer that serves several views (Enabley's performance pages)
	ctx = lms.WithPageLimit(ctx, run.conn.Settings.PagesPerSync)
	defer run.publishLearners()
	target, subj, o := run.observe(ctx)
	if o != nil {
		return *o
	}
	state, o := run.assignOrObserve(ctx, target, subj)
	if o != nil {
		return *o
	}
	rule, _ := dueRuleOf(run.e.Spec, target.Deadline) // validate refused a dueDate that does not parse
	subjects := subjectList(subj, state)
	led, progress := run.readProgress(ctx, target, subjects)
	due := run.dueTimes(rule, subjects)
	run.summarize(target, subjects, led, due)
	if len(subj.pending) > 0 {
		return working(v1alpha1.ReasonWaitingForDependencies, "waiting for "+truncated(subj.pending, shownNames), run.interval)
	}
	o = run.observedDrift(subjects)
	if o == nil {
		o = ptrTo(done(v1alpha1.ReasonSynced, run.syncedMessage(target, subj), run.interval))
	}
	o.requeueAfter = run.nextProgress(led)
	if progress != nil {
		o.message, o.requeueAfter = o.message+"; "+progress.message, progress.requeueAfter
	}
	o.requeueAfter = run.nextDueIn(o.requeueAfter, due, led)
	return *o
}

// syncedMessage is the Ready message of a synced Enrollment.
func (run *enrollmentRun) syncedMessage(target lms.Target, subj *enrollmentSubjects) string {
	msg := fmt.Sprintf("%d of %d learners assigned to %s", run.e.Status.Summary.Assigned, run.e.Status.Summary.Subjects, describeTarget(target))
	if len(subj.groups) > 0 {
		msg += fmt.Sprintf(" (%s through groups)", countNouns(map[string]int{"group": len(subj.groups)}))
	}
	if note := describeDue(run.e.Status.Summary); note != "" {
		msg += "; " + note
	}
	return msg
}

// nextProgress is when the Enrollment is looked at again: after the sync
// interval, or sooner when a learner's own read of progress is due before.
func (run *enrollmentRun) nextProgress(led *progressLedger) time.Duration {
	if led == nil {
		return run.interval
	}
	if next := led.nextDue(); !next.IsZero() {
		return min(run.interval, max(next.Sub(run.now), time.Second))
	}
	return run.interval
}

// observe resolves the target and the subjects the spec names.
func (run *enrollmentRun) observe(ctx context.Context) (lms.Target, *enrollmentSubjects, *outcome) {
	target, o := run.resolveTarget(ctx)
	if o != nil {
		return target, nil, o
	}
	subj, o := run.resolveSubjects(ctx)
	return target, subj, o
}

// deletionPolicy removes the assignments the Enrollment made, unless Orphan.
func (run *enrollmentRun) deletionPolicy(ctx context.Context) *outcome {
	if run.e.Spec.DeletionPolicy == v1alpha1.EnrollmentOrphan || run.observeOnly() {
		return nil
	}
	return run.unassignAll(ctx)
}

// assignOrObserve makes the assignments match the subjects or, under
// ObserveOnly, only reads what the target has assigned.
func (run *enrollmentRun) assignOrObserve(ctx context.Context, t lms.Target, s *enrollmentSubjects) (*assignState, *outcome) {
	if !run.observeOnly() {
		return run.assign(ctx, t, s)
	}
	st := newAssignState()
	users, o := run.listAssignedUsers(ctx, t, sets.New[string]())
	if o != nil {
		return st, o
	}
	st.users = users
	if len(s.groups) > 0 {
		groups, o := run.listAssignedGroups(ctx, t, sets.New[string]())
		if o != nil {
			return st, o
		}
		st.groups = groups
	}
	return st, nil
}

// observedDrift is, under ObserveOnly, the report of the subjects the target
// has not assigned; nil when it has them all.
func (run *enrollmentRun) observedDrift(subjects []subjectProgress) *outcome {
	if !run.observeOnly() {
		return nil
	}
	var missing []string
	for _, s := range subjects {
		if !s.assigned {
			missing = append(missing, s.name)
		}
	}
	if len(missing) == 0 {
		return ptrTo(done(v1alpha1.ReasonObserved, fmt.Sprintf("the LMS assigns all %d learners", len(subjects)), run.interval))
	}
	return ptrTo(working(v1alpha1.ReasonDrifted, fmt.Sprintf("%d learners are not assigned: %s (ObserveOnly: nothing is written)",
		len(missing), truncated(missing, shownNames)), run.interval))
}

// SetupWithManager registers the controller. Enrollments are reconciled on
// spec changes, on changes of their connection's readiness, when a
// Learner or LearnerGroup they resolve to changes, and when the deletion
// guard releases what they hold.
func (r *EnrollmentReconciler) SetupWithManager(mgr ctrl.Manager, concurrency int) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1alpha1.Enrollment{}, specOrAnnotationsChanged()).
		WatchesMetadata(&corev1.Namespace{}, clusterDependentsIn(r.client, &v1alpha1.EnrollmentList{}), namespaceLabelsChanged()).
		WatchesRawSource(r.guards.source("Enrollment")).
		Watches(&v1alpha1.LMSConnection{}, dependentsOf(r.client, v1alpha1.LMSConnectionKind, &v1alpha1.EnrollmentList{}), readinessChanged()).
		Watches(&v1alpha1.ClusterLMSConnection{}, dependentsOf(r.client, v1alpha1.ClusterLMSConnectionKind, &v1alpha1.EnrollmentList{}), readinessChanged()).
		Watches(&v1alpha1.Learner{}, r.learnerHandler(), membershipChanged()).
		Watches(&v1alpha1.LearnerGroup{}, r.groupHandler(), groupChanged()).
		WithOptions(controllerOptions(concurrency)).
		Named("enrollment").
		Complete(r)
}
