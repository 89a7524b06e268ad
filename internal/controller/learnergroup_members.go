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

// groupMembership is the state of a group's members during one reconcile.
type groupMembership struct {
	// current are the group's members, by User.ID.
	current sets.Set[string]
	// managed are the members the operator added (status.managedMembers);
	// pending those it is adding (status.pendingAdds).
	managed, pending sets.Set[string]
}

// syncMembers makes the group's members match the spec: adds the declared
// members it lacks and removes those the policy allows, a chunk per
// reconcile, keeping in status what was done.
func (run *groupRun) syncMembers(ctx context.Context) outcome {
	want, m, o := run.observeMembers(ctx)
	if o != nil {
		return *o
	}
	b := run.newBatch(m.managed, m.pending, func(owned, pending sets.Set[string]) {
		run.g.Status.ManagedMembers, run.g.Status.PendingAdds = sortedList(owned), sortedList(pending)
	}, run.membersView())
	b.notFound = run.groupGone
	o = b.send(ctx, run.memberWrites(want.users, m))
	m.current.Insert(b.added[nounMember]...)
	m.current.Delete(b.removed[nounMember]...)
	run.memberEvent(b.added[nounMember], b.removed[nounMember])
	run.g.Status.MemberCount = int32(m.current.Len())
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
		client.MatchingFields{indexConnection: indexValue(run.conn.Key)}, client.UnsafeDisableDeepCopy); err != nil {
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

// nounMember counts member writes in events.
const nounMember = "member"

// membersView is the key of the group's members in the connection's views.
func (run *groupRun) membersView() string { return "members:" + run.g.Status.ExternalID }

// currentMembers returns the group's members from the connection's view,
// read from the vendor at most once per sync interval (and once more after
// a spec change) and kept by the operator's own writes in between. Where the vendor cannot list them
// (Enabley), the members the operator added stand in.
func (run *groupRun) currentMembers(ctx context.Context) (groupMembership, *outcome) {
	m := groupMembership{managed: sets.New(run.g.Status.ManagedMembers...), pending: sets.New(run.g.Status.PendingAdds...)}
	if !run.caps.GroupMembers {
		m.current = m.managed.Clone()
		return m, nil
	}
	id := run.g.Status.ExternalID
	current, err := run.readView(ctx, run.membersView(),
		func(ctx context.Context) ([]string, error) { return run.groups.Members(ctx, id) })
	if err != nil {
		return groupMembership{}, run.failedPtr("list group members", err)
	}
	m.current = current
	settle(m.managed, m.pending, m.current)
	return m, nil
}

// memberWrites are the writes that make the members match want: add what
// is missing; remove what is not declared, all of it under Authoritative,
// only members the operator added (or is adding) under Additive. Managed
// members already gone from the group are forgotten without a call.
func (run *groupRun) memberWrites(want map[string]lms.User, m groupMembership) []write {
	var writes []write
	for _, id := range slices.Sorted(maps.Keys(want)) {
		if !m.current.Has(id) {
			writes = append(writes, run.memberWrite(want[id], false))
		}
	}
	removable := m.current
	if run.g.Spec.MembershipPolicy != v1alpha1.MembershipAuthoritative {
		removable = m.managed
	}
	for _, id := range sets.List(removable.Union(m.pending)) {
		if _, declared := want[id]; declared {
			continue
		}
		if m.current.Has(id) || m.pending.Has(id) {
			writes = append(writes, run.memberWrite(run.memberUser(id), true))
		} else {
			m.managed.Delete(id)
		}
	}
	return writes
}

// memberWrite is the write that adds u to the group, or removes it.
func (run *groupRun) memberWrite(u lms.User, remove bool) write {
	gid := run.g.Status.ExternalID
	if remove {
		return write{id: u.ID, what: "remove member " + u.ID, noun: nounMember, remove: true,
			do: func(ctx context.Context) error { return run.groups.RemoveMember(ctx, gid, u) }}
	}
	return write{id: u.ID, what: "add member " + u.ID, noun: nounMember,
		do: func(ctx context.Context) error { return run.groups.AddMember(ctx, gid, u) }}
}

// groupGone reports a member write answered NotFound: the group may be
// gone, so the group list and the members are read again.
func (run *groupRun) groupGone(w write, err error) *outcome {
	run.conn.Groups.Forget(groupsCacheKey)
	run.conn.Views.Forget(run.membersView())
	return run.failedPtr(w.what, err)
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
