package kubectllms

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

func TestDNSName(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     string
		want   string
	}{
		"Plain":    {"a valid name is kept", "ada", "ada"},
		"Upper":    {"upper case is lowered", "Ada.Lovelace", "ada-lovelace"},
		"Runs":     {"runs of other characters become one dash", "a__+b", "a-b"},
		"Ends":     {"no dash at either end", "_a_", "a"},
		"Empty":    {"nothing left gives the fallback", "+++", "learner"},
		"Long":     {"at most 63 characters, no trailing dash", strings.Repeat("a", 62) + "-b", strings.Repeat("a", 62)},
		"NonASCII": {"non-ASCII letters are separators", "zoë", "zo"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, dnsName(tc.in, "learner")); diff != "" {
				t.Errorf("%s\ndnsName(%q): -want, +got:\n%s", tc.reason, tc.in, diff)
			}
		})
	}
}

func TestNamerUnique(t *testing.T) {
	n := namer{}
	long := strings.Repeat("x", 63)
	got := []string{n.unique("ada"), n.unique("ada"), n.unique("ada"), n.unique(long), n.unique(long)}
	want := []string{"ada", "ada-2", "ada-3", long, strings.Repeat("x", 61) + "-2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unique names: -want, +got:\n%s", diff)
	}
}

