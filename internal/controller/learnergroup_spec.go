package controller

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// hierarchyReader is the part of a GroupClient that reads the group types a
// vendor accepts (Enabley's groups/hierarchy).
type hierarchyReader interface {
	Hierarchy(ctx context.Context) ([]string, error)
}

// validate refuses, before any vendor call, what the vendor cannot do.
func (run *groupRun) validate(ctx context.Context) *outcome {
	provider := run.conn.Settings.Provider
	spec := run.g.Spec
	var o outcome
	switch {
	case !run.caps.Groups || run.groups == nil:
		o = stalled(v1alpha1.ReasonUnsupported, fmt.Sprintf("%s has no groups the operator can manage: LearnerGroup is not supported on %s %s",
			provider, run.conn.Key.Kind, run.conn.Key))
	case spec.Enabley != nil && !run.caps.GroupTypes:
		o = stalled(v1alpha1.ReasonInvalidSpec, fmt.Sprintf("spec.enabley is only for Enabley connections; %s %s is %s",
			run.conn.Key.Kind, run.conn.Key, provider))
	case run.caps.GroupTypes && (spec.Enabley == nil || spec.Enabley.Type == ""):
		o = stalled(v1alpha1.ReasonInvalidSpec, "spec.enabley.type is required on Enabley"+run.groupTypes(ctx))
	case run.caps.GroupTypes && spec.Active != nil && !*spec.Active:
		o = stalled(v1alpha1.ReasonUnsupported, "Enabley groups have no active flag: spec.active cannot be false on Enabley")
	case spec.MembershipPolicy == v1alpha1.MembershipAuthoritative && !run.caps.GroupMembers:
		o = stalled(v1alpha1.ReasonUnsupported, fmt.Sprintf("%s has no API to list a group's members, so the Authoritative "+
			"policy cannot find members added in the LMS by hand; use membershipPolicy: Additive", provider))
	default:
		return nil
	}
	return &o
}

// groupTypes names the group types the vendor accepts, for a message: one
// call, made only on the way to Stalled.
func (run *groupRun) groupTypes(ctx context.Context) string {
	h, ok := run.groups.(hierarchyReader)
	if !ok {
		return ""
	}
	names, err := h.Hierarchy(lms.WithPriority(ctx, lms.PriorityRead))
	if err != nil || len(names) == 0 {
		return ""
	}
	return ": one of " + strings.Join(names, ", ")
}

// parentID returns the LMS identifier of the parent group named by
// spec.enabley.parentRef, or the outcome to report while there is none.
// The parent must be a LearnerGroup of the same connection whose LMS group
// exists (status.externalID); it need not be Ready otherwise, since pending
// members of the parent do not concern its children.
func (run *groupRun) parentID(ctx context.Context) (string, *outcome) {
	if run.g.Spec.Enabley == nil || run.g.Spec.Enabley.ParentRef == nil {
		return "", nil
	}
	name := run.g.Spec.Enabley.ParentRef.Name
	if name == run.g.Name {
		s := stalled(v1alpha1.ReasonInvalidSpec, "spec.enabley.parentRef names the LearnerGroup itself")
		return "", &s
	}
	var p v1alpha1.LearnerGroup
	if err := run.client.Get(ctx, client.ObjectKey{Namespace: run.g.Namespace, Name: name}, &p); err != nil {
		if apierrors.IsNotFound(err) {
			w := working(v1alpha1.ReasonWaitingForDependencies, fmt.Sprintf("the parent LearnerGroup %s does not exist", name), 0)
			return "", &w
		}
		return "", &outcome{reason: v1alpha1.ReasonWaitingForDependencies, message: err.Error(), err: err}
	}
	if connectionKey(p.Namespace, p.Spec.ConnectionRef) != run.conn.Key {
		s := stalled(v1alpha1.ReasonInvalidSpec, fmt.Sprintf("the parent LearnerGroup %s uses another connection (%s)", name, p.Spec.ConnectionRef.Name))
		return "", &s
	}
	if p.Status.ExternalID == "" || !p.DeletionTimestamp.IsZero() {
		w := working(v1alpha1.ReasonWaitingForDependencies, fmt.Sprintf("the parent LearnerGroup %s has no LMS group yet", name), 0)
		return "", &w
	}
	return p.Status.ExternalID, nil
}

// groupID is the LMS identifier of the group: status.externalID once known;
// before that, on vendors where the caller chooses it (Enabley), the
// deterministic "<namespace>.<name>". A namespace has no dot, so the
// identifier names one LearnerGroup, and a LearnerGroup whose status was
// lost finds its group again. On eLeaP, which assigns ids, it is empty
// until the group is created or adopted by name.
func (run *groupRun) groupID() string {
	if run.g.Status.ExternalID != "" {
		return run.g.Status.ExternalID
	}
	if run.caps.GroupTypes {
		return run.g.Namespace + "." + run.g.Name
	}
	return ""
}

// desiredGroup is the LMS group the spec asks for, limited to the fields the
// vendor has: groups with types (Enabley) have a type and a parent but no
// description and no active flag; eLeaP groups the reverse.
func (run *groupRun) desiredGroup(parentID string) lms.Group {
	spec := run.g.Spec
	g := lms.Group{ID: run.groupID(), Name: spec.DisplayName, Active: true}
	if run.caps.GroupTypes {
		g.Type, g.ParentID = spec.Enabley.Type, parentID
		return g
	}
	g.Description = spec.Description
	g.Active = spec.Active == nil || *spec.Active
	return g
}

// groupDiff names the spec fields in which actual differs from desired.
func groupDiff(desired, actual lms.Group, caps lms.Capabilities) []string {
	var d fieldDiff
	d.check("displayName", desired.Name != actual.Name)
	if caps.GroupTypes {
		d.check("enabley.type", desired.Type != actual.Type)
		d.check("enabley.parentRef", desired.ParentID != actual.ParentID)
		return d
	}
	d.check("description", desired.Description != actual.Description)
	d.check("active", desired.Active != actual.Active)
	return d
}
