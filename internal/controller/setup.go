package controller

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// Setup registers the field indexes and every controller with mgr.
// concurrency is the number of workers of each controller.
func Setup(ctx context.Context, mgr ctrl.Manager, d Deps, concurrency int) error {
	if err := SetupIndexes(ctx, mgr.GetFieldIndexer()); err != nil {
		return fmt.Errorf("set up indexes: %w", err)
	}
	pausedConns, pausedClusterConns := make(chan event.GenericEvent, 64), make(chan event.GenericEvent, 64)
	pauses := newPauseRecorder(ctx, d.Client, d.Pool)
	d.Pool.OnPause = func(k pool.Key) {
		pauses.record(k)
		notifyPause(k, pausedConns, pausedClusterConns)
	}
	if d.guards == nil {
		d.guards = newDeletionGuards(ctx, d.Client, d.Clock, d.Metrics)
	}
	// A connection whose deletion guard holds more or less is enqueued as after a pause.
	d.guards.notify = func(k pool.Key) { notifyPause(k, pausedConns, pausedClusterConns) }
	learners := NewLearnerReconciler(d)
	d.OnUsersChanged = learners.UsersChanged
	steps := []struct {
		name  string
		setup func() error
	}{
		{"LMSConnection", func() error { return NewLMSConnectionReconciler(d, pausedConns).SetupWithManager(mgr, concurrency) }},
		{"ClusterLMSConnection", func() error {
			return NewClusterLMSConnectionReconciler(d, pausedClusterConns).SetupWithManager(mgr, concurrency)
		}},
		{"Learner", func() error { return learners.SetupWithManager(mgr, concurrency) }},
		{"LearnerGroup", func() error { return NewLearnerGroupReconciler(d).SetupWithManager(mgr, concurrency) }},
		{"Enrollment", func() error { return NewEnrollmentReconciler(d).SetupWithManager(mgr, concurrency) }},
	}
	for _, s := range steps {
		if err := s.setup(); err != nil {
			return fmt.Errorf("set up %s controller: %w", s.name, err)
		}
	}
	return nil
}

// notifyPause enqueues the connection of k, so that its status shows the
// pause at once. It never blocks a vendor call: a full channel drops the
// event, and the connection's periodic status refresh shows the pause anyway.
func notifyPause(k pool.Key, conns, clusterConns chan event.GenericEvent) {
	meta := metav1.ObjectMeta{Namespace: k.Namespace, Name: k.Name}
	var ev event.GenericEvent
	ch := conns
	if k.Kind == v1alpha1.ClusterLMSConnectionKind {
		ch, ev.Object = clusterConns, &v1alpha1.ClusterLMSConnection{ObjectMeta: meta}
	} else {
		ev.Object = &v1alpha1.LMSConnection{ObjectMeta: meta}
	}
	select {
	case ch <- ev:
	default:
	}
}
