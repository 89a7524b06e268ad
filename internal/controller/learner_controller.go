package controller

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/inventory"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// A LearnerReconciler makes the LMS user of each Learner match its spec. It
// reads users from the connection's inventory and writes only what differs.
type LearnerReconciler struct {
	client   client.Client
	status   statusWriter
	conns    *connectionResolver
	recorder events.EventRecorder
	clock    clock.PassiveClock
	metrics  *metrics.Metrics
	// changed receives Learners whose user changed in an inventory refresh.
	changed chan event.GenericEvent
	// started is when this process started; attempted holds the identity
	// keys this process has sent a create for. Together they say when a
	// user's absence from the inventory can be trusted (see absenceKnown).
	started   time.Time
	attempted sync.Map
}

// NewLearnerReconciler returns a LearnerReconciler.
func NewLearnerReconciler(d Deps) *LearnerReconciler {
	return &LearnerReconciler{client: d.Client, status: d.statusWriter(), conns: d.resolver(), recorder: d.Recorder("learner"),
		clock: d.Clock, metrics: d.Metrics, changed: make(chan event.GenericEvent, 1024), started: d.Clock.Now()}
}

// learnerRun is one reconcile of one Learner.
type learnerRun struct {
	*LearnerReconciler
	l        *v1alpha1.Learner
	conn     *pool.Connection
	caps     lms.Capabilities
	interval time.Duration
}

// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learners,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learners/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learners/finalizers,verbs=update

// Reconcile implements reconcile.Reconciler.
func (r *LearnerReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var l v1alpha1.Learner
	if err := r.client.Get(ctx, req.NamespacedName, &l); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	orig := l.DeepCopy()
	o := r.reconcile(ctx, &l)
	if o.ready {
		l.Status.LastSyncedTime = r.lastSynced(orig)
	}
	rebase := func(f client.Object) { f.(*v1alpha1.Learner).Status = l.Status }
	return r.status.finish(ctx, "Learner", orig, &l, &l.Status.CommonStatus, &orig.Status, &l.Status, rebase, o)
}

// syncedRefresh is how often a converged Learner's lastSyncedTime is moved
// on when nothing changed: a status write per Learner per syncInterval would
// cost the API server more than it tells (10,000 Learners, 10m: 17 writes/s).
const syncedRefresh = time.Hour

// lastSynced returns the lastSyncedTime of a Learner found to match its spec
// now: the one recorded, unless it is older than syncedRefresh, the spec
// changed or the Learner was not Ready.
func (r *LearnerReconciler) lastSynced(orig *v1alpha1.Learner) *metav1.Time {
	now := metav1.NewTime(r.clock.Now())
	prev := orig.Status.LastSyncedTime
	if prev != nil && now.Sub(prev.Time) < syncedRefresh && isReady(orig.Status.Conditions, orig.Generation) {
		return prev
	}
	return &now
}

func (r *LearnerReconciler) reconcile(ctx context.Context, l *v1alpha1.Learner) outcome {
	c, o := r.conns.resolve(ctx, l.Namespace, l.Spec.ConnectionRef)
	if o != nil {
		if !l.DeletionTimestamp.IsZero() {
			return releaseIfConnectionGone(ctx, r.client, l, *o)
		}
		return *o
	}
	run := &learnerRun{LearnerReconciler: r, l: l, conn: c.conn, caps: c.conn.Client.Capabilities(), interval: c.syncInterval}
	if !l.DeletionTimestamp.IsZero() {
		return run.finalize(ctx)
	}
	if !run.caps.SupportsRole(lms.Role(roleOrDefault(l.Spec.Role))) {
		return stalled(v1alpha1.ReasonUnsupported, fmt.Sprintf("%s does not support role %s (supported: %v)",
			c.conn.Settings.Provider, l.Spec.Role, run.caps.Roles))
	}
	if l.Spec.ManagementPolicy != v1alpha1.ManagementObserveOnly && controllerutil.AddFinalizer(l, Finalizer) {
		if err := r.client.Update(ctx, l); err != nil {
			return outcome{reason: v1alpha1.ReasonProgressing, message: err.Error(), err: err}
		}
	}
	return run.sync(ctx)
}

// sync observes the user and creates or updates it as the spec says.
func (run *learnerRun) sync(ctx context.Context) outcome {
	users := run.conn.Client.Users()
	if err := run.conn.Users.EnsureLoaded(lms.WithPriority(ctx, lms.PriorityRead), users.List); err != nil {
		return fromError("list users", err)
	}
	want := desiredUser(run.l, run.caps)
	have, found := run.conn.Users.Find(run.l.Status.ExternalID, want.ExternalID, want.Email)
	if run.observeOnly() {
		return run.observe(want, have, found)
	}
	if !found {
		absent := run.absenceKnown(want)
		calls := 3 // lookup, create, and eLeaP's read-back of the new id
		if absent {
			calls = 2
		}
		return withTokens(ctx, run.conn, calls, lms.PriorityWrite, func(ctx context.Context) outcome { return run.create(ctx, want, absent) })
	}
	if len(userDiff(want, have, run.caps)) == 0 {
		run.l.Status.ExternalID = have.ID
		return done(v1alpha1.ReasonSynced, "the LMS user matches the spec", run.interval)
	}
	return withTokens(ctx, run.conn, 2, lms.PriorityWrite, func(ctx context.Context) outcome { return run.update(ctx, want, have) })
}

