package controller

import (
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// A LearnerReconciler makes the LMS user of each Learner match its spec. It
// reads users from the connection's inventory and writes only what differs.
type LearnerReconciler struct {
	reconciler[*v1alpha1.Learner]
	events  events.EventRecorder
	clock   clock.PassiveClock
	metrics *metrics.Metrics
	// changed receives Learners whose user changed in an inventory refresh.
	changed chan event.GenericEvent
	// started is when this process started; attempted holds the identity
	// keys this process has sent a create for, with the UID of the Learner
	// that sent it. Together they say when a
	// user's absence from the inventory can be trusted (see absenceKnown).
	started   time.Time
	attempted sync.Map
}

// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learners,verbs=get;list;watch;update
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learners/status,verbs=patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learners/finalizers,verbs=update

// NewLearnerReconciler returns a LearnerReconciler.
func NewLearnerReconciler(d Deps) *LearnerReconciler {
	r := &LearnerReconciler{events: d.Recorder("learner"), clock: d.Clock, metrics: d.Metrics,
		changed: make(chan event.GenericEvent, 1024), started: d.Clock.Now()}
	r.reconciler = reconcilerOf(d, kind[*v1alpha1.Learner]{
		name:       "Learner",
		newObject:  func() *v1alpha1.Learner { return &v1alpha1.Learner{} },
		rebase:     func(fresh, _, mine *v1alpha1.Learner) { fresh.Status = mine.Status },
		newRun:     r.newRun,
		newList:    func() client.ObjectList { return &v1alpha1.LearnerList{} },
		claims:     learnerKindClaims,
		claimIndex: learnerIndexKeys,
	})
	return r
}

// learnerRun is one reconcile of one Learner.
type learnerRun struct {
	*LearnerReconciler
	runBase
	l *v1alpha1.Learner
}

// newRun starts one reconcile of l with its connection.
func (r *LearnerReconciler) newRun(l *v1alpha1.Learner, env runEnv) kindRun {
	return &learnerRun{LearnerReconciler: r, runBase: newRunBase(r.events, l, env), l: l}
}

// SetupWithManager registers the controller. Learners are reconciled on spec
// changes, on changes of their connection's readiness, when the
// connection's inventory sees their user change, when another Learner
// claiming the same user goes or changes its keys, and when the deletion
// guard releases what they hold.
func (r *LearnerReconciler) SetupWithManager(mgr ctrl.Manager, concurrency int) error {
	claimants, claimsChanged := r.claimWatch()
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1alpha1.Learner{}, specOrAnnotationsChanged()).
		WatchesMetadata(&corev1.Namespace{}, clusterDependentsIn(r.client, &v1alpha1.LearnerList{}), namespaceLabelsChanged()).
		Watches(&v1alpha1.Learner{}, claimants, claimsChanged).
		WatchesRawSource(r.guards.source("Learner")).
		Watches(&v1alpha1.LMSConnection{}, dependentsOf(r.client, v1alpha1.LMSConnectionKind, &v1alpha1.LearnerList{}), readinessChanged()).
		Watches(&v1alpha1.ClusterLMSConnection{}, dependentsOf(r.client, v1alpha1.ClusterLMSConnectionKind, &v1alpha1.LearnerList{}), readinessChanged()).
		WatchesRawSource(source.Channel(r.changed, &handler.EnqueueRequestForObject{})).
		WithOptions(controllerOptions(concurrency)).
		Named("learner").
		Complete(r)
}
