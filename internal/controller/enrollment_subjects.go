package controller

import (
	"context"
	"fmt"
	"slices"
	"sort"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// enrollmentSubjects are the learners and groups an Enrollment resolves to.
// A user with an empty ID belongs to a Learner that is not Ready yet.
type enrollmentSubjects struct {
	// direct are the Learners assigned one by one, by Learner name.
	direct map[string]lms.User
	// groups are the vendor IDs of the groups assigned as groups, by LearnerGroup name.
	groups map[string]string
	// members are the Learners reached only through assigned groups, by name.
	members map[string]groupMember
	// pending describes the Learners and LearnerGroups not Ready yet.
	pending []string
}

// A groupMember is a Learner reached through one or more assigned groups.
type groupMember struct {
	user lms.User
	// groupIDs are the vendor IDs of its groups in the Enrollment.
	groupIDs []string
}

func newEnrollmentSubjects() *enrollmentSubjects {
	return &enrollmentSubjects{direct: map[string]lms.User{}, groups: map[string]string{}, members: map[string]groupMember{}}
}

// count returns the number of distinct Learners.
func (s *enrollmentSubjects) count() int { return len(s.direct) + len(s.members) }

// learnerUser is the LMS user of a Learner, as far as the Enrollment needs it.
func learnerUser(l *v1alpha1.Learner) lms.User {
	return lms.User{ID: l.Status.ExternalID, Email: lms.NormalizeEmail(l.Spec.Email)}
}

// resolveSubjects reads the Learners and LearnerGroups the spec names or
// selects. Learners and groups not Ready yet are pending; a reference to an
// object of another connection stalls the Enrollment.
func (run *enrollmentRun) resolveSubjects(ctx context.Context) (*enrollmentSubjects, *outcome) {
	byName, err := run.connectionLearners(ctx)
	if err != nil {
		return nil, &outcome{reason: v1alpha1.ReasonWaitingForDependencies, message: err.Error(), err: err}
	}
	s := newEnrollmentSubjects()
	if o := run.addLearnerRefs(ctx, s, byName); o != nil {
		return nil, o
	}
	selected, o := selectLearners(run.e.Spec.Subjects.LearnerSelector, byName, "spec.subjects.learnerSelector")
	if o != nil {
		return nil, o
	}
	for _, l := range selected {
		s.addDirect(l)
	}
	if o := run.addGroups(ctx, s, byName); o != nil {
		return nil, o
	}
	for name := range s.direct {
		delete(s.members, name) // named directly: assigned directly
	}
	slices.Sort(s.pending)
	s.pending = slices.Compact(s.pending)
	return s, nil
}

// connectionLearners returns the Learners of the Enrollment's connection in
// its namespace, by name.
func (run *enrollmentRun) connectionLearners(ctx context.Context) (map[string]*v1alpha1.Learner, error) {
	var list v1alpha1.LearnerList
	key := connectionKey(run.e.Namespace, run.e.Spec.ConnectionRef)
	if err := run.client.List(ctx, &list, client.InNamespace(run.e.Namespace),
		client.MatchingFields{indexConnection: indexValue(key)}, client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("list Learners: %w", err)
	}
	out := make(map[string]*v1alpha1.Learner, len(list.Items))
	for i := range list.Items {
		out[list.Items[i].Name] = &list.Items[i]
	}
	return out, nil
}

// addDirect adds a Learner to assign one by one; a Learner being deleted is
// no subject.
func (s *enrollmentSubjects) addDirect(l *v1alpha1.Learner) {
	if !l.DeletionTimestamp.IsZero() {
		return
	}
	s.direct[l.Name] = learnerUser(l)
	if l.Status.ExternalID == "" {
		s.pending = append(s.pending, "Learner "+l.Name)
	}
}

// addMember adds a Learner reached through the assigned group groupID.
func (s *enrollmentSubjects) addMember(l *v1alpha1.Learner, groupID string) {
	if !l.DeletionTimestamp.IsZero() {
		return
	}
	m := s.members[l.Name]
	m.user = learnerUser(l)
	if !slices.Contains(m.groupIDs, groupID) {
		m.groupIDs = append(m.groupIDs, groupID)
	}
	s.members[l.Name] = m
}

// addLearnerRefs adds the Learners of spec.subjects.learnerRefs.
func (run *enrollmentRun) addLearnerRefs(ctx context.Context, s *enrollmentSubjects, byName map[string]*v1alpha1.Learner) *outcome {
	for _, ref := range run.e.Spec.Subjects.LearnerRefs {
		if l, ok := byName[ref.Name]; ok {
			s.addDirect(l)
			continue
		}
		var l v1alpha1.Learner
		err := run.client.Get(ctx, client.ObjectKey{Namespace: run.e.Namespace, Name: ref.Name}, &l)
		switch {
		case apierrors.IsNotFound(err):
			s.pending = append(s.pending, "Learner "+ref.Name+" (not found)")
		case err != nil:
			return &outcome{reason: v1alpha1.ReasonWaitingForDependencies, message: err.Error(), err: err}
		default:
			o := run.otherConnection("Learner", ref.Name, l.Spec.ConnectionRef)
			return &o
		}
	}
	return nil
}

// otherConnection stalls an Enrollment that names an object of another connection.
func (run *enrollmentRun) otherConnection(kind, name string, ref v1alpha1.ConnectionReference) outcome {
	return stalled(v1alpha1.ReasonInvalidSpec, fmt.Sprintf("%s %s uses %s %s, not the Enrollment's %s %s",
		kind, name, ref.KindOrDefault(), ref.Name, run.e.Spec.ConnectionRef.KindOrDefault(), run.e.Spec.ConnectionRef.Name))
}

// selectLearners returns the Learners of byName that sel matches, sorted by
// name; a nil selector matches none.
func selectLearners(sel *metav1.LabelSelector, byName map[string]*v1alpha1.Learner, field string) ([]*v1alpha1.Learner, *outcome) {
	if sel == nil {
		return nil, nil
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		o := stalled(v1alpha1.ReasonInvalidSpec, fmt.Sprintf("%s: %v", field, err))
		return nil, &o
	}
	var out []*v1alpha1.Learner
	for _, l := range byName {
		if s.Matches(labels.Set(l.Labels)) {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// assignsGroups reports whether groups are assigned as groups: the vendor
// can, and the role is Learner (Enabley assigns groups only as learners).
func (run *enrollmentRun) assignsGroups() bool {
	return run.caps.GroupEnrollment && enrollmentRole(run.e) == lms.RoleLearner
}

// addGroups adds the LearnerGroups of spec.subjects.groupRefs: as groups
// where the vendor assigns groups, else as their members one by one.
func (run *enrollmentRun) addGroups(ctx context.Context, s *enrollmentSubjects, byName map[string]*v1alpha1.Learner) *outcome {
	for _, ref := range run.e.Spec.Subjects.GroupRefs {
		var g v1alpha1.LearnerGroup
		err := run.client.Get(ctx, client.ObjectKey{Namespace: run.e.Namespace, Name: ref.Name}, &g)
		if apierrors.IsNotFound(err) {
			s.pending = append(s.pending, "LearnerGroup "+ref.Name+" (not found)")
			continue
		}
		if err != nil {
			return &outcome{reason: v1alpha1.ReasonWaitingForDependencies, message: err.Error(), err: err}
		}
		if connectionKey(g.Namespace, g.Spec.ConnectionRef) != connectionKey(run.e.Namespace, run.e.Spec.ConnectionRef) {
			o := run.otherConnection("LearnerGroup", g.Name, g.Spec.ConnectionRef)
			return &o
		}
		if o := run.addGroup(s, &g, byName); o != nil {
			return o
		}
	}
	return nil
}

// addGroup adds one LearnerGroup and its members.
func (run *enrollmentRun) addGroup(s *enrollmentSubjects, g *v1alpha1.LearnerGroup, byName map[string]*v1alpha1.Learner) *outcome {
	members, o := enrollmentGroupMembers(g, byName)
	if o != nil {
		return o
	}
	if !run.assignsGroups() {
		for _, l := range members {
			s.addDirect(l)
		}
		return nil
	}
	if !g.DeletionTimestamp.IsZero() || g.Status.ExternalID == "" {
		s.pending = append(s.pending, "LearnerGroup "+g.Name)
		return nil
	}
	s.groups[g.Name] = g.Status.ExternalID
	for _, l := range members {
		s.addMember(l, g.Status.ExternalID)
	}
	return nil
}

// enrollmentGroupMembers returns the Learners a LearnerGroup declares: its
// learnerRefs and the Learners its selector matches, among byName (the
// Learners of its connection), sorted by name.
func enrollmentGroupMembers(g *v1alpha1.LearnerGroup, byName map[string]*v1alpha1.Learner) ([]*v1alpha1.Learner, *outcome) {
	selected, o := selectLearners(g.Spec.Members.Selector, byName, "LearnerGroup "+g.Name+" spec.members.selector")
	if o != nil {
		return nil, o
	}
	seen := map[string]bool{}
	for _, l := range selected {
		seen[l.Name] = true
	}
	for _, ref := range g.Spec.Members.LearnerRefs {
		if l, ok := byName[ref.Name]; ok && !seen[ref.Name] {
			seen[ref.Name] = true
			selected = append(selected, l)
		}
	}
	sort.Slice(selected, func(i, j int) bool { return selected[i].Name < selected[j].Name })
	return selected, nil
}
