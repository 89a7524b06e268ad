package controller

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// Finalizer is the finalizer the operator puts on every object it manages.
const Finalizer = "training.lmsoperator.dev/finalizer"

// A managed is a Learner, a LearnerGroup or an Enrollment: an object whose
// LMS counterpart is reconciled through its connection.
type managed interface {
	client.Object
	GetCommonStatus() *v1alpha1.CommonStatus
	GetConnectionRef() v1alpha1.ConnectionReference
}

// A kindRun is one reconcile of one object, once its connection is known.
// The skeleton calls it in the order every kind shares: validate, then
// (with the finalizer in place) sync; or, while the object is being deleted,
// deletionPolicy before the finalizer is released.
type kindRun interface {
	// validate refuses, before any vendor call, what cannot be done; nil: go on.
	validate(ctx context.Context) *outcome
	// finalizes reports whether the object carries the finalizer: whether a
	// deletion policy may have something to do in the LMS.
	finalizes() bool
	// sync makes the LMS match the spec.
	sync(ctx context.Context) outcome
	// deletionPolicy applies the deletion policy; nil once it is done.
	deletionPolicy(ctx context.Context) *outcome
}

// A kind is what the skeleton knows of one kind of managed object.
type kind[T managed] struct {
	// name is the kind's name, for metrics.
	name string
	// newObject returns an empty object of the kind.
	newObject func() T
	// rebase lays the status of mine onto fresh, the object as the API server
	// holds it now, keeping what fresh records that the reconcile (which read
	// orig) did not change.
	rebase func(fresh, orig, mine T)
	// newRun starts one reconcile of obj.
	newRun func(obj T, env runEnv) kindRun
	// released, when set, is told that obj's finalizer was released.
	released func(obj T)
	// gone, when set, is told that a reconciled object no longer exists
	// (deleted without a finalizer, or after its release).
	gone func(key types.NamespacedName)
	// newList returns an empty list of the kind.
	newList func() client.ObjectList
	// claims, when set, are the keys by which obj claims an LMS object on its
	// connection, for a vendor with caps: the older claimant of a key owns it
	// (claims.go). claimIndex lists them for every vendor, for the index.
	claims     func(obj T, caps lms.Capabilities) []string
	claimIndex func(obj T) []string
}

// A reconciler runs the lifecycle every managed kind shares: read the
// object, resolve its connection, then sync or apply the deletion policy,
// and publish the outcome in status.
type reconciler[T managed] struct {
	kind[T]
	client   client.Client
	writer   statusWriter
	conns    *connectionResolver
	fresh    *freshness
	recorder events.EventRecorder
	guards   *deletionGuards
}

// A runEnv is what the skeleton hands a kind's reconcile of one object.
type runEnv struct {
	// conn is the object's connection.
	conn *resolved
	// save writes the object's status at once, mid-reconcile.
	save saveFunc
	// fresh says when the object's views are read afresh.
	fresh *freshness
}

