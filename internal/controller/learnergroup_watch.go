package controller

import (
	"context"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// groupsIn lists the LearnerGroups of a namespace from the cache.
func (r *LearnerGroupReconciler) groupsIn(ctx context.Context, ns string) []v1alpha1.LearnerGroup {
	var list v1alpha1.LearnerGroupList
	if err := r.client.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return nil
	}
	return list.Items
}

// groupsOfLearners maps versions of a Learner to the LearnerGroups of its
// namespace that declare any of them, by name or by a selector matching
// its labels: on an update both the old and the new Learner, so that a
// label change reaches the groups the Learner leaves as well as those it
// joins.
func (r *LearnerGroupReconciler) groupsOfLearners(ctx context.Context, ls []*v1alpha1.Learner) []reconcile.Request {
	if len(ls) == 0 {
		return nil
	}
	var out []reconcile.Request
	for _, g := range r.groupsIn(ctx, ls[0].Namespace) {
		if slices.ContainsFunc(ls, func(l *v1alpha1.Learner) bool { return declaresLearner(&g, l) }) {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&g)})
		}
	}
	return out
}

// declaresLearner reports whether the group names the Learner in
// members.learnerRefs or selects it with members.selector.
func declaresLearner(g *v1alpha1.LearnerGroup, l client.Object) bool {
	for _, ref := range g.Spec.Members.LearnerRefs {
		if ref.Name == l.GetName() {
			return true
		}
	}
	if g.Spec.Members.Selector == nil {
		return false
	}
	sel, err := metav1.LabelSelectorAsSelector(g.Spec.Members.Selector)
	return err == nil && sel.Matches(labels.Set(l.GetLabels()))
}

// relatedGroups maps a LearnerGroup to the groups whose parentRef names it
// (they wait for its LMS group), and, while it is being deleted, to its
// parent (which waits for its children to go before it can be deleted).
func (r *LearnerGroupReconciler) relatedGroups(ctx context.Context, o client.Object) []reconcile.Request {
	g, ok := o.(*v1alpha1.LearnerGroup)
	if !ok {
		return nil
	}
	var out []reconcile.Request
	for _, c := range r.groupsIn(ctx, g.Namespace) {
		if parentName(&c) == g.Name {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&c)})
		}
	}
	if p := parentName(g); p != "" && !g.DeletionTimestamp.IsZero() {
		out = append(out, reconcile.Request{NamespacedName: client.ObjectKey{Namespace: g.Namespace, Name: p}})
	}
	return out
}

// parentName is the name in spec.enabley.parentRef, or "".
func parentName(g *v1alpha1.LearnerGroup) string {
	if g.Spec.Enabley == nil || g.Spec.Enabley.ParentRef == nil {
		return ""
	}
	return g.Spec.Enabley.ParentRef.Name
}

// childGroups names the LearnerGroups whose parentRef names run's group.
func (run *groupRun) childGroups(ctx context.Context) []string {
	var names []string
	for _, c := range run.groupsIn(ctx, run.g.Namespace) {
		if parentName(&c) == run.g.Name {
			names = append(names, c.Name)
		}
	}
	return names
}

// groupIdentityChanged passes LearnerGroup events that concern related
// groups: creation and deletion, a new status.externalID, and the start of
// a deletion.
func groupIdentityChanged() builder.WatchesOption {
	return updatesWhere(func(o, n *v1alpha1.LearnerGroup) bool {
		return o.Status.ExternalID != n.Status.ExternalID || deleting(o) != deleting(n)
	})
}