func (run *learnerRun) observeOnly() bool {
	return run.l.Spec.ManagementPolicy == v1alpha1.ManagementObserveOnly
}

// observe reports, without writing, whether the user exists and how it differs.
func (run *learnerRun) observe(want, have lms.User, found bool) outcome {
	if !found {
		return working(v1alpha1.ReasonNotFoundInLMS, fmt.Sprintf("no user %s in the LMS (ObserveOnly: nothing is created)", want.Email), run.interval)
	}
	run.l.Status.ExternalID = have.ID
	if diff := userDiff(want, have, run.caps); len(diff) > 0 {
		run.recordDrift(diff, false)
		return working(v1alpha1.ReasonDrifted, "the LMS user differs in "+strings.Join(diff, ", ")+" (ObserveOnly: nothing is written)", run.interval)
	}
	return done(v1alpha1.ReasonObserved, "the LMS user matches the spec", run.interval)
}

// absenceKnown reports whether the user's absence from the inventory can be
// trusted without a lookup: the snapshot was read after this process started
// and this process never sent a create for the user. A create sent by an
// earlier process (a crash between the vendor's commit and the status write)
// happened before this process started, so the snapshot holds its user.
func (run *learnerRun) absenceKnown(want lms.User) bool {
	if _, tried := run.attempted.Load(run.identity(want)); tried {
		return false
	}
	_, at := run.conn.Users.Loaded()
	return at.After(run.started)
}

func (run *learnerRun) identity(want lms.User) string {
	return run.conn.Key.String() + "/" + want.ExternalID + "/" + want.Email
}

// create confirms absence with one lookup by identity key, unless the
// inventory already proves it (absenceKnown), so that a user created just
// before a crash is adopted, not duplicated; then it creates the user.
func (run *learnerRun) create(ctx context.Context, want lms.User, absent bool) outcome {
	users := run.conn.Client.Users()
	if !absent {
		existing, err := users.Lookup(ctx, want.ExternalID, want.Email)
		if err == nil {
			run.conn.Users.Put(*existing)
			run.event(corev1.EventTypeNormal, "Adopted", "Adopt", "Adopted the existing LMS user %s (id %s)", want.Email, existing.ID)
			return run.update(ctx, want, *existing)
		}
		if !lms.IsNotFound(err) {
			return run.failed("look up user", err)
		}
	}
	run.attempted.Store(run.identity(want), true)
	created, err := users.Create(ctx, want)
	if lms.IsAlreadyExists(err) {
		return working(v1alpha1.ReasonProgressing, "the user appeared meanwhile; adopting it", time.Second)
	}
	if err != nil {
		return run.failed("create user", err)
	}
	run.conn.Users.Put(*created)
	run.l.Status.ExternalID = created.ID
	run.event(corev1.EventTypeNormal, "Created", "Create", "Created LMS user %s (id %s)", want.Email, created.ID)
	return done(v1alpha1.ReasonSynced, "the LMS user matches the spec", run.interval)
}

// update writes the fields that differ, recording drift when the spec had
// been applied before (someone changed the user in the LMS).
func (run *learnerRun) update(ctx context.Context, want, have lms.User) outcome {
	run.l.Status.ExternalID = have.ID
	diff := userDiff(want, have, run.caps)
	if len(diff) == 0 {
		return done(v1alpha1.ReasonSynced, "the LMS user matches the spec", run.interval)
	}
	users := run.conn.Client.Users()
	wctx := ctx
	want.ID = have.ID
	updated := want
	var err error
	if onlyActiveDiffers(diff) {
		err = users.SetActive(wctx, have, want.Active)
	} else {
		var u *lms.User
		if u, err = users.Update(wctx, have, want); err == nil {
			updated = *u
			if updated.Active != want.Active {
				err = users.SetActive(wctx, updated, want.Active)
				updated.Active = want.Active
			}
		}
	}
	if err != nil {
		return run.failed("update user", err)
	}
	run.conn.Users.Put(updated)
	drift := run.l.Status.ObservedGeneration == run.l.Generation && isReady(run.l.Status.Conditions, run.l.Generation)
	if drift {
		run.recordDrift(diff, true)
	}
	run.event(corev1.EventTypeNormal, "Updated", "Update", "Updated LMS user %s: %s", want.Email, strings.Join(diff, ", "))
	return done(v1alpha1.ReasonSynced, "the LMS user matches the spec", run.interval)
}

func (run *learnerRun) recordDrift(fields []string, corrected bool) {
	prev := run.l.Status.Drift
	if prev != nil && prev.Corrected == corrected && strings.Join(prev.Fields, ",") == strings.Join(fields, ",") && !corrected {
		return // the same drift, still there: keep its detection time
	}
	now := metav1.NewTime(run.clock.Now())
	run.l.Status.Drift = &v1alpha1.Drift{Fields: fields, DetectedTime: &now, Corrected: corrected}
	if corrected {
		run.metrics.DriftCorrections.WithLabelValues("Learner").Inc()
		run.event(corev1.EventTypeNormal, "DriftCorrected", "Update", "The LMS user had changed (%s); wrote the spec back", strings.Join(fields, ", "))
	}
}

