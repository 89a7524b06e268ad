package validation

import (
	"context"
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// TestInvalidObjectsAreRefused sends objects that break one rule each, on
// create or on update, and checks that the API server refuses them as
// Invalid with a message that names the field and says what is wrong.
func TestInvalidObjectsAreRefused(t *testing.T) {
	requireAPIServer(t)
	cases := map[string]struct {
		base      string // a valid object
		patch     string // a YAML merge patch that breaks one rule
		update    bool   // create base first, then send patch as an update
		wantField string // the field the error names
		wantHint  string // what the error tells the user
	}{
		// Connections: the vendor and its settings block.
		"unknown provider is refused with the list of vendors": {
			base: validELeaPConnection, patch: `spec: {provider: moodle}`,
			wantField: "spec.provider", wantHint: `supported values: "eleap", "enabley", "exceed"`,
		},
		"eleap provider without an eleap block is refused": {
			base: validELeaPConnection, patch: `spec: {eleap: null}`,
			wantField: "spec.eleap", wantHint: "spec.eleap must be set when spec.provider is eleap",
		},
		"eleap provider with an exceed block instead of eleap names the block to remove and the one to set": {
			base: validELeaPConnection, patch: `spec: {eleap: null, exceed: {subdomain: acme}}`,
			wantField: "spec.exceed", wantHint: "spec.exceed does not match spec.provider eleap: remove spec.exceed and set spec.eleap",
		},
		"exceed provider with an eleap block instead of exceed names the block to remove and the one to set": {
			base: validExceedConnection, patch: `spec: {exceed: null, eleap: {subdomain: acme}}`,
			wantField: "spec.eleap", wantHint: "spec.eleap does not match spec.provider exceed: remove spec.eleap and set spec.exceed",
		},
		"ClusterLMSConnection of eleap with an exceed block names both blocks": {
			base: validClusterConnection, patch: `spec: {eleap: null, exceed: {subdomain: acme}}`,
			wantField: "spec.exceed", wantHint: "spec.exceed does not match spec.provider eleap: remove spec.exceed and set spec.eleap",
		},
		"eleap provider with both eleap and exceed blocks is refused": {
			base: validELeaPConnection, patch: `spec: {exceed: {subdomain: acme}}`,
			wantField: "spec.exceed", wantHint: "spec.exceed does not match spec.provider eleap: remove spec.exceed (spec.eleap holds the settings of eleap)",
		},
		"eleap provider with an enabley block is refused": {
			base: validELeaPConnection, patch: `spec: {enabley: {subAccountName: main}}`,
			wantField: "spec.enabley", wantHint: "spec.enabley does not match spec.provider eleap: remove spec.enabley (spec.eleap holds the settings of eleap)",
		},
		"enabley provider with an exceed block is refused, naming the optional enabley block": {
			base: validELeaPConnection, patch: `spec: {provider: enabley, eleap: null, exceed: {subdomain: acme}}`,
			wantField: "spec.exceed", wantHint: "spec.exceed does not match spec.provider enabley: remove spec.exceed (spec.enabley, optional, holds the settings of enabley)",
		},
		"exceed provider without an exceed block is refused": {
			base: validExceedConnection, patch: `spec: {exceed: null}`,
			wantField: "spec.exceed", wantHint: "spec.exceed must be set when spec.provider is exceed",
		},
		"eleap subdomain with upper-case letters is refused": {
			base: validELeaPConnection, patch: `spec: {eleap: {subdomain: Acme}}`,
			wantField: "spec.eleap.subdomain", wantHint: "must be the lower-case subdomain of the company's site",
		},
		"http endpoint without allowInsecureHTTP is refused": {
			base: validELeaPConnection, patch: `spec: {endpoint: "http://127.0.0.1:8090/eleap/api"}`,
			wantField: "spec.endpoint", wantHint: "spec.endpoint must use https:// unless spec.allowInsecureHTTP is true",
		},
		"http endpoint of a ClusterLMSConnection without allowInsecureHTTP is refused": {
			base: validClusterConnection, patch: `spec: {endpoint: "http://lms-proxy.internal/api"}`,
			wantField: "spec.endpoint", wantHint: "spec.endpoint must use https:// unless spec.allowInsecureHTTP is true",
		},
		// Tenancy: adoption, roles, the deletion guard.
		"adoption policy other than Adopt or Never is refused": {
			base: validELeaPConnection, patch: `spec: {adoption: {policy: Always}}`,
			wantField: "spec.adoption.policy", wantHint: `supported values: "Adopt", "Never"`,
		},
		"adoption namespaces with policy Never are refused": {
			base: validClusterConnection, patch: `spec: {adoption: {policy: Never, namespaces: {names: [team-a]}}}`,
			wantField: "spec.adoption.namespaces", wantHint: "spec.adoption.namespaces applies only with policy Adopt",
		},
		"allowedRoles with an unknown role is refused": {
			base: validClusterConnection, patch: `spec: {allowedRoles: [Learner, Admin]}`,
			wantField: "spec.allowedRoles[1]", wantHint: `supported values: "Learner", "Instructor", "Supervisor", "Manager"`,
		},
		"empty allowedRoles is refused": {
			base: validClusterConnection, patch: `spec: {allowedRoles: []}`,
			wantField: "spec.allowedRoles", wantHint: "should have at least 1 items",
		},
		"deletionProtection maxPercent over 100 is refused": {
			base: validELeaPConnection, patch: `spec: {deletionProtection: {maxPercent: 101}}`,
			wantField: "spec.deletionProtection.maxPercent", wantHint: "should be less than or equal to 100",
		},
		"negative deletionProtection maxPerHour is refused": {
			base: validClusterConnection, patch: `spec: {deletionProtection: {maxPerHour: -1}}`,
			wantField: "spec.deletionProtection.maxPerHour", wantHint: "should be greater than or equal to 0",
		},
		"endpoint that is not an http(s) URL is refused": {
			base: validELeaPConnection, patch: `spec: {endpoint: "acme.2leap.com/api"}`,
			wantField: "spec.endpoint", wantHint: "should match '^https?://",
		},
		"syncInterval that is not a duration is refused": {
			base: validELeaPConnection, patch: `spec: {syncInterval: 10 minutes}`,
			wantField: "spec.syncInterval", wantHint: "should match '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$'",
		},
		"syncInterval below one second is refused": {
			base: validELeaPConnection, patch: `spec: {syncInterval: 500ms}`,
			wantField: "spec.syncInterval", wantHint: "syncInterval must be at least 1s",
		},
		"rateLimit of 0 requests per hour is refused": {
			base: validELeaPConnection, patch: `spec: {rateLimit: {requestsPerHour: 0}}`,
			wantField: "spec.rateLimit.requestsPerHour", wantHint: "should be greater than or equal to 1",
		},
		"ClusterLMSConnection credentialsSecretRef without namespace is refused": {
			base: validClusterConnection, patch: `spec: {credentialsSecretRef: {namespace: null}}`,
			wantField: "spec.credentialsSecretRef.namespace", wantHint: "Required value",
		},

		// Learners.
		"Learner email without @ is refused": {
			base: validLearner, patch: `spec: {email: ada.example.com}`,
			wantField: "spec.email", wantHint: "must be an email address such as ada@example.com",
		},
		"Learner without email is refused": {
			base: validLearner, patch: `spec: {email: null}`,
			wantField: "spec.email", wantHint: "Required value",
		},
		"Learner firstName of 101 characters is refused": {
			base: validLearner, patch: fmt.Sprintf(`spec: {firstName: %s}`, strings.Repeat("a", 101)),
			wantField: "spec.firstName", wantHint: "may not be more than 100",
		},
		"Learner unknown role is refused with the list of roles": {
			base: validLearner, patch: `spec: {role: Admin}`,
			wantField: "spec.role", wantHint: `supported values: "Learner", "Instructor", "Supervisor", "Manager"`,
		},
		"Learner unknown deletionPolicy is refused": {
			base: validLearner, patch: `spec: {deletionPolicy: Destroy}`,
			wantField: "spec.deletionPolicy", wantHint: `supported values: "Deactivate", "Delete", "Orphan"`,
		},
		"Learner unknown managementPolicy is refused": {
			base: validLearner, patch: `spec: {managementPolicy: ReadOnly}`,
			wantField: "spec.managementPolicy", wantHint: `supported values: "Full", "ObserveOnly"`,
		},
		"Learner connectionRef of an unknown kind is refused": {
			base: validLearner, patch: `spec: {connectionRef: {kind: Secret}}`,
			wantField: "spec.connectionRef.kind", wantHint: `supported values: "LMSConnection", "ClusterLMSConnection"`,
		},
		"Learner with 51 customFields is refused": {
			base: validLearner, patch: customFieldsPatch(51),
			wantField: "spec.customFields", wantHint: "must have at most 50 items",
		},

		// LearnerGroups.
		"LearnerGroup displayName of 101 characters is refused": {
			base: validLearnerGroup, patch: fmt.Sprintf(`spec: {displayName: %s}`, strings.Repeat("g", 101)),
			wantField: "spec.displayName", wantHint: "may not be more than 100",
		},
		"LearnerGroup unknown membershipPolicy is refused": {
			base: validLearnerGroup, patch: `spec: {membershipPolicy: Exclusive}`,
			wantField: "spec.membershipPolicy", wantHint: `supported values: "Additive", "Authoritative"`,
		},
		"LearnerGroup deletionPolicy Deactivate (a Learner policy) is refused": {
			base: validLearnerGroup, patch: `spec: {deletionPolicy: Deactivate}`,
			wantField: "spec.deletionPolicy", wantHint: `supported values: "Delete", "Orphan"`,
		},

		// Enrollments.
		"Enrollment with a course and a learningPath is refused": {
			base: validEnrollment, patch: `spec: {learningPath: {id: "201"}}`,
			wantField: "spec", wantHint: "set exactly one target: spec.course, spec.learningPath or spec.channel",
		},
		"Enrollment without a target is refused": {
			base: validEnrollment, patch: `spec: {course: null}`,
			wantField: "spec", wantHint: "set exactly one target: spec.course, spec.learningPath or spec.channel",
		},
		"Enrollment course with both id and name is refused": {
			base: validEnrollment, patch: `spec: {course: {name: Security Awareness 2026}}`,
			wantField: "spec.course", wantHint: "set exactly one of id and name",
		},
		"Enrollment with empty subjects is refused": {
			base: validEnrollment, patch: `spec: {subjects: {learnerRefs: null}}`,
			wantField: "spec.subjects", wantHint: "spec.subjects needs at least one of learnerRefs, groupRefs and learnerSelector",
		},
		"Enrollment with empty learnerRefs and groupRefs lists is refused": {
			base: validEnrollment, patch: `spec: {subjects: {learnerRefs: [], groupRefs: []}}`,
			wantField: "spec.subjects", wantHint: "spec.subjects needs at least one of learnerRefs, groupRefs and learnerSelector",
		},
		"Enrollment unknown role is refused with the channel roles": {
			base: validEnrollment, patch: `spec: {role: Manager}`,
			wantField: "spec.role", wantHint: `supported values: "Learner", "Instructor"`,
		},
		"Enrollment deletionPolicy Delete (not an Enrollment policy) is refused": {
			base: validEnrollment, patch: `spec: {deletionPolicy: Delete}`,
			wantField: "spec.deletionPolicy", wantHint: `supported values: "Unassign", "Orphan"`,
		},
		"Enrollment with both dueDate and dueAfter is refused": {
			base: validEnrollment, patch: `spec: {dueDate: "2026-03-31", dueAfter: 720h}`,
			wantField: "spec", wantHint: "set at most one of spec.dueDate and spec.dueAfter",
		},
		"Enrollment dueDate that is not a date is refused": {
			base: validEnrollment, patch: `spec: {dueDate: "31/03/2026"}`,
			wantField: "spec.dueDate", wantHint: "must be of type date",
		},
		"Enrollment dueDate with a time is refused": {
			base: validEnrollment, patch: `spec: {dueDate: "2026-03-31T00:00:00Z"}`,
			wantField: "spec.dueDate", wantHint: "must be of type date",
		},
		"Enrollment dueAfter of zero is refused": {
			base: validEnrollment, patch: `spec: {dueAfter: 0h}`,
			wantField: "spec.dueAfter", wantHint: "spec.dueAfter must be a positive duration",
		},
		"Enrollment dueAfter that is not a duration is refused": {
			base: validEnrollment, patch: `spec: {dueAfter: 30d}`,
			wantField: "spec.dueAfter", wantHint: "should match",
		},
		"Enrollment dueAfter that is negative is refused": {
			base: validEnrollment, patch: `spec: {dueAfter: "-1h"}`,
			wantField: "spec.dueAfter", wantHint: "should match",
		},

		// Label selectors: operators and their values.
		"LearnerGroup selector with an unknown operator is refused": {
			base: validLearnerGroup, patch: `spec: {members: {selector: {matchExpressions: [{key: team, operator: Equals, values: [a]}]}}}`,
			wantField: "spec.members.selector", wantHint: "a matchExpressions operator must be In, NotIn, Exists or DoesNotExist",
		},
		"LearnerGroup selector In without values is refused": {
			base: validLearnerGroup, patch: `spec: {members: {selector: {matchExpressions: [{key: team, operator: In}]}}}`,
			wantField: "spec.members.selector", wantHint: "matchExpressions with operator In or NotIn need at least one value",
		},
		"LearnerGroup selector Exists with values is refused": {
			base: validLearnerGroup, patch: `spec: {members: {selector: {matchExpressions: [{key: team, operator: Exists, values: [a]}]}}}`,
			wantField: "spec.members.selector", wantHint: "matchExpressions with operator Exists or DoesNotExist take no values",
		},
		"Enrollment learnerSelector with an unknown operator is refused": {
			base: validEnrollment, patch: `spec: {subjects: {learnerSelector: {matchExpressions: [{key: team, operator: in, values: [a]}]}}}`,
			wantField: "spec.subjects.learnerSelector", wantHint: "a matchExpressions operator must be In, NotIn, Exists or DoesNotExist",
		},
		"Enrollment learnerSelector NotIn with an empty values list is refused": {
			base: validEnrollment, patch: `spec: {subjects: {learnerSelector: {matchExpressions: [{key: team, operator: NotIn, values: []}]}}}`,
			wantField: "spec.subjects.learnerSelector", wantHint: "matchExpressions with operator In or NotIn need at least one value",
		},
		"Enrollment learnerSelector DoesNotExist with values is refused": {
			base: validEnrollment, patch: `spec: {subjects: {learnerSelector: {matchExpressions: [{key: team, operator: DoesNotExist, values: [a]}]}}}`,
			wantField: "spec.subjects.learnerSelector", wantHint: "matchExpressions with operator Exists or DoesNotExist take no values",
		},
		"ClusterLMSConnection allowedNamespaces selector with an unknown operator is refused": {
			base: validClusterConnection, patch: `spec: {allowedNamespaces: {selector: {matchExpressions: [{key: tenant, operator: Has}]}}}`,
			wantField: "spec.allowedNamespaces.selector", wantHint: "a matchExpressions operator must be In, NotIn, Exists or DoesNotExist",
		},
		"ClusterLMSConnection allowedNamespaces selector In without values is refused": {
			base: validClusterConnection, patch: `spec: {allowedNamespaces: {selector: {matchExpressions: [{key: tenant, operator: In}]}}}`,
			wantField: "spec.allowedNamespaces.selector", wantHint: "matchExpressions with operator In or NotIn need at least one value",
		},
		"ClusterLMSConnection allowedNamespaces selector Exists with values is refused": {
			base: validClusterConnection, patch: `spec: {allowedNamespaces: {selector: {matchExpressions: [{key: tenant, operator: Exists, values: ["yes"]}]}}}`,
			wantField: "spec.allowedNamespaces.selector", wantHint: "matchExpressions with operator Exists or DoesNotExist take no values",
		},
		"changing a LearnerGroup selector to an unknown operator is refused": {
			base: validLearnerGroup, update: true, patch: `spec: {members: {selector: {matchExpressions: [{key: team, operator: Contains, values: [a]}]}}}`,
			wantField: "spec.members.selector", wantHint: "a matchExpressions operator must be In, NotIn, Exists or DoesNotExist",
		},

		// Updates of immutable fields.
		"changing a Learner's connectionRef is refused": {
			base: validLearner, update: true, patch: `spec: {connectionRef: {name: exceed}}`,
			wantField: "spec.connectionRef", wantHint: "spec.connectionRef is immutable",
		},
		"changing a Learner's connectionRef kind is refused": {
			base: validLearner, update: true, patch: `spec: {connectionRef: {kind: ClusterLMSConnection}}`,
			wantField: "spec.connectionRef", wantHint: "spec.connectionRef is immutable",
		},
		"changing a LearnerGroup's connectionRef is refused": {
			base: validLearnerGroup, update: true, patch: `spec: {connectionRef: {name: exceed}}`,
			wantField: "spec.connectionRef", wantHint: "spec.connectionRef is immutable",
		},
		"changing an Enrollment's connectionRef is refused": {
			base: validEnrollment, update: true, patch: `spec: {connectionRef: {name: enabley}}`,
			wantField: "spec.connectionRef", wantHint: "spec.connectionRef is immutable",
		},
		"changing a Learner's externalID is refused": {
			base: validLearner + "  externalID: ada@example.com\n", update: true, patch: `spec: {externalID: ada.lovelace}`,
			wantField: "spec.externalID", wantHint: "spec.externalID is immutable once set",
		},
		"removing a Learner's externalID is refused": {
			base: validLearner + "  externalID: ada@example.com\n", update: true, patch: `spec: {externalID: null}`,
			wantField: "spec.externalID", wantHint: "spec.externalID is immutable once set",
		},
		"changing an Enrollment's course id is refused": {
			base: validEnrollment, update: true, patch: `spec: {course: {id: "102"}}`,
			wantField: "spec.course", wantHint: "spec.course is immutable",
		},
		"switching an Enrollment from a course to a learningPath is refused": {
			base: validEnrollment, update: true, patch: `spec: {course: null, learningPath: {id: "201"}}`,
			wantField: "spec", wantHint: "the target is immutable: create a new Enrollment to assign other training",
		},
	}
	ns := newNamespace(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			obj := objectFromYAML(t, tc.base, ns)
			var err error
			if tc.update {
				createOrFail(t, obj)
				err = k8s.Patch(context.Background(), obj, mergePatchFromYAML(t, tc.patch))
			} else {
				mergePatch(obj.Object, mustYAML(t, tc.patch))
				err = k8s.Create(context.Background(), obj)
			}
			assertInvalid(t, err, tc.wantField, tc.wantHint)
		})
	}
}

