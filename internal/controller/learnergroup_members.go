package controller

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// groupDeclared are the members a LearnerGroup's spec asks for.
type groupDeclared struct {
	// users are the members that can be added, by User.ID.
	users map[string]lms.User
	// pending names the declared Learners that have no LMS user yet.
	pending []string
}

// groupMemberOp is one membership write.
type groupMemberOp struct {
	add  bool
	user lms.User
}

// groupMembership is the state of a group's members during one reconcile.
type groupMembership struct {
	// current are the group's members, by User.ID.
	current sets.Set[string]
	// managed are the members the operator added (status.managedMembers).
	managed sets.Set[string]
}

// syncMembers makes the group's members match the spec: adds the declared
// members it lacks and removes those the policy allows, keeping in status
// what was done even when the budget runs out half-way.
func (run *groupRun) syncMembers(ctx context.Context) outcome {
	want, m, o := run.observeMembers(ctx)
	if o != nil {
		return *o
	}
	o = run.applyMemberOps(ctx, run.memberOps(want.users, m), m)
	run.g.Status.ManagedMembers = sortedList(m.managed)
	run.g.Status.MemberCount = int32(len(m.current))
	run.g.Status.PendingMembers = int32(len(want.pending))
	switch {
	case o != nil:
		return *o
	case len(want.pending) > 0:
		return working(v1alpha1.ReasonWaitingForDependencies, fmt.Sprintf("%d declared members have no LMS user yet (Learners not Ready): %s",
			len(want.pending), truncated(want.pending, shownNames)), run.interval)
	}
	return done(v1alpha1.ReasonSynced, "the LMS group and its members match the spec", run.interval)
}

// observeMembers returns the members the spec declares and those the group
// has in the LMS.
func (run *groupRun) observeMembers(ctx context.Context) (groupDeclared, groupMembership, *outcome) {
	want, o := run.declaredMembers(ctx)
	if o != nil {
		return want, groupMembership{}, o
	}
	m, o := run.currentMembers(ctx)
	return want, m, o
}

// declaredMembers reads the Learners named in members.learnerRefs and those
// of the same connection matched by members.selector.
func (run *groupRun) declaredMembers(ctx context.Context) (groupDeclared, *outcome) {
	learners, missing, o := run.memberLearners(ctx)
	if o != nil {
		return groupDeclared{}, o
	}
	want := groupDeclared{users: map[string]lms.User{}, pending: missing}
	for _, l := range learners {
		if connectionKey(l.Namespace, l.Spec.ConnectionRef) != run.conn.Key {
			s := stalled(v1alpha1.ReasonInvalidSpec, fmt.Sprintf("the Learner %s uses another connection (%s %s) than the group",
				l.Name, l.Spec.ConnectionRef.KindOrDefault(), l.Spec.ConnectionRef.Name))
			return groupDeclared{}, &s
		}
		switch {
		case !l.DeletionTimestamp.IsZero():
			// going away: no longer a member
		case l.Status.ExternalID == "":
			want.pending = append(want.pending, l.Name)
		default:
			want.users[l.Status.ExternalID] = run.memberUser(l.Status.ExternalID)
		}
	}
	slices.Sort(want.pending)
	return want, nil
}

// memberLearners returns the declared Learners by name, and the names in
// learnerRefs of Learners that do not exist.
func (run *groupRun) memberLearners(ctx context.Context) (map[string]*v1alpha1.Learner, []string, *outcome) {
	found := map[string]*v1alpha1.Learner{}
	var missing []string
	for _, ref := range run.g.Spec.Members.LearnerRefs {
		var l v1alpha1.Learner
		err := run.client.Get(ctx, client.ObjectKey{Namespace: run.g.Namespace, Name: ref.Name}, &l)
		switch {
		case apierrors.IsNotFound(err):
			missing = append(missing, ref.Name)
		case err != nil:
			return nil, nil, &outcome{reason: v1alpha1.ReasonWaitingForDependencies, message: err.Error(), err: err}
		default:
			found[l.Name] = &l
		}
	}
	selected, o := run.selectedLearners(ctx)
	if o != nil {
		return nil, nil, o
	}
	for i := range selected {
		found[selected[i].Name] = &selected[i]
	}
	return found, missing, nil
}