// finalize applies the deletion policy, then lets the Learner go.
func (run *learnerRun) finalize(ctx context.Context) outcome {
	if !controllerutil.ContainsFinalizer(run.l, Finalizer) {
		return working(v1alpha1.ReasonDeleting, "deleting", 0)
	}
	if o := run.applyDeletionPolicy(ctx); o != nil {
		return *o
	}
	controllerutil.RemoveFinalizer(run.l, Finalizer)
	if err := run.client.Update(ctx, run.l); err != nil {
		return outcome{reason: v1alpha1.ReasonDeleting, message: err.Error(), err: client.IgnoreNotFound(err)}
	}
	return working(v1alpha1.ReasonDeleting, "deleted", 0)
}

func (run *learnerRun) applyDeletionPolicy(ctx context.Context) *outcome {
	policy := run.l.Spec.DeletionPolicy
	if policy == v1alpha1.LearnerOrphan || run.observeOnly() {
		return nil
	}
	users := run.conn.Client.Users()
	if err := run.conn.Users.EnsureLoaded(lms.WithPriority(ctx, lms.PriorityRead), users.List); err != nil {
		o := fromError("list users", err)
		return &o
	}
	want := desiredUser(run.l, run.caps)
	have, found := run.conn.Users.Find(run.l.Status.ExternalID, want.ExternalID, want.Email)
	if !found {
		return nil
	}
	wctx := lms.WithPriority(ctx, lms.PriorityWrite)
	if policy == v1alpha1.LearnerDelete {
		if err := users.Delete(wctx, have); err != nil && !lms.IsNotFound(err) {
			o := run.failed("delete user", err)
			return &o
		}
		run.conn.Users.Remove(have.ID)
		run.event(corev1.EventTypeNormal, "Deleted", "Delete", "Deleted LMS user %s", have.Email)
		return nil
	}
	if !have.Active {
		return nil
	}
	if err := users.SetActive(wctx, have, false); err != nil && !lms.IsNotFound(err) {
		o := run.failed("deactivate user", err)
		return &o
	}
	have.Active = false
	run.conn.Users.Put(have)
	run.event(corev1.EventTypeNormal, "Deactivated", "Deactivate", "Deactivated LMS user %s", have.Email)
	return nil
}

// failed reports a vendor failure as an event and an outcome.
func (run *learnerRun) failed(action string, err error) outcome {
	o := fromError(action, err)
	if !lms.IsRateLimited(err) {
		run.event(corev1.EventTypeWarning, o.reason, "Sync", "Failed to %s: %s", action, lms.Message(err))
	}
	return o
}

func (run *learnerRun) event(typ, reason, action, format string, args ...any) {
	run.recorder.Eventf(run.l, nil, typ, reason, action, format, args...)
}

// UsersChanged enqueues the Learners of a connection whose user changed in
// the LMS, so that drift is corrected as soon as the inventory sees it.
func (r *LearnerReconciler) UsersChanged(ctx context.Context, key pool.Key, changes []inventory.Change) {
	touched := map[string]bool{}
	for _, c := range changes {
		for _, u := range []*lms.User{c.Before, c.After} {
			if u != nil {
				touched["id:"+u.ID], touched["email:"+strings.ToLower(u.Email)] = true, true
			}
		}
	}
	var list v1alpha1.LearnerList
	if err := r.client.List(ctx, &list, client.MatchingFields{indexConnection: indexValue(key)}); err != nil {
		return
	}
	for i := range list.Items {
		l := &list.Items[i]
		if touched["id:"+l.Status.ExternalID] || touched["email:"+strings.ToLower(l.Spec.Email)] {
			select {
			case r.changed <- event.GenericEvent{Object: l}:
			case <-ctx.Done():
				return
			}
		}
	}
}

// SetupWithManager registers the controller. Learners are reconciled on spec
// changes, on changes of their connection's readiness, and when the
// connection's inventory sees their user change.
func (r *LearnerReconciler) SetupWithManager(mgr ctrl.Manager, concurrency int) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1alpha1.Learner{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&v1alpha1.LMSConnection{}, r.dependentsOf(v1alpha1.LMSConnectionKind, &v1alpha1.LearnerList{}), readinessChanged()).
		Watches(&v1alpha1.ClusterLMSConnection{}, r.dependentsOf(v1alpha1.ClusterLMSConnectionKind, &v1alpha1.LearnerList{}), readinessChanged()).
		WatchesRawSource(source.Channel(r.changed, &handler.EnqueueRequestForObject{})).
		WithOptions(controllerOptions(concurrency)).
		Named("learner").
		Complete(r)
}

func (r *LearnerReconciler) dependentsOf(kind string, list client.ObjectList) handler.EventHandler {
	return dependentsOf(r.client, kind, list)
}
