package controller

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// targetSpec returns the kind and the reference of an Enrollment's target.
func targetSpec(e *v1alpha1.Enrollment) (lms.TargetKind, v1alpha1.TargetReference) {
	switch {
	case e.Spec.Course != nil:
		return lms.TargetCourse, *e.Spec.Course
	case e.Spec.LearningPath != nil:
		return lms.TargetLearningPath, *e.Spec.LearningPath
	case e.Spec.Channel != nil:
		return lms.TargetChannel, *e.Spec.Channel
	}
	return "", v1alpha1.TargetReference{}
}

// targetNoun is how messages name a target kind: "course", "learning path", "channel".
func targetNoun(k lms.TargetKind) string {
	if k == lms.TargetLearningPath {
		return "learning path"
	}
	return strings.ToLower(string(k))
}

// describeTarget names a target in messages: `course "Kubernetes Basics" (id 103)`.
func describeTarget(t lms.Target) string {
	if t.Name == "" {
		return fmt.Sprintf("%s %s", targetNoun(t.Kind), t.ID)
	}
	return fmt.Sprintf("%s %q (id %s)", targetNoun(t.Kind), t.Name, t.ID)
}

// enrollmentRole is the spec's role, Learner when empty.
func enrollmentRole(e *v1alpha1.Enrollment) lms.Role {
	if e.Spec.Role == "" {
		return lms.RoleLearner
	}
	return lms.Role(e.Spec.Role)
}

// validate stalls an Enrollment whose target kind or role the vendor does
// not support, before any vendor call.
func (run *enrollmentRun) validate(context.Context) *outcome {
	kind, _ := targetSpec(run.e)
	provider := run.conn.Settings.Provider
	if kind == "" {
		s := stalled(v1alpha1.ReasonInvalidSpec, "set one target: spec.course, spec.learningPath or spec.channel")
		return &s
	}
	if !run.caps.SupportsTarget(kind) || run.conn.Client.Enrollments() == nil {
		s := stalled(v1alpha1.ReasonUnsupported, fmt.Sprintf("%s has no %s targets (supported: %s)",
			provider, targetNoun(kind), kindList(run.caps.Targets)))
		return &s
	}
	if _, err := dueRuleOf(run.e.Spec, nil); err != nil {
		s := stalled(v1alpha1.ReasonInvalidSpec, err.Error())
		return &s
	}
	role := enrollmentRole(run.e)
	if role != lms.RoleLearner && !slices.Contains(run.caps.EnrollmentRoles, role) {
		s := stalled(v1alpha1.ReasonUnsupported, fmt.Sprintf("%s enrollments cannot give role %s (supported: %s)",
			provider, role, roleList(run.caps.EnrollmentRoles)))
		return &s
	}
	return nil
}

func kindList(kinds []lms.TargetKind) string {
	if len(kinds) == 0 {
		return "none"
	}
	s := make([]string, 0, len(kinds))
	for _, k := range kinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

func roleList(roles []lms.Role) string {
	s := []string{string(lms.RoleLearner)}
	for _, r := range roles {
		if r != lms.RoleLearner {
			s = append(s, string(r))
		}
	}
	return strings.Join(s, ", ")
}

// resolveTarget finds the target: by id as given, by name from the
// connection's cached list of that kind (one list per sync interval). It
// records the result in status.target.
func (run *enrollmentRun) resolveTarget(ctx context.Context) (lms.Target, *outcome) {
	kind, ref := targetSpec(run.e)
	if ref.ID != "" {
		t := run.withVendorDeadline(ctx, lms.Target{Kind: kind, ID: ref.ID})
		run.recordTarget(t)
		return t, nil
	}
	list, o := run.targets(ctx, kind)
	if o != nil {
		return lms.Target{}, o
	}
	var found []lms.Target
	for _, t := range list {
		if t.Name == ref.Name {
			found = append(found, t)
		}
	}
	return run.pickTarget(kind, ref.Name, found)
}

// targets returns the vendor's targets of kind, cached for a sync interval.
func (run *enrollmentRun) targets(ctx context.Context, kind lms.TargetKind) ([]lms.Target, *outcome) {
	enr := run.conn.Client.Enrollments()
	list, err := run.conn.Targets.Get(lms.WithPriority(ctx, lms.PriorityRead), string(kind), run.interval,
		func(ctx context.Context) ([]lms.Target, error) { return enr.Targets(ctx, kind) })
	if err != nil {
		return nil, run.failedPtr("list "+targetNoun(kind)+"s", err)
	}
	return list, nil
}

// pickTarget reports a name that matches no target or several.
func (run *enrollmentRun) pickTarget(kind lms.TargetKind, name string, found []lms.Target) (lms.Target, *outcome) {
	switch len(found) {
	case 0: // status.target keeps the last resolution: its assignments are there
		w := working(v1alpha1.ReasonTargetNotFound,
			fmt.Sprintf("no %s is named %q in the LMS; looking again in %s", targetNoun(kind), name, run.interval), run.interval)
		return lms.Target{}, &w
	case 1:
		run.recordTarget(found[0])
		return found[0], nil
	}
	ids := make([]string, 0, len(found))
	for _, t := range found {
		ids = append(ids, t.ID)
	}
	s := stalled(v1alpha1.ReasonInvalidSpec, fmt.Sprintf("several %ss are named %q (ids %s): use id",
		targetNoun(kind), name, strings.Join(ids, ", ")))
	return lms.Target{}, &s
}

func (run *enrollmentRun) recordTarget(t lms.Target) {
	run.e.Status.Target = &v1alpha1.ResolvedTarget{Kind: string(t.Kind), ID: t.ID, Name: t.Name, VendorDeadline: formatDeadline(t.Deadline)}
}

// targetNotFound is the outcome of a vendor answering NotFound for the
// target: not stalled, as the training may be created later.
func (run *enrollmentRun) targetNotFound(t lms.Target, action string, err error) outcome {
	run.conn.Targets.Forget(string(t.Kind))
	run.conn.Views.Forget(usersView(t))
	run.conn.Views.Forget(groupsView(t))
	msg := fmt.Sprintf("%s: %s; looking again in %s", action, lms.Message(err), run.interval)
	run.event(corev1.EventTypeWarning, v1alpha1.ReasonTargetNotFound, actionSync, "%s", msg)
	return working(v1alpha1.ReasonTargetNotFound, msg, run.interval)
}
