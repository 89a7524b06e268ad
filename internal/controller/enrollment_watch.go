package controller

import (
	"context"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// groupChanged passes LearnerGroup events that change what an Enrollment
// resolves to: creation, deletion, a new generation (members), a new
// status.externalID or a flip of Ready.
func groupChanged() builder.WatchesOption {
	return updatesWhere(func(o, n *v1alpha1.LearnerGroup) bool {
		return o.Generation != n.Generation || o.Status.ExternalID != n.Status.ExternalID ||
			isReady(o.Status.Conditions, o.Generation) != isReady(n.Status.Conditions, n.Generation) ||
			deleting(o) != deleting(n)
	})
}

// learnerHandler maps a Learner, before and after a change, to the
// Enrollments of its namespace that name it, select it, or reach it
// through a LearnerGroup they name (after membershipDelay).
func (r *EnrollmentReconciler) learnerHandler() handler.EventHandler {
	return learnersCoalesced(r.enrollmentsOfLearners)
}

// enrollmentsOfLearners returns the Enrollments that any of ls (versions of
// one Learner) is a subject of.
func (r *EnrollmentReconciler) enrollmentsOfLearners(ctx context.Context, ls []*v1alpha1.Learner) []reconcile.Request {
	if len(ls) == 0 {
		return nil
	}
	ns := ls[0].Namespace
	var list v1alpha1.EnrollmentList
	if err := r.client.List(ctx, &list, client.InNamespace(ns)); err != nil || len(list.Items) == 0 {
		return nil
	}
	groups := r.groupsOfLearners(ctx, ns, ls)
	var out []reconcile.Request
	for i := range list.Items {
		e := &list.Items[i]
		if learnerNamed(e, ls) || slices.ContainsFunc(e.Spec.Subjects.GroupRefs, func(g v1alpha1.LocalObjectReference) bool { return groups[g.Name] }) {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(e)})
		}
	}
	return out
}

// learnerNamed reports whether e names or selects any of ls.
func learnerNamed(e *v1alpha1.Enrollment, ls []*v1alpha1.Learner) bool {
	for _, l := range ls {
		if slices.ContainsFunc(e.Spec.Subjects.LearnerRefs, func(r v1alpha1.LocalObjectReference) bool { return r.Name == l.Name }) ||
			selects(e.Spec.Subjects.LearnerSelector, l) {
			return true
		}
	}
	return false
}

// selects reports whether sel, when set and valid, matches l's labels.
func selects(sel *metav1.LabelSelector, l *v1alpha1.Learner) bool {
	if sel == nil {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(labels.Set(l.Labels))
}

// groupsOfLearners returns the names of the LearnerGroups in ns that
// declare any of ls as a member.
func (r *EnrollmentReconciler) groupsOfLearners(ctx context.Context, ns string, ls []*v1alpha1.Learner) map[string]bool {
	var list v1alpha1.LearnerGroupList
	if err := r.client.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return nil
	}
	out := map[string]bool{}
	for i := range list.Items {
		g := &list.Items[i]
		for _, l := range ls {
			if declaresLearner(g, l) {
				out[g.Name] = true
			}
		}
	}
	return out
}

// groupHandler maps a LearnerGroup to the Enrollments of its namespace that
// name it in groupRefs.
func (r *EnrollmentReconciler) groupHandler() handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
		var list v1alpha1.EnrollmentList
		if err := r.client.List(ctx, &list, client.InNamespace(o.GetNamespace())); err != nil {
			return nil
		}
		var out []reconcile.Request
		for i := range list.Items {
			e := &list.Items[i]
			if slices.ContainsFunc(e.Spec.Subjects.GroupRefs, func(g v1alpha1.LocalObjectReference) bool { return g.Name == o.GetName() }) {
				out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(e)})
			}
		}
		return out
	})
}