// Reconcile implements reconcile.Reconciler.
func (r *reconciler[T]) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := r.newObject()
	if err := r.client.Get(ctx, req.NamespacedName, obj); err != nil {
		if apierrors.IsNotFound(err) {
			r.writer.written.forget(req.NamespacedName)
		}
		if apierrors.IsNotFound(err) && r.gone != nil {
			r.gone(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if r.writer.written.stale(ctx, r.writer.reader, obj) { // the cache has not seen this process's last write
		return ctrl.Result{RequeueAfter: staleRetry}, nil
	}
	orig := obj.DeepCopyObject().(T)
	ctx = lms.WithCaller(ctx, lms.CallerKey(r.name, obj.GetNamespace(), obj.GetName()))
	o := r.lifecycle(ctx, obj, r.saver(&orig, obj))
	return finish(ctx, r.writer, &r.kind, orig, obj, o)
}

// A saveFunc writes the object's status at once, mid-reconcile: a batch
// records what it is about to write before it writes it.
type saveFunc func(ctx context.Context) error

// saver returns the saveFunc of obj, read as *orig: it patches obj's status
// with orig's resourceVersion and makes obj the new orig, so that the final
// patch of finish starts from what was saved.
func (r *reconciler[T]) saver(orig *T, obj T) saveFunc {
	return func(ctx context.Context) error {
		if err := patchStatus(ctx, r.client, *orig, obj, statusOf(*orig), statusOf(obj), true); err != nil {
			return err
		}
		r.writer.written.record(obj)
		*orig = obj.DeepCopyObject().(T)
		return nil
	}
}

// lifecycle is one pass over obj.
func (r *reconciler[T]) lifecycle(ctx context.Context, obj T, save saveFunc) outcome {
	if paused(obj) {
		return r.whilePaused(ctx, obj, objectPaused(r.name))
	}
	c, o := r.conns.resolve(ctx, obj.GetNamespace(), obj.GetConnectionRef())
	if o != nil {
		if deleting(obj) && o.abandon {
			return r.abandon(ctx, obj, *o)
		}
		return *o
	}
	if o, lost := r.claim(ctx, obj, c); o != nil {
		if lost && deleting(obj) {
			return r.release(ctx, obj, ptrTo(working(v1alpha1.ReasonDeleting, "released without its deletion policy: "+o.message, 0)))
		}
		return *o
	}
	if !deleting(obj) {
		if o := r.resync(ctx, obj, c); o != nil {
			return *o
		}
	}
	run := r.newRun(obj, runEnv{conn: c, save: save, fresh: r.fresh})
	if deleting(obj) {
		return r.finalize(ctx, obj, run, c)
	}
	if o := run.validate(ctx); o != nil {
		return *o
	}
	if run.finalizes() && controllerutil.AddFinalizer(obj, Finalizer) {
		if err := r.client.Update(ctx, obj); err != nil {
			return failedWith(v1alpha1.ReasonProgressing, err)
		}
	}
	return run.sync(ctx)
}

// finalize applies the deletion policy, then lets the object go. Through a
// connection being deleted, a policy the vendor refuses (Stalled: the
// credentials were revoked, say) lets the object go as well: nothing would
// change, and the connection's deletion would wait for ever.
func (r *reconciler[T]) finalize(ctx context.Context, obj T, run kindRun, c *resolved) outcome {
	if !controllerutil.ContainsFinalizer(obj, Finalizer) {
		return working(v1alpha1.ReasonDeleting, "deleting", 0)
	}
	if o := run.deletionPolicy(ctx); o != nil {
		if o.stalled && c.deleting {
			return r.abandon(ctx, obj, *o)
		}
		return *o
	}
	return r.release(ctx, obj, ptrTo(working(v1alpha1.ReasonDeleting, "deleted", 0)))
}

// abandon lets obj go without applying its deletion policy, for the reason
// o gives, and says so in a Warning event: the LMS object is left as it was.
// A bounded deletion beats a namespace that stays Terminating.
func (r *reconciler[T]) abandon(ctx context.Context, obj T, o outcome) outcome {
	if !controllerutil.ContainsFinalizer(obj, Finalizer) {
		return o
	}
	r.recorder.Eventf(obj, nil, corev1.EventTypeWarning, v1alpha1.EventDeletionPolicySkipped, actionRelease,
		"Released without applying the deletion policy (%s); the LMS object was left as it was", o.message)
	return r.release(ctx, obj, ptrTo(working(v1alpha1.ReasonDeleting, "released without applying the deletion policy: "+o.message, 0)))
}

// release removes the finalizer and returns o, the outcome to report.
func (r *reconciler[T]) release(ctx context.Context, obj T, o *outcome) outcome {
	if !controllerutil.RemoveFinalizer(obj, Finalizer) {
		return *o
	}
	if err := r.client.Update(ctx, obj); err != nil {
		return outcome{reason: v1alpha1.ReasonDeleting, message: err.Error(), err: client.IgnoreNotFound(err)}
	}
	r.fresh.forget(obj.GetUID())
	r.guards.released(r.name, obj, "")
	if r.released != nil {
		r.released(obj)
	}
	return *o
}

// deleting reports whether obj is being deleted.
func deleting(obj client.Object) bool { return !obj.GetDeletionTimestamp().IsZero() }

// A notifier records the events of one object: every write to the LMS and
// every failure.
type notifier struct {
	recorder events.EventRecorder
	obj      runtime.Object
}

// event records an event on the object.
func (n notifier) event(typ, reason, action, format string, args ...any) {
	n.recorder.Eventf(n.obj, nil, typ, reason, action, format, args...)
}

// failed reports a vendor failure as an event (unless it is a wait for the
// budget or the vendor's rate limit) and as an outcome.
func (n notifier) failed(action string, err error) outcome {
	o := fromError(action, err)
	if !lms.IsRateLimited(err) {
		n.event(corev1.EventTypeWarning, o.reason, actionSync, "Failed to %s: %s", action, lms.Message(err))
	}
	return o
}

// failedPtr is failed for the steps that return *outcome.
func (n notifier) failedPtr(action string, err error) *outcome {
	return ptrTo(n.failed(action, err))
}

// The actions of events (events.k8s.io "action").
const (
	actionSync       = "Sync"
	actionCreate     = "Create"
	actionUpdate     = "Update"
	actionAdopt      = "Adopt"
	actionDelete     = "Delete"
	actionDeactivate = "Deactivate"
	actionAssign     = "Assign"
	actionUnassign   = "Unassign"
	actionVerify     = "Verify"
	actionProgress   = "ReadProgress"
	actionRelease    = "Release"
)

// A runBase is what one reconcile of any kind holds besides its kind's
// state: the object, the events to record, the connection, its vendor's
// capabilities and its sync interval, and how to save status and read views.
type runBase struct {
	notifier
	object   client.Object
	conn     *pool.Connection
	caps     lms.Capabilities
	interval time.Duration
	save     saveFunc
	fresh    *freshness
	// grants are what the connection lets the object's namespace do; guard
	// is the connection's deletion guard.
	grants grants
	guard  *deletionGuard
	// readNow names the views this reconcile read from the vendor (not
	// from the connection's cache), so that a read sharing their answer
	// knows it comes free.
	readNow sets.Set[string]
}

// newRunBase returns the runBase of a reconcile of obj.
func newRunBase(recorder events.EventRecorder, obj client.Object, env runEnv) runBase {
	return runBase{notifier: notifier{recorder: recorder, obj: obj}, object: obj, conn: env.conn.conn,
		caps: env.conn.conn.Client.Capabilities(), interval: env.conn.syncInterval, save: env.save, fresh: env.fresh,
		grants: env.conn.grants, guard: env.conn.guard, readNow: sets.New[string]()}
}
