package controller

import (
	"context"
	"fmt"
	"net/url"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// statusRefresh is how often a Ready connection's rateLimit status is refreshed.
const statusRefresh = time.Minute

// connectionObject is what the LMSConnection and ClusterLMSConnection
// reconcilers have in common.
type connectionObject interface {
	client.Object
	settings() *v1alpha1.ConnectionSettings
	secretKey() client.ObjectKey
	connStatus() *v1alpha1.ConnectionStatus
	poolKey() pool.Key
	// object is the API object itself, for client writes and events.
	object() client.Object
}

// connectionCore reconciles either kind of connection.
type connectionCore struct {
	Client client.Client
	// APIReader reads Secrets without caching every Secret of the cluster.
	APIReader      client.Reader
	Pool           *pool.Pool
	Recorder       events.EventRecorder
	Clock          clock.PassiveClock
	OnUsersChanged UsersChangedFunc
	Metrics        *metrics.Metrics
	// paused receives the connections that paused after a 429.
	paused chan event.GenericEvent
	// secrets keeps the Secrets read, to read one again only when it changed.
	secrets *secretStore
	// guards are the connections' deletion guards.
	guards *deletionGuards
}

// reconcile runs one pass over obj, whose status it fills; the caller patches it.
func (r *connectionCore) reconcile(ctx context.Context, obj connectionObject) (ctrl.Result, error) {
	if !obj.GetDeletionTimestamp().IsZero() {
		return r.finalize(ctx, obj)
	}
	if controllerutil.AddFinalizer(obj, Finalizer) {
		if err := r.Client.Update(ctx, obj.object()); err != nil {
			return ctrl.Result{}, err
		}
	}
	o := r.pass(ctx, obj)
	st := obj.connStatus()
	o.apply(&st.Conditions, obj.GetGeneration())
	st.ObservedGeneration = o.observedGeneration(obj.GetGeneration(), st.ObservedGeneration)
	res, err := o.result()
	if until := r.reportBudget(obj); !until.IsZero() && err == nil {
		// Look again when the pause ends, so that pausedUntil goes away.
		wait := until.Sub(r.Clock.Now()) + time.Second
		if res.RequeueAfter == 0 || wait < res.RequeueAfter {
			res.RequeueAfter = wait
		}
	}
	return res, err
}

// pass is the outcome of one pass over a connection not being deleted:
// paused, it sends nothing (no verify, no inventory list) and says so;
// otherwise it connects and serves the deletion guard.
func (r *connectionCore) pass(ctx context.Context, obj connectionObject) outcome {
	if paused(obj.object()) {
		return objectPaused(obj.poolKey().Kind)
	}
	o := r.connect(ctx, obj)
	if err := r.guardConnection(ctx, obj); err != nil && o.err == nil {
		o.err = err
	}
	return o
}

// connect reads the Secret, (re)builds the client, verifies the credentials
// when they or the spec changed, and refreshes the inventory when it is due.
func (r *connectionCore) connect(ctx context.Context, obj connectionObject) outcome {
	secret, o := r.secret(ctx, obj)
	if o != nil {
		return *o
	}
	s := settingsOf(obj.settings())
	conn, fresh, err := ensureConnection(r.Pool, obj, secret.Data, secret.ResourceVersion)
	if err != nil {
		if lms.KindOf(err) == lms.KindInvalidCredentials {
			return stalled(v1alpha1.ReasonSecretInvalid, fmt.Sprintf("Secret %s: %s", obj.secretKey(), lms.Message(err)))
		}
		return stalled(v1alpha1.ReasonUnsupported, err.Error())
	}
	if fresh {
		conn.Users.Retry() // new credentials or settings: the last failures say nothing of them
	}
	st := obj.connStatus()
	if fresh || st.SecretResourceVersion != secret.ResourceVersion || !verified(st.Conditions, obj.GetGeneration()) {
		if err := conn.Client.Verify(lms.WithPriority(ctx, lms.PriorityWrite)); err != nil {
			r.warn(obj.object(), v1alpha1.EventVerifyFailed, actionVerify, "Credentials check failed: %s", lms.Message(err))
			return fromError("verify credentials", err)
		}
		r.Recorder.Eventf(obj.object(), nil, corev1.EventTypeNormal, v1alpha1.ReasonConnected, actionVerify,
			"Verified the credentials with %s", s.Provider)
		now := metav1.NewTime(r.Clock.Now())
		st.LastCheckedTime, st.SecretResourceVersion = &now, secret.ResourceVersion
	}
	st.Capabilities = capabilitiesStatus(conn.Client.Capabilities())
	return r.refreshInventory(ctx, obj, conn)
}

// verified reports whether conds say the credentials were verified for
// generation gen: Ready, or not Ready only because the inventory failed.
func verified(conds []metav1.Condition, gen int64) bool {
	c := meta.FindStatusCondition(conds, v1alpha1.ConditionReady)
	return c != nil && c.ObservedGeneration == gen &&
		(c.Status == metav1.ConditionTrue || c.Reason == v1alpha1.ReasonInventoryFailed)
}

// refreshInventory re-reads the users when the snapshot is older than the
// sync interval, and tells the Learner controller which ones changed. A
// failed read makes the connection not Ready (InventoryFailed), to be
// retried when the inventory's backoff allows. Under pagesPerSync a long
// read is spread over intervals (but a list asked for with the
// reconcile-requested-at annotation is whole).
func (r *connectionCore) refreshInventory(ctx context.Context, obj connectionObject, conn *pool.Connection) outcome {
	interval := conn.Settings.SyncInterval
	_, before := conn.Users.Loaded()
	maxAge, request := inventoryAge(obj, interval)
	if request == "" {
		ctx = lms.WithPageLimit(ctx, conn.Settings.PagesPerSync)
	}
	changes, err := conn.Users.Refresh(lms.WithPriority(ctx, lms.PriorityRead), conn.Client.Users(), maxAge)
	if err == nil && request != "" {
		obj.connStatus().LastHandledReconcileAt = request
	}
	switch {
	case err != nil && lms.IsTerminal(err):
		return fromError("list users", err)
	case err != nil && !lms.IsRateLimited(err):
		return r.inventoryFailed(ctx, obj, conn, err)
	case err != nil:
		logf.FromContext(ctx).Info("Inventory refresh postponed", "reason", lms.Message(err))
	}
	if len(changes) > 0 && r.OnUsersChanged != nil {
		r.OnUsersChanged(ctx, obj.poolKey(), changes)
	}
	_, at := conn.Users.Loaded()
	if at != before {
		r.reportSkipped(obj, conn.Users.State().Skipped)
	}
	if st := conn.Users.State(); st.Spreading {
		at = st.SliceAt // the next slice is due an interval after the last
	}
	next := min(max(interval-r.Clock.Since(at), time.Second), statusRefresh)
	if after, ok := lms.RetryAfter(err); ok {
		next = min(next, max(after, time.Second))
	}
	return done(v1alpha1.ReasonConnected, connectedMessage(conn), next)
}

// connectedMessage is the Ready message of a connection whose inventory was read.
func connectedMessage(conn *pool.Connection) string {
	host := conn.Settings.BaseURL
	if u, err := url.Parse(host); err == nil {
		host = u.Host
	}
	msg := fmt.Sprintf("Connected to %s at %s; %d users in the inventory", conn.Settings.Provider, host, conn.Users.Len())
	st := conn.Users.State()
	if n := len(st.Skipped); n > 0 {
		msg += fmt.Sprintf(" (%d records of the last list could not be read and were left out)", n)
	}
	if st.Spreading {
		msg += fmt.Sprintf("; reading users: %d pages read, %d a sync interval", st.PagesKept, conn.Settings.PagesPerSync)
	}
	return msg
}

// secret reads the credentials Secret: from the API server when its
// resourceVersion changed since the last read, else as read then.
func (r *connectionCore) secret(ctx context.Context, obj connectionObject) (*corev1.Secret, *outcome) {
	s, err := r.secrets.get(ctx, obj.secretKey())
	if apierrors.IsNotFound(err) {
		o := stalled(v1alpha1.ReasonSecretNotFound, fmt.Sprintf("Secret %s not found: create it with the vendor's credentials", obj.secretKey()))
		return nil, &o
	}
	if err != nil {
		return nil, &outcome{reason: v1alpha1.ReasonSecretNotFound, message: err.Error(), err: err}
	}
	return s, nil
}

// reportBudget publishes the budget's state in status.rateLimit, and
// returns the end of a pause after a 429, if any.
func (r *connectionCore) reportBudget(obj connectionObject) time.Time {
	conn, ok := r.Pool.Get(obj.poolKey())
	if !ok {
		return time.Time{}
	}
	snap := conn.Budget.Snapshot()
	rl := &v1alpha1.RateLimitStatus{RequestsPerHour: int32(snap.Limits.RequestsPerHour),
		Burst: int32(snap.Limits.Burst), RequestsLastHour: int32(snap.RequestsLastHour)}
	if !snap.PausedUntil.IsZero() {
		t := metav1.NewTime(statusPauseEnd(snap.PausedUntil))
		rl.PausedUntil = &t
	}
	obj.connStatus().RateLimit = rl
	key := obj.poolKey().String()
	r.Metrics.SetBudget(key, snap.RequestsLastHour, snap.Limits.RequestsPerHour)
	r.Metrics.SetPaused(key, !snap.PausedUntil.IsZero())
	return snap.PausedUntil
}

// finalize keeps a connection that is still in use, and forgets it otherwise.
func (r *connectionCore) finalize(ctx context.Context, obj connectionObject) (ctrl.Result, error) {
	n, err := r.dependents(ctx, obj.poolKey())
	if err != nil {
		return ctrl.Result{}, err
	}
	if n > 0 {
		// Its dependents may wait for the deletion guard: approvals still count.
		if err := r.guardConnection(ctx, obj); err != nil {
			return ctrl.Result{}, err
		}
		msg, err := r.serveDeletions(ctx, obj, n)
		if err != nil {
			return ctrl.Result{}, err
		}
		st := obj.connStatus()
		working(v1alpha1.ReasonDeleting, msg, 0).apply(&st.Conditions, obj.GetGeneration())
		return ctrl.Result{}, nil
	}
	r.Pool.Remove(obj.poolKey())
	r.Metrics.ForgetConnection(obj.poolKey().String())
	r.secrets.forget(obj.secretKey())
	r.guards.forget(obj.poolKey())
	if controllerutil.RemoveFinalizer(obj, Finalizer) {
		return ctrl.Result{}, client.IgnoreNotFound(r.Client.Update(ctx, obj.object()))
	}
	return ctrl.Result{}, nil
}

// serveDeletions makes sure the pool holds a client for the deletion
// policies of the n dependents (after a restart it builds one from the
// Secret, with no vendor call), and returns the Deleting message, which says
// when none can be built and the dependents go without their policies.
func (r *connectionCore) serveDeletions(ctx context.Context, obj connectionObject, n int) (string, error) {
	msg := fmt.Sprintf("in use by %d resources: delete them first", n)
	if _, ok := r.Pool.Get(obj.poolKey()); ok {
		return msg, nil
	}
	_, why, err := buildClient(ctx, r.APIReader, r.Pool, obj, "")
	if err != nil {
		return "", err
	}
	if why != "" {
		msg += fmt.Sprintf("; no client can be built (%s): they are released without applying their deletion policies", why)
	}
	return msg, nil
}

// dependents counts the Learners, LearnerGroups and Enrollments using key.
func (r *connectionCore) dependents(ctx context.Context, key pool.Key) (int, error) {
	sel := client.MatchingFields{indexConnection: indexValue(key)}
	lists := []client.ObjectList{&v1alpha1.LearnerList{}, &v1alpha1.LearnerGroupList{}, &v1alpha1.EnrollmentList{}}
	n := 0
	for _, l := range lists {
		if err := r.Client.List(ctx, l, sel); err != nil {
			return 0, err
		}
		n += meta.LenList(l)
	}
	return n, nil
}

func (r *connectionCore) warn(obj client.Object, reason, action, format string, args ...any) {
	r.Recorder.Eventf(obj, nil, corev1.EventTypeWarning, reason, action, format, args...)
}

// reconcileObject reads the connection of key into obj, runs one pass and
// patches its status when it changed.
func (r *connectionCore) reconcileObject(ctx context.Context, key client.ObjectKey, obj connectionObject) (ctrl.Result, error) {
	if err := r.Client.Get(ctx, key, obj.object()); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	orig := obj.object().DeepCopyObject().(client.Object)
	origStatus := obj.connStatus().DeepCopy()
	res, err := r.reconcile(ctx, obj)
	// A connection's status owns nothing in the LMS: the last writer wins.
	perr := patchStatus(ctx, r.Client, orig, obj.object(), *origStatus, *obj.connStatus(), false)
	if perr != nil && err == nil {
		err = perr
	}
	return res, err
}

// setup registers a connection controller for objects of obj's kind (kind is
// LMSConnectionKind or ClusterLMSConnectionKind), listed with list, with
// concurrency workers: one slow list of a connection must not hold up every
// other connection of its kind.
func (r *connectionCore) setup(mgr ctrl.Manager, obj client.Object, list client.ObjectList, name string, rec reconcile.Reconciler, concurrency int) error {
	kind := v1alpha1.LMSConnectionKind
	if _, ok := obj.(*v1alpha1.ClusterLMSConnection); ok {
		kind = v1alpha1.ClusterLMSConnectionKind
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(obj, builder.WithPredicates(predicate.Or[client.Object](predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.forSecret(list))).
		Watches(&v1alpha1.Learner{}, dependentDeleted(kind), deletesOnly()).
		Watches(&v1alpha1.LearnerGroup{}, dependentDeleted(kind), deletesOnly()).
		Watches(&v1alpha1.Enrollment{}, dependentDeleted(kind), deletesOnly()).
		WatchesRawSource(source.Channel(r.paused, &handler.EnqueueRequestForObject{})).
		WithOptions(controllerOptions(concurrency)).
		Named(name).
		Complete(rec)
}

// forSecret maps a Secret to the connections (listed with list) that use it.
func (r *connectionCore) forSecret(list client.ObjectList) handler.MapFunc {
	return func(ctx context.Context, s client.Object) []reconcile.Request {
		l := list.DeepCopyObject().(client.ObjectList)
		if err := r.Client.List(ctx, l, client.MatchingFields{indexSecret: s.GetNamespace() + "/" + s.GetName()}); err != nil {
			return nil
		}
		return requestsFor(l)
	}
}
