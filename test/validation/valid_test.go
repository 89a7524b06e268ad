package validation

import (
	"context"
	"strings"
	"testing"
)

// TestValidObjectsAndChangesAreAccepted is the other side of
// TestInvalidObjectsAreRefused: objects and updates near the rules that the
// API server must accept.
func TestValidObjectsAndChangesAreAccepted(t *testing.T) {
	requireAPIServer(t)
	cases := map[string]struct {
		base   string // a valid object
		patch  string // a YAML merge patch that keeps it valid
		update bool   // create base first, then send patch as an update
	}{
		"http endpoint with allowInsecureHTTP is accepted": {
			base: validELeaPConnection, patch: `spec: {endpoint: "http://127.0.0.1:8090/eleap/api", allowInsecureHTTP: true}`,
		},
		"https endpoint without allowInsecureHTTP is accepted": {
			base: validELeaPConnection, patch: `spec: {endpoint: "https://sandbox.2leap.com/api"}`,
		},
		"enabley provider with no enabley block is accepted": {
			base: validELeaPConnection, patch: `spec: {provider: enabley, eleap: null}`,
		},
		"compound syncInterval 1h30m is accepted": {
			base: validELeaPConnection, patch: `spec: {syncInterval: 1h30m}`,
		},
		"selectors with every operator and their values are accepted": {
			base: validLearnerGroup, patch: `spec: {members: {selector: {matchExpressions: [{key: a, operator: In, values: [x]}, ` +
				`{key: b, operator: NotIn, values: ["v1", "v2"]}, {key: c, operator: Exists}, {key: d, operator: DoesNotExist, values: []}]}}}`,
		},
		"Enrollment learnerSelector with matchLabels and Exists is accepted": {
			base: validEnrollment, patch: `spec: {subjects: {learnerSelector: {matchLabels: {team: platform}, matchExpressions: [{key: role, operator: Exists}]}}}`,
		},
		"ClusterLMSConnection allowedNamespaces selector In with values is accepted": {
			base: validClusterConnection, patch: `spec: {allowedNamespaces: {selector: {matchExpressions: [{key: tenant, operator: In, values: ["yes"]}]}}}`,
		},
		"ClusterLMSConnection with allowedNamespaces names and selector is accepted": {
			base: validClusterConnection, patch: `spec: {allowedNamespaces: {names: [team-a], selector: {matchLabels: {lms: "on"}}}}`,
		},
		"ClusterLMSConnection adopting for labelled namespaces, with two roles and a guard, is accepted": {
			base: validClusterConnection, patch: `spec: {adoption: {namespaces: {selector: {matchLabels: {lms-adopt: "yes"}}}}, ` +
				`allowedRoles: [Learner, Instructor], deletionProtection: {maxPerHour: 0, maxPercent: 5}}`,
		},
		"LMSConnection refusing adoption is accepted": {
			base: validELeaPConnection, patch: `spec: {adoption: {policy: Never}}`,
		},
		"Learner firstName of 100 characters is accepted": {
			base: validLearner, patch: `spec: {firstName: ` + strings.Repeat("a", 100) + `}`,
		},
		"Enrollment channel by name with only a learnerSelector is accepted": {
			base: validEnrollment, patch: `spec: {course: null, channel: {name: Kubernetes Basics}, subjects: {learnerRefs: null, learnerSelector: {}}}`,
		},
		"setting a Learner's externalID for the first time is accepted": {
			base: validLearner, update: true, patch: `spec: {externalID: ada@example.com}`,
		},
		"changing a Learner's email and names is accepted": {
			base: validLearner, update: true, patch: `spec: {email: ada.lovelace@example.com, firstName: Augusta}`,
		},
		"Enrollment with a dueDate is accepted": {
			base: validEnrollment, patch: `spec: {dueDate: "2026-03-31"}`,
		},
		"Enrollment with a dueAfter is accepted": {
			base: validEnrollment, patch: `spec: {dueAfter: 720h30m}`,
		},
		"changing an Enrollment's dueDate to a dueAfter is accepted": {
			base: validEnrollment + "  dueDate: \"2026-03-31\"\n", update: true, patch: `spec: {dueDate: null, dueAfter: 24h}`,
		},
		"changing an Enrollment's subjects is accepted": {
			base: validEnrollment, update: true, patch: `spec: {subjects: {groupRefs: [{name: platform-team}]}}`,
		},
		"changing a LearnerGroup's members and policy is accepted": {
			base: validLearnerGroup, update: true, patch: `spec: {members: {learnerRefs: null, selector: {matchLabels: {team: platform}}}, membershipPolicy: Authoritative}`,
		},
	}
	ns := newNamespace(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			obj := objectFromYAML(t, tc.base, ns)
			if tc.update {
				createOrFail(t, obj)
				if err := k8s.Patch(context.Background(), obj, mergePatchFromYAML(t, tc.patch)); err != nil {
					t.Fatalf("the API server refused the update: %v", err)
				}
				return
			}
			mergePatch(obj.Object, mustYAML(t, tc.patch))
			if err := k8s.Create(context.Background(), obj); err != nil {
				t.Fatalf("the API server refused the object: %v", err)
			}
		})
	}
}