func TestChangeLine(t *testing.T) {
	cases := map[string]struct {
		reason string
		c      Change
		want   string
	}{
		"Create": {"a create names the email",
			Change{Action: ActionCreate, Kind: "Learner", Namespace: "ns", Name: "ada", Email: "ada@example.com"},
			"+ create Learner ns/ada (ada@example.com)"},
		"Update": {"an update names each field's old and new value",
			Change{Action: ActionUpdate, Kind: "Learner", Namespace: "ns", Name: "ada", Email: "ada@example.com",
				Fields: []FieldChange{{"lastName", "Old", "New"}}},
			`~ update Learner ns/ada (lastName: "Old" -> "New")`},
		"Active": {"a flag is not quoted",
			Change{Action: ActionUpdate, Kind: "Learner", Namespace: "ns", Name: "ada", Fields: []FieldChange{{"active", "true", "false"}}},
			"~ update Learner ns/ada (active: true -> false)"},
		"Deactivate": {"a deactivation is marked -",
			Change{Action: ActionDeactivate, Kind: "Learner", Namespace: "ns", Name: "k", Email: "k@example.com"},
			"- deactivate Learner ns/k (k@example.com)"},
		"Note": {"a note follows",
			Change{Action: ActionOrphan, Kind: "Learner", Namespace: "ns", Name: "k", Email: "k@e.com", Note: "left"},
			"- orphan Learner ns/k (k@e.com, left)"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ChangeLine(tc.c)); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// learner is a Learner of connection c, recorded with user id when id is set.
func learner(name, email, last, id string, policy v1alpha1.LearnerDeletionPolicy) v1alpha1.Learner {
	l := v1alpha1.Learner{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name},
		Spec: v1alpha1.LearnerSpec{ConnectionRef: v1alpha1.ConnectionReference{Name: "c"}, Email: email,
			FirstName: "F", LastName: last, DeletionPolicy: policy}}
	l.Status.ExternalID = id
	return l
}

func TestPlanLearners(t *testing.T) {
	caps := lms.Capabilities{}
	users := []lms.User{
		{ID: "1", Email: "ada@e.com", FirstName: "F", LastName: "Lovelace", Role: lms.RoleLearner, Active: true},
		{ID: "2", Email: "kat@e.com", FirstName: "F", LastName: "Johnson", Role: lms.RoleLearner, Active: true},
		{ID: "3", Email: "old@e.com", FirstName: "F", LastName: "Old", Role: lms.RoleLearner, Active: false},
	}
	ada, kat, old := learner("ada", "ada@e.com", "Lovelace", "1", ""), learner("kat", "kat@e.com", "Johnson", "2", v1alpha1.LearnerDelete),
		learner("old", "old@e.com", "Old", "3", "")
	old.Spec.Active = ptr.To(false)
	cluster := map[string]*v1alpha1.Learner{"ns/ada": &ada, "ns/kat": &kat, "ns/old": &old}
	cases := map[string]struct {
		reason string
		in     learnerInput
		want   []Change
	}{
		"NoChange": {"the manifests match the LMS: nothing to do",
			learnerInput{caps: caps, users: users, manifests: []v1alpha1.Learner{ada, kat, old}, cluster: cluster}, []Change{}},
		"UpdateAndPrune": {"a lastName changed is an update; a Learner removed, with prune, its deletion policy",
			learnerInput{caps: caps, users: users, manifests: []v1alpha1.Learner{learner("ada", "ada@e.com", "Byron", "", ""), old},
				cluster: cluster, prune: true},
			[]Change{
				{Action: ActionUpdate, Kind: "Learner", Namespace: "ns", Name: "ada", Email: "ada@e.com", Calls: 2,
					Fields: []FieldChange{{"lastName", "Lovelace", "Byron"}}},
				{Action: ActionDelete, Kind: "Learner", Namespace: "ns", Name: "kat", Email: "kat@e.com", Calls: 1, Deletion: true},
			}},
		"NoPrune": {"without prune a Learner removed is left alone",
			learnerInput{caps: caps, users: users, manifests: []v1alpha1.Learner{ada}, cluster: cluster}, []Change{}},
		"CreateAndAdopt": {"a new email is a create; a user of the LMS that no Learner recorded is adopted",
			learnerInput{caps: caps, users: users, manifests: []v1alpha1.Learner{
				learner("new", "new@e.com", "N", "", ""), learner("kat2", "kat@e.com", "Johnson", "", "")}},
			[]Change{
				{Action: ActionCreate, Kind: "Learner", Namespace: "ns", Name: "new", Email: "new@e.com", Calls: 1},
				{Action: ActionAdopt, Kind: "Learner", Namespace: "ns", Name: "kat2", Email: "kat@e.com"},
			}},
		"Unobserved": {"a spec change also writes the fields the list does not show, named apart from the diff",
			learnerInput{caps: caps, users: []lms.User{{ID: "9", Email: "eve@e.com", FirstName: "F", LastName: "Old",
				Role: lms.RoleLearner, Unobserved: lms.FieldActive}},
				manifests: []v1alpha1.Learner{learner("eve", "eve@e.com", "New", "", "")},
				cluster:   map[string]*v1alpha1.Learner{"ns/eve": ptr.To(learner("eve", "eve@e.com", "Old", "9", ""))}},
			[]Change{{Action: ActionUpdate, Kind: "Learner", Namespace: "ns", Name: "eve", Email: "eve@e.com", Calls: 2,
				Fields: []FieldChange{{"lastName", "Old", "New"}}, Unobserved: []string{"active"}}}},
		"AlreadyInactive": {"deactivating an inactive user costs no call and the guard does not count it",
			learnerInput{caps: caps, users: users, manifests: []v1alpha1.Learner{ada, kat}, cluster: cluster, prune: true},
			[]Change{{Action: ActionDeactivate, Kind: "Learner", Namespace: "ns", Name: "old", Email: "old@e.com",
				Note: "the LMS user is already inactive"}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, planLearners(tc.in)); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestBudgetAndGuard(t *testing.T) {
	cases := map[string]struct {
		reason string
		got    any
		want   any
	}{
		"WithinBurst":  {"calls within the burst take no time", budgetTime(10, 2500, 10), time.Duration(0)},
		"PastBurst":    {"each call past the burst takes an hour/rate", budgetTime(35, 2500, 10), 25 * time.Hour / 2500},
		"HeldNone":     {"deletions within the threshold are not held", heldBy(5, 100, 0), 0},
		"HeldPast":     {"what passes the threshold less the last hour's is held", heldBy(30, 100, 80), 10},
		"HeldOverfull": {"a window already past the threshold holds every deletion", heldBy(3, 10, 20), 3},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
