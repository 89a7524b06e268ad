package controller

import (
	"context"
	"fmt"
	"slices"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// grants are what a connection lets the objects of one namespace do: take
// over LMS objects that existed before them, and ask for roles; and whose
// claims count on it.
type grants struct {
	// mayAdopt: a pre-existing LMS user or group may be taken over.
	mayAdopt bool
	// roles are the roles a Learner may ask for; nil: every role the vendor has.
	roles []v1alpha1.LearnerRole
	// namespaces are the namespaces a ClusterLMSConnection allows; nil: any.
	namespaces *v1alpha1.AllowedNamespaces
	// seed is what the connection's status records of its deletion guard.
	seed guardSeed
}

// grantsOf returns what connection obj grants namespace ns.
func (r *connectionResolver) grantsOf(ctx context.Context, obj connectionObject, ns string) (grants, error) {
	if cc, ok := obj.(clusterConnection); ok {
		return r.clusterGrants(ctx, cc.ClusterLMSConnection, ns)
	}
	return lmsConnectionGrants(obj.(lmsConnection).LMSConnection), nil
}

// lmsConnectionGrants are the grants of an LMSConnection: its owner holds the
// credentials, so every role is allowed, and adoption unless it says Never.
func lmsConnectionGrants(c *v1alpha1.LMSConnection) grants {
	return grants{mayAdopt: lmsAdoptionPolicy(c.Spec.Adoption) == v1alpha1.AdoptionAdopt,
		seed: seedOf(c, &c.Spec.ConnectionSettings, c.Status.DeletionProtection)}
}

// clusterGrants are the grants of a ClusterLMSConnection to namespace ns.
func (r *connectionResolver) clusterGrants(ctx context.Context, c *v1alpha1.ClusterLMSConnection, ns string) (grants, error) {
	g := grants{roles: allowedRoles(c.Spec.AllowedRoles), namespaces: c.Spec.AllowedNamespaces,
		seed: seedOf(c, &c.Spec.ConnectionSettings, c.Status.DeletionProtection)}
	a := c.Spec.Adoption
	if clusterAdoptionPolicy(a) != v1alpha1.AdoptionAdopt {
		return g, nil
	}
	if a.Namespaces == nil {
		g.mayAdopt = true
		return g, nil
	}
	ok, err := r.namespaceAllowed(ctx, a.Namespaces, ns, "spec.adoption.namespaces")
	g.mayAdopt = ok
	return g, err
}

// lmsAdoptionPolicy is an LMSConnection's adoption policy: Adopt unless it
// says Never.
func lmsAdoptionPolicy(a *v1alpha1.Adoption) v1alpha1.AdoptionPolicy {
	if a == nil || a.Policy == "" {
		return v1alpha1.AdoptionAdopt
	}
	return a.Policy
}

// clusterAdoptionPolicy is a ClusterLMSConnection's adoption policy: the one
// it names; unnamed, Adopt when it lists namespaces that may adopt, else Never.
func clusterAdoptionPolicy(a *v1alpha1.ClusterAdoption) v1alpha1.AdoptionPolicy {
	switch {
	case a == nil:
		return v1alpha1.AdoptionNever
	case a.Policy != "":
		return a.Policy
	case a.Namespaces != nil:
		return v1alpha1.AdoptionAdopt
	}
	return v1alpha1.AdoptionNever
}

// allowedRoles are the roles a ClusterLMSConnection grants: spec.allowedRoles,
// [Learner] when it is empty.
func allowedRoles(roles []v1alpha1.LearnerRole) []v1alpha1.LearnerRole {
	if len(roles) == 0 {
		return []v1alpha1.LearnerRole{v1alpha1.RoleLearner}
	}
	return roles
}

// allowsRole reports whether the grants let a Learner ask for role.
func (g grants) allowsRole(role v1alpha1.LearnerRole) bool {
	return g.roles == nil || slices.Contains(g.roles, roleOrDefault(role))
}

// roleRefused is the outcome of a Learner asking for a role its
// ClusterLMSConnection does not grant.
func roleRefused(conn string, role v1alpha1.LearnerRole, roles []v1alpha1.LearnerRole) outcome {
	return stalled(v1alpha1.ReasonRoleNotAllowed, fmt.Sprintf("ClusterLMSConnection %s does not grant role %s (spec.allowedRoles: %v); "+
		"nothing is sent to the LMS", conn, roleOrDefault(role), roles))
}
