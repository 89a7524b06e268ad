package controller

import (
	"context"
	"fmt"

	ctrl "sigs.k8s.io/controller-runtime"
)

// Setup registers the field indexes and every controller with mgr.
// concurrency is the number of workers of the Learner, LearnerGroup and
// Enrollment controllers.
func Setup(ctx context.Context, mgr ctrl.Manager, d Deps, concurrency int) error {
	if err := SetupIndexes(ctx, mgr.GetFieldIndexer()); err != nil {
		return fmt.Errorf("set up indexes: %w", err)
	}
	learners := NewLearnerReconciler(d)
	d.OnUsersChanged = learners.UsersChanged
	steps := []struct {
		name  string
		setup func() error
	}{
		{"LMSConnection", func() error { return NewLMSConnectionReconciler(d).SetupWithManager(mgr) }},
		{"ClusterLMSConnection", func() error { return NewClusterLMSConnectionReconciler(d).SetupWithManager(mgr) }},
		{"Learner", func() error { return learners.SetupWithManager(mgr, concurrency) }},
		{"LearnerGroup", func() error { return NewLearnerGroupReconciler(d).SetupWithManager(mgr, concurrency) }},
	}
	for _, s := range steps {
		if err := s.setup(); err != nil {
			return fmt.Errorf("set up %s controller: %w", s.name, err)
		}
	}
	return nil
}
