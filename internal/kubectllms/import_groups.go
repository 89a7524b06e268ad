package kubectllms

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"k8s.io/utils/ptr"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// groups makes a LearnerGroup of each group, with its members as learnerRefs.
func (im *importer) groups(ctx context.Context, env Env, gc lms.GroupClient) error {
	env.progress("listing the groups ...")
	groups, err := gc.List(ctx)
	if err != nil {
		return fmt.Errorf("list groups: %w", err)
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].Name < groups[j].Name })
	names := namer{}
	for _, g := range groups {
		if lg := im.managedGroups[g.ID]; lg != "" {
			if name, ok := strings.CutPrefix(lg, im.opts.Namespace+"/"); ok {
				names[name], im.groupOf[g.ID] = true, name // an assignee refers to it; not written again
			}
			im.out.Skipped = append(im.out.Skipped, fmt.Sprintf("group %s (%q): already the group of LearnerGroup %s", g.ID, g.Name, lg))
			continue
		}
		name, why := im.groupName(g, names)
		if why != "" {
			im.out.Skipped = append(im.out.Skipped, fmt.Sprintf("group %s (%q): %s", g.ID, g.Name, why))
			continue
		}
		im.groupOf[g.ID] = name
	}
	for i, g := range groups {
		if im.groupOf[g.ID] == "" || im.managedGroups[g.ID] != "" {
			continue
		}
		env.progress("group %d/%d: %s", i+1, len(groups), g.Name)
		lg, err := im.group(ctx, gc, g)
		if err != nil {
			return err
		}
		im.out.LearnerGroups = append(im.out.LearnerGroups, lg)
	}
	return nil
}

// groupName is the LearnerGroup name of g. A group whose identifier the
// caller chose (Enabley) is found by it alone, and the controller's
// identifier is namespace.name: only a group named so can be imported.
func (im *importer) groupName(g lms.Group, names namer) (string, string) {
	if g.Name == "" {
		return "", "no name (a LearnerGroup needs a displayName)"
	}
	if !im.caps.GroupTypes {
		return names.unique(dnsName(g.Name, "group")), ""
	}
	rest, ok := strings.CutPrefix(g.ID, im.opts.Namespace+".")
	if !ok || dnsName(rest, "") != rest || names[rest] {
		return "", fmt.Sprintf("its identifier is not %s.NAME, which a LearnerGroup NAME of namespace %s would have", im.opts.Namespace, im.opts.Namespace)
	}
	return names.unique(rest), ""
}

// group is the LearnerGroup of g.
func (im *importer) group(ctx context.Context, gc lms.GroupClient, g lms.Group) (v1alpha1.LearnerGroup, error) {
	lg := v1alpha1.LearnerGroup{ObjectMeta: im.meta(im.groupOf[g.ID]), Spec: v1alpha1.LearnerGroupSpec{
		ConnectionRef: im.ref, DisplayName: g.Name, ManagementPolicy: v1alpha1.ManagementObserveOnly,
		DeletionPolicy: v1alpha1.GroupOrphan}}
	if im.caps.GroupTypes {
		lg.Spec.Enabley = &v1alpha1.EnableyGroupSettings{Type: g.Type}
		if p := im.groupOf[g.ParentID]; p != "" {
			lg.Spec.Enabley.ParentRef = &v1alpha1.LocalObjectReference{Name: p}
		}
	} else {
		lg.Spec.Description = g.Description
		if !g.Active {
			lg.Spec.Active = ptr.To(false)
		}
	}
	if !im.caps.GroupMembers {
		return lg, nil
	}
	members, err := gc.Members(ctx, g.ID)
	if err != nil {
		return lg, fmt.Errorf("list the members of group %q: %w", g.Name, err)
	}
	lg.Spec.Members.LearnerRefs = im.refs(members, im.learnerOf)
	return lg, nil
}

// refs are the references of the objects named for ids, sorted; ids of no
// object are left out.
func (im *importer) refs(ids []string, of map[string]string) []v1alpha1.LocalObjectReference {
	var names []string
	for _, id := range ids {
		if n := of[id]; n != "" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := make([]v1alpha1.LocalObjectReference, 0, len(names))
	for _, n := range names {
		out = append(out, v1alpha1.LocalObjectReference{Name: n})
	}
	return out
}

// enrollments makes an Enrollment of each target that has assignees.
func (im *importer) enrollments(ctx context.Context, env Env, ec lms.EnrollmentClient) error {
	names := namer{}
	for _, kind := range im.caps.Targets {
		env.progress("listing the %s targets ...", kind)
		targets, err := ec.Targets(ctx, kind)
		if err != nil {
			return fmt.Errorf("list %s targets: %w", kind, err)
		}
		for _, t := range targets {
			e, ok, err := im.enrollment(ctx, ec, t, names)
			if err != nil {
				return err
			}
			if ok {
				im.out.Enrollments = append(im.out.Enrollments, e)
			}
		}
	}
	return nil
}

// enrollment is the Enrollment of t, if t has assignees that are imported.
func (im *importer) enrollment(ctx context.Context, ec lms.EnrollmentClient, t lms.Target, names namer) (v1alpha1.Enrollment, bool, error) {
	users, err := ec.AssignedUsers(ctx, t)
	if err != nil {
		return v1alpha1.Enrollment{}, false, fmt.Errorf("list the users assigned to %s %q: %w", t.Kind, t.Name, err)
	}
	s := v1alpha1.Subjects{LearnerRefs: im.refs(users, im.learnerOf)}
	if im.caps.GroupEnrollment && len(im.groupOf) > 0 {
		groups, err := ec.AssignedGroups(ctx, t)
		if err != nil {
			return v1alpha1.Enrollment{}, false, fmt.Errorf("list the groups assigned to %s %q: %w", t.Kind, t.Name, err)
		}
		s.GroupRefs = im.refs(groups, im.groupOf)
	}
	if len(s.LearnerRefs)+len(s.GroupRefs) == 0 {
		return v1alpha1.Enrollment{}, false, nil
	}
	e := v1alpha1.Enrollment{ObjectMeta: im.meta(names.unique(dnsName(targetField(t.Kind)+"-"+t.Name, "enrollment"))),
		Spec: v1alpha1.EnrollmentSpec{ConnectionRef: im.ref, Subjects: s,
			ManagementPolicy: v1alpha1.ManagementObserveOnly, DeletionPolicy: v1alpha1.EnrollmentOrphan}}
	ref := &v1alpha1.TargetReference{ID: t.ID}
	switch t.Kind {
	case lms.TargetCourse:
		e.Spec.Course = ref
	case lms.TargetLearningPath:
		e.Spec.LearningPath = ref
	default:
		e.Spec.Channel = ref
	}
	return e, true, nil
}

// targetField names a target kind as the Enrollment spec does.
func targetField(k lms.TargetKind) string {
	switch k {
	case lms.TargetCourse:
		return "course"
	case lms.TargetLearningPath:
		return "learningpath"
	}
	return "channel"
}
