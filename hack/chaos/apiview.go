package main

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// An objInfo is what the invariants read of one object in the API server.
type objInfo struct {
	generation, observed int64
	ready                *metav1.Condition
	deleting             bool
	finalizers           []string
}

// An apiView holds the campaign's objects of one namespace by "Kind/name".
type apiView map[string]objInfo

// apiKey names an object in an apiView.
func apiKey(kind, name string) string { return kind + "/" + name }

// A kindList is the list of one kind and how to reach its items.
type kindList struct {
	kind  string
	list  client.ObjectList
	items func() []client.Object
}

// readAPI lists the connections, Learners, LearnerGroups and Enrollments of ns.
func readAPI(ctx context.Context, c client.Client, ns string) (apiView, error) {
	var conns v1alpha1.LMSConnectionList
	var learners v1alpha1.LearnerList
	var groups v1alpha1.LearnerGroupList
	var enrollments v1alpha1.EnrollmentList
	lists := []kindList{
		{"LMSConnection", &conns, func() []client.Object { return objects(conns.Items) }},
		{"Learner", &learners, func() []client.Object { return objects(learners.Items) }},
		{"LearnerGroup", &groups, func() []client.Object { return objects(groups.Items) }},
		{"Enrollment", &enrollments, func() []client.Object { return objects(enrollments.Items) }},
	}
	view := apiView{}
	for _, l := range lists {
		if err := c.List(ctx, l.list, client.InNamespace(ns)); err != nil {
			return nil, fmt.Errorf("list %ss in %s: %w", l.kind, ns, err)
		}
		for _, obj := range l.items() {
			view[apiKey(l.kind, obj.GetName())] = infoOf(obj)
		}
	}
	return view, nil
}

// objects returns pointers to items as client.Objects.
func objects[T any, PT interface {
	*T
	client.Object
}](items []T) []client.Object {
	out := make([]client.Object, len(items))
	for i := range items {
		out[i] = PT(&items[i])
	}
	return out
}

// infoOf reads obj's generation, status and deletion.
func infoOf(obj client.Object) objInfo {
	info := objInfo{generation: obj.GetGeneration(), deleting: !obj.GetDeletionTimestamp().IsZero(),
		finalizers: obj.GetFinalizers()}
	var common *v1alpha1.CommonStatus
	switch o := obj.(type) {
	case *v1alpha1.LMSConnection:
		common = &o.Status.CommonStatus
	case *v1alpha1.Learner:
		common = &o.Status.CommonStatus
	case *v1alpha1.LearnerGroup:
		common = &o.Status.CommonStatus
	case *v1alpha1.Enrollment:
		common = &o.Status.CommonStatus
	}
	if common != nil {
		info.observed = common.ObservedGeneration
		info.ready = meta.FindStatusCondition(common.Conditions, v1alpha1.ConditionReady)
	}
	return info
}

// describe prints what an object's status says.
func (i objInfo) describe() string {
	s := fmt.Sprintf("generation %d, observedGeneration %d", i.generation, i.observed)
	if i.ready == nil {
		s += ", no Ready condition"
	} else {
		s += fmt.Sprintf(", Ready=%s %s: %q", i.ready.Status, i.ready.Reason, i.ready.Message)
	}
	if i.deleting {
		s += fmt.Sprintf(", being deleted (finalizers %v)", i.finalizers)
	}
	return s
}

// declared lists the live and the deleted objects of m by apiKey.
func declared(m *model) (live, deleted []string) {
	add := func(kind, name string, isDeleted bool) {
		if isDeleted {
			deleted = append(deleted, apiKey(kind, name))
		} else {
			live = append(live, apiKey(kind, name))
		}
	}
	live = append(live, apiKey("LMSConnection", connName))
	for _, l := range m.learners {
		add("Learner", l.name, l.deleted)
	}
	for _, g := range m.groups {
		add("LearnerGroup", g.name, g.deleted)
	}
	for _, e := range m.enrollments {
		add("Enrollment", e.name, e.deleted)
	}
	return live, deleted
}

// apiChecks are the invariants on the API server's objects: every live
// object Ready at its generation, every deleted one gone.
func apiChecks(m *model, view apiView) []check {
	ready, gone := check{vendor: m.vendor, name: nameReady}, check{vendor: m.vendor, name: nameGone}
	live, deleted := declared(m)
	for _, key := range live {
		ready.of++
		info, ok := view[key]
		switch {
		case !ok:
			ready.fail("%s: missing from the API server", key)
		case info.ready == nil || info.ready.Status != metav1.ConditionTrue || info.observed != info.generation:
			ready.fail("%s: %s", key, info.describe())
		}
	}
	for _, key := range deleted {
		gone.of++
		if info, ok := view[key]; ok {
			gone.fail("%s: still present, %s", key, info.describe())
		}
	}
	return []check{ready, gone}
}
