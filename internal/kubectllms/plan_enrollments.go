package kubectllms

import (
	"context"
	"fmt"
	"strings"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/controller"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/inventory"
)

// enrollmentInput is what the plan of one connection's Enrollments reads.
type enrollmentInput struct {
	d      *Dialed
	enr    lms.EnrollmentClient
	inv    *inventory.Inventory
	groups []lms.Group
	// manifests are the Enrollments; live the cluster's, by namespace/name.
	manifests []v1alpha1.Enrollment
	live      map[string]*v1alpha1.Enrollment
	st        *planState
	// targets caches the targets listed, by kind.
	targets map[lms.TargetKind][]lms.Target
}

// planEnrollments returns the assignment writes of the connection's
// Enrollments, with the controller's own subject resolution and writes.
func planEnrollments(ctx context.Context, in enrollmentInput) ([]Change, error) {
	out := []Change{}
	for i := range in.manifests {
		e := in.manifests[i].DeepCopy()
		if live := in.live[e.Namespace+"/"+e.Name]; live != nil {
			e.Status = live.Status
		}
		if e.Spec.ManagementPolicy == v1alpha1.ManagementObserveOnly {
			continue
		}
		c, err := in.planEnrollment(ctx, e)
		if err != nil {
			return nil, err
		}
		if c.Action != "" {
			out = append(out, c)
		}
	}
	return out, nil
}

// planEnrollment is the change of one Enrollment.
func (in *enrollmentInput) planEnrollment(ctx context.Context, e *v1alpha1.Enrollment) (Change, error) {
	c := Change{Kind: "Enrollment", Namespace: e.Namespace, Name: e.Name}
	t, why, err := in.target(ctx, e)
	if err != nil || why != "" {
		c.Action, c.Note = ActionUpdate, why
		return c, err
	}
	users, err := in.enr.AssignedUsers(ctx, t)
	if err != nil {
		return c, fmt.Errorf("list the users assigned to %s %s: %w", t.Kind, t.ID, err)
	}
	var groups []string
	if in.d.Client.Capabilities().GroupEnrollment {
		groups, err = in.enr.AssignedGroups(ctx, t)
		if err != nil && lms.KindOf(err) != lms.KindUnsupported {
			return c, fmt.Errorf("list the groups assigned to %s %s: %w", t.Kind, t.ID, err)
		}
	}
	a := controller.AssignmentChanges(e, in.d.Connection, in.d.Client.Capabilities(), in.learnersOf(e), in.groupsOf(e), users, groups)
	in.describe(&c, a)
	return c, nil
}

// describe fills c with the assignment writes of a.
func (in *enrollmentInput) describe(c *Change, a controller.Assignments) {
	for _, id := range a.Assign {
		c.Assigned = append(c.Assigned, in.userName(id))
	}
	for _, id := range a.AssignGroups {
		c.Assigned = append(c.Assigned, "group "+in.groupName(id))
	}
	pending := 0
	for _, p := range a.Pending {
		c.Assigned = append(c.Assigned, p+" (once it has its LMS record)")
		if !strings.HasSuffix(p, "(not found)") {
			pending++ // assigned after its create, as a group's member is
		}
	}
	for _, id := range a.Unassign {
		c.Unassigned = append(c.Unassigned, in.userName(id))
	}
	for _, id := range a.UnassignGroups {
		c.Unassigned = append(c.Unassigned, "group "+in.groupName(id))
	}
	c.Calls = len(a.Assign) + len(a.AssignGroups) + len(a.Unassign) + len(a.UnassignGroups) + pending
	if len(c.Assigned)+len(c.Unassigned) > 0 {
		c.Action = ActionUpdate
	}
}

// target resolves e's target as the controller does: by id, else by the
// one target of that name; why says why none can be.
func (in *enrollmentInput) target(ctx context.Context, e *v1alpha1.Enrollment) (lms.Target, string, error) {
	kind, ref := controller.TargetSpec(e)
	if ref.ID != "" {
		return lms.Target{Kind: kind, ID: ref.ID}, "", nil
	}
	if _, ok := in.targets[kind]; !ok {
		list, err := in.enr.Targets(ctx, kind)
		if err != nil {
			return lms.Target{}, "", fmt.Errorf("list the %s targets: %w", kind, err)
		}
		in.targets[kind] = list
	}
	var found []lms.Target
	for _, t := range in.targets[kind] {
		if t.Name == ref.Name {
			found = append(found, t)
		}
	}
	if len(found) != 1 {
		return lms.Target{}, fmt.Sprintf("%d %s targets are named %q: nothing is assigned", len(found), kind, ref.Name), nil
	}
	return found[0], "", nil
}

// learnersOf are the Learners of e's namespace and connection by name, each
// with the user ID it has or would adopt; a Learner to be created has none.
func (in *enrollmentInput) learnersOf(e *v1alpha1.Enrollment) map[string]*v1alpha1.Learner {
	key := connectionKey(e.Namespace, e.Spec.ConnectionRef)
	caps := in.d.Client.Capabilities()
	out := map[string]*v1alpha1.Learner{}
	for _, l := range in.st.learners[key] {
		if l.Namespace != e.Namespace {
			continue
		}
		l := l.DeepCopy()
		id := ""
		if live := in.st.liveByName[l.Namespace+"/"+l.Name]; live != nil {
			id = live.Status.ExternalID
		}
		want := controller.DesiredUser(l, caps)
		if u, ok := in.inv.Find(id, want.ExternalID, want.Email); ok {
			l.Status.ExternalID = u.ID
		}
		out[l.Name] = l
	}
	return out
}

// groupsOf are the LearnerGroups of e's namespace and connection by name,
// each with the group ID it has or would find.
func (in *enrollmentInput) groupsOf(e *v1alpha1.Enrollment) map[string]*v1alpha1.LearnerGroup {
	key := connectionKey(e.Namespace, e.Spec.ConnectionRef)
	gi := groupInput{caps: in.d.Client.Capabilities(), groups: in.groups}
	out := map[string]*v1alpha1.LearnerGroup{}
	for _, g := range in.st.groups[key] {
		if g.Namespace != e.Namespace {
			continue
		}
		g := g.DeepCopy()
		if live := in.st.liveGroups[g.Namespace+"/"+g.Name]; live != nil {
			g.Status = live.Status
		}
		if have, ok := gi.findGroup(g, controller.DesiredGroup(g, gi.caps, "")); ok {
			g.Status.ExternalID = have.ID
		}
		out[g.Name] = g
	}
	return out
}

// userName is the email of the user id, or the id.
func (in *enrollmentInput) userName(id string) string {
	return groupInput{inv: in.inv}.userName(id)
}

// groupName is the name of the group id, or the id.
func (in *enrollmentInput) groupName(id string) string {
	for _, g := range in.groups {
		if g.ID == id {
			return fmt.Sprintf("%q", g.Name)
		}
	}
	return id
}