// selectedLearners lists the Learners of the group's connection in its
// namespace that members.selector matches.
func (run *groupRun) selectedLearners(ctx context.Context) ([]v1alpha1.Learner, *outcome) {
	if run.g.Spec.Members.Selector == nil {
		return nil, nil
	}
	sel, err := metav1.LabelSelectorAsSelector(run.g.Spec.Members.Selector)
	if err != nil {
		s := stalled(v1alpha1.ReasonInvalidSpec, "spec.members.selector: "+err.Error())
		return nil, &s
	}
	var list v1alpha1.LearnerList
	if err := run.client.List(ctx, &list, client.InNamespace(run.g.Namespace), client.MatchingLabelsSelector{Selector: sel},
		client.MatchingFields{indexConnection: indexValue(run.conn.Key)}); err != nil {
		return nil, &outcome{reason: v1alpha1.ReasonWaitingForDependencies, message: err.Error(), err: err}
	}
	return list.Items, nil
}

// memberUser is the user with id from the connection's inventory, or the
// bare id when the inventory does not know it (membership calls need only the id).
func (run *groupRun) memberUser(id string) lms.User {
	if u, ok := run.conn.Users.Find(id, "", ""); ok {
		return u
	}
	return lms.User{ID: id}
}

// currentMembers reads the group's members: one call. Where the vendor
// cannot list them (Enabley), the members the operator added stand in.
func (run *groupRun) currentMembers(ctx context.Context) (groupMembership, *outcome) {
	ids, err := run.groups.Members(lms.WithPriority(ctx, lms.PriorityRead), run.g.Status.ExternalID)
	if lms.KindOf(err) == lms.KindUnsupported {
		ids, err = run.g.Status.ManagedMembers, nil
	}
	if err != nil {
		return groupMembership{}, run.failedPtr("list group members", err)
	}
	return groupMembership{current: sets.New(ids...), managed: sets.New(run.g.Status.ManagedMembers...)}, nil
}

// memberOps are the writes that make the members match want: add what is
// missing; remove what is not declared, all of it under Authoritative, only
// members the operator added under Additive. Managed members already gone
// from the group are forgotten without a call.
func (run *groupRun) memberOps(want map[string]lms.User, m groupMembership) []groupMemberOp {
	var ops []groupMemberOp
	for _, id := range slices.Sorted(maps.Keys(want)) {
		if !m.current.Has(id) {
			ops = append(ops, groupMemberOp{add: true, user: want[id]})
		}
	}
	removable := m.current
	if run.g.Spec.MembershipPolicy != v1alpha1.MembershipAuthoritative {
		removable = m.managed
	}
	for _, id := range sets.List(removable) {
		if _, declared := want[id]; declared {
			continue
		}
		if m.current.Has(id) {
			ops = append(ops, groupMemberOp{user: run.memberUser(id)})
		} else {
			m.managed.Delete(id)
		}
	}
	return ops
}

// applyMemberOps runs the writes with their tokens taken together (as many
// as the burst allows; later calls wait for tokens like any call), recording
// each in m, and mirrors them in one event.
func (run *groupRun) applyMemberOps(ctx context.Context, ops []groupMemberOp, m groupMembership) *outcome {
	if len(ops) == 0 {
		return nil
	}
	var added, removed []string
	defer func() { run.memberEvent(added, removed) }()
	return run.write(ctx, len(ops), func(ctx context.Context) *outcome {
		for _, op := range ops {
			if o := run.memberWrite(ctx, op); o != nil {
				return o
			}
			id := op.user.ID
			if op.add {
				m.current.Insert(id)
				m.managed.Insert(id)
				added = append(added, id)
			} else {
				m.current.Delete(id)
				m.managed.Delete(id)
				removed = append(removed, id)
			}
		}
		return nil
	})
}

// memberWrite adds or removes one member.
func (run *groupRun) memberWrite(ctx context.Context, op groupMemberOp) *outcome {
	id := run.g.Status.ExternalID
	var err error
	action := "add member " + op.user.ID
	if op.add {
		err = run.groups.AddMember(ctx, id, op.user)
	} else {
		action = "remove member " + op.user.ID
		err = run.groups.RemoveMember(ctx, id, op.user)
	}
	if err == nil {
		return nil
	}
	if lms.IsNotFound(err) {
		run.conn.Groups.Forget(groupsCacheKey) // the group may be gone: look again
	}
	return run.failedPtr(action, err)
}

// memberEvent mirrors the membership writes done in one event.
func (run *groupRun) memberEvent(added, removed []string) {
	if len(added) == 0 && len(removed) == 0 {
		return
	}
	var parts []string
	if len(added) > 0 {
		parts = append(parts, fmt.Sprintf("added %d (%s)", len(added), truncated(added, shownNames)))
	}
	if len(removed) > 0 {
		parts = append(parts, fmt.Sprintf("removed %d (%s)", len(removed), truncated(removed, shownNames)))
	}
	run.event(corev1.EventTypeNormal, v1alpha1.EventMembersChanged, actionUpdate, "LMS group %s: %s members",
		run.g.Status.ExternalID, strings.Join(parts, ", "))
}