// assertInvalid fails the test unless err is an Invalid error whose message
// names field (as "field:") and contains hint.
func assertInvalid(t *testing.T, err error, field, hint string) {
	t.Helper()
	if err == nil {
		t.Fatalf("the API server accepted the object; want it refused on %s with %q", field, hint)
	}
	if !apierrors.IsInvalid(err) {
		t.Fatalf("want an Invalid error on %s, got reason %q: %v", field, apierrors.ReasonForError(err), err)
	}
	if msg := err.Error(); !strings.Contains(msg, field+":") || !strings.Contains(msg, hint) {
		t.Errorf("want the error to name %q and say %q, got:\n%v", field+":", hint, err)
	}
	t.Logf("refused as expected: %v", err)
}

// objectFromYAML decodes a test object and puts it in namespace ns when its
// kind is namespaced.
func objectFromYAML(t *testing.T, doc, ns string) *unstructured.Unstructured {
	t.Helper()
	obj := &unstructured.Unstructured{Object: mustYAML(t, doc)}
	namespaced, err := k8s.IsObjectNamespaced(obj)
	if err != nil {
		t.Fatalf("is %s namespaced? %v", obj.GetKind(), err)
	}
	if namespaced {
		obj.SetNamespace(ns)
	}
	return obj
}

// createOrFail creates a valid object that the test then changes.
func createOrFail(t *testing.T, obj client.Object) {
	t.Helper()
	if err := k8s.Create(context.Background(), obj); err != nil {
		t.Fatalf("the API server refused the valid object the test starts from: %v", err)
	}
}

// mergePatchFromYAML turns a YAML merge patch into a client patch.
func mergePatchFromYAML(t *testing.T, doc string) client.Patch {
	t.Helper()
	data, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		t.Fatalf("the test's patch does not decode: %v\n%s", err, doc)
	}
	return client.RawPatch(types.MergePatchType, data)
}

// customFieldsPatch returns a patch that sets n custom fields on a Learner.
func customFieldsPatch(n int) string {
	var b strings.Builder
	b.WriteString("spec:\n  customFields:\n")
	for i := range n {
		fmt.Fprintf(&b, "    field%02d: value\n", i)
	}
	return b.String()
}
