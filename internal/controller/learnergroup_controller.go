package controller

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// A LearnerGroupReconciler makes the LMS group of each LearnerGroup, and its
// members, match the spec. It finds groups in the connection's cached group
// list (one list per sync interval), reads a group's members once per
// reconcile, and writes only what differs.
type LearnerGroupReconciler struct {
	reconciler[*v1alpha1.LearnerGroup]
	events  events.EventRecorder
	metrics *metrics.Metrics
	clock   clock.PassiveClock
}

// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learnergroups,verbs=get;list;watch;update
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learnergroups/status,verbs=patch
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learnergroups/finalizers,verbs=update
// +kubebuilder:rbac:groups=training.lmsoperator.dev,resources=learners,verbs=list;watch

// NewLearnerGroupReconciler returns a LearnerGroupReconciler.
func NewLearnerGroupReconciler(d Deps) *LearnerGroupReconciler {
	r := &LearnerGroupReconciler{events: d.Recorder("learnergroup"), metrics: d.Metrics, clock: d.Clock}
	r.reconciler = reconcilerOf(d, kind[*v1alpha1.LearnerGroup]{
		name:       "LearnerGroup",
		newObject:  func() *v1alpha1.LearnerGroup { return &v1alpha1.LearnerGroup{} },
		rebase:     rebaseGroup,
		newRun:     r.newRun,
		newList:    func() client.ObjectList { return &v1alpha1.LearnerGroupList{} },
		claims:     groupKindClaims,
		claimIndex: groupIndexKeys,
	})
	return r
}

// rebaseGroup lays mine's status onto fresh, keeping the members that
// another reconcile recorded in status.managedMembers.
func rebaseGroup(fresh, orig, mine *v1alpha1.LearnerGroup) {
	managed := rebaseSet(fresh.Status.ManagedMembers, orig.Status.ManagedMembers, mine.Status.ManagedMembers)
	fresh.Status = mine.Status
	fresh.Status.ManagedMembers = managed
}

// groupRun is one reconcile of one LearnerGroup.
type groupRun struct {
	*LearnerGroupReconciler
	runBase
	g      *v1alpha1.LearnerGroup
	groups lms.GroupClient
}

// newRun starts one reconcile of g with its connection.
func (r *LearnerGroupReconciler) newRun(g *v1alpha1.LearnerGroup, env runEnv) kindRun {
	return &groupRun{LearnerGroupReconciler: r, runBase: newRunBase(r.events, g, env), g: g, groups: env.conn.conn.Client.Groups()}
}

// SetupWithManager registers the controller. LearnerGroups are reconciled on
// spec changes, when their parent or child groups get or lose their LMS group,
// when a Learner they declare (by name or label) changes in a way that
// matters to membership, when their connection's readiness changes, when
// another LearnerGroup claiming the same group goes or changes its keys, and
// when the deletion guard releases what they hold.
func (r *LearnerGroupReconciler) SetupWithManager(mgr ctrl.Manager, concurrency int) error {
	claimants, claimsChanged := r.claimWatch()
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1alpha1.LearnerGroup{}, specOrAnnotationsChanged()).
		WatchesMetadata(&corev1.Namespace{}, clusterDependentsIn(r.client, &v1alpha1.LearnerGroupList{}), namespaceLabelsChanged()).
		Watches(&v1alpha1.LearnerGroup{}, claimants, claimsChanged).
		WatchesRawSource(r.guards.source("LearnerGroup")).
		Watches(&v1alpha1.LearnerGroup{}, handler.EnqueueRequestsFromMapFunc(r.relatedGroups), groupIdentityChanged()).
		Watches(&v1alpha1.Learner{}, learnersCoalesced(r.groupsOfLearners), membershipChanged()).
		Watches(&v1alpha1.LMSConnection{}, dependentsOf(r.client, v1alpha1.LMSConnectionKind, &v1alpha1.LearnerGroupList{}), readinessChanged()).
		Watches(&v1alpha1.ClusterLMSConnection{}, dependentsOf(r.client, v1alpha1.ClusterLMSConnectionKind, &v1alpha1.LearnerGroupList{}), readinessChanged()).
		WithOptions(controllerOptions(concurrency)).
		Named("learnergroup").
		Complete(r)
}
