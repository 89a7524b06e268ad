package kubectllms

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// group is an eLeaP-style LearnerGroup of the Learners labelled team=t.
func group(name, display string, policy v1alpha1.MembershipPolicy) v1alpha1.LearnerGroup {
	return v1alpha1.LearnerGroup{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name},
		Spec: v1alpha1.LearnerGroupSpec{ConnectionRef: v1alpha1.ConnectionReference{Name: "c"}, DisplayName: display,
			Members:          v1alpha1.GroupMembers{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "t"}}},
			MembershipPolicy: policy}}
}

func TestPlanGroups(t *testing.T) {
	caps := lms.Capabilities{Groups: true, GroupMembers: true}
	users := []lms.User{{ID: "1", Email: "ada@e.com"}, {ID: "2", Email: "kat@e.com"}, {ID: "3", Email: "eve@e.com"}}
	ada, kat, eve := learner("ada", "ada@e.com", "L", "1", ""), learner("kat", "kat@e.com", "J", "2", ""), learner("eve", "eve@e.com", "E", "3", "")
	ada.Labels, kat.Labels = map[string]string{"team": "t"}, map[string]string{"team": "t"}
	newbie := learner("new", "new@e.com", "N", "", "")
	newbie.Labels = map[string]string{"team": "t"}
	lms1 := []lms.Group{{ID: "g1", Name: "Team", Active: true}}
	live := group("team", "Team", "")
	live.Status.ExternalID, live.Status.ManagedMembers = "g1", []string{"1", "3"}
	liveAuth := group("team", "Team", v1alpha1.MembershipAuthoritative)
	liveAuth.Status.ExternalID = "g1"
	members := func(string) ([]string, error) { return []string{"1", "3"}, nil }
	learners := map[string]*v1alpha1.Learner{"ns/ada": &ada, "ns/kat": &kat, "ns/eve": &eve}
	cases := map[string]struct {
		reason string
		in     groupInput
		want   []Change
	}{
		"Additive": {"Kat is added; Eve, whom the operator added and the selector no longer matches, is removed",
			groupInput{caps: caps, groups: lms1, members: members, manifests: []v1alpha1.LearnerGroup{group("team", "Team", "")},
				cluster: map[string]*v1alpha1.LearnerGroup{"ns/team": &live}, learners: learners, liveLearners: learners},
			[]Change{{Action: ActionUpdate, Kind: "LearnerGroup", Namespace: "ns", Name: "team", DisplayName: "Team",
				MembersAdded: []string{"kat@e.com"}, MembersRemoved: []string{"eve@e.com"}, Calls: 2}}},
		"AdditiveLeavesOthers": {"under Additive a member the operator did not add stays",
			groupInput{caps: caps, groups: lms1, members: members, manifests: []v1alpha1.LearnerGroup{group("team", "Team", "")},
				cluster:  map[string]*v1alpha1.LearnerGroup{"ns/team": ptrTo(group("team", "Team", ""), "g1")},
				learners: learners, liveLearners: learners},
			[]Change{{Action: ActionUpdate, Kind: "LearnerGroup", Namespace: "ns", Name: "team", DisplayName: "Team",
				MembersAdded: []string{"kat@e.com"}, Calls: 1}}},
		"Authoritative": {"under Authoritative every undeclared member goes",
			groupInput{caps: caps, groups: lms1, members: members, manifests: []v1alpha1.LearnerGroup{group("team", "Team", v1alpha1.MembershipAuthoritative)},
				cluster: map[string]*v1alpha1.LearnerGroup{"ns/team": &liveAuth}, learners: learners, liveLearners: learners},
			[]Change{{Action: ActionUpdate, Kind: "LearnerGroup", Namespace: "ns", Name: "team", DisplayName: "Team",
				MembersAdded: []string{"kat@e.com"}, MembersRemoved: []string{"eve@e.com"}, Calls: 2}}},
		"Create": {"a group the LMS lacks is created, with its members; a Learner not yet created is added after its create",
			groupInput{caps: caps, members: members, manifests: []v1alpha1.LearnerGroup{group("team", "Team", "")},
				learners: map[string]*v1alpha1.Learner{"ns/ada": &ada, "ns/new": &newbie}, liveLearners: learners},
			[]Change{{Action: ActionCreate, Kind: "LearnerGroup", Namespace: "ns", Name: "team", DisplayName: "Team",
				MembersAdded: []string{"ada@e.com", "new@e.com (after its create)"}, Calls: 3}}},
		"Renamed": {"a display name changed is an update of the group",
			groupInput{caps: caps, groups: lms1, members: func(string) ([]string, error) { return []string{"1", "2"}, nil },
				manifests: []v1alpha1.LearnerGroup{group("team", "Team 2", "")},
				cluster:   map[string]*v1alpha1.LearnerGroup{"ns/team": &live}, learners: learners, liveLearners: learners},
			[]Change{{Action: ActionUpdate, Kind: "LearnerGroup", Namespace: "ns", Name: "team", DisplayName: "Team 2",
				Fields: []FieldChange{{"displayName", "Team", "Team 2"}}, Calls: 1}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tc.in.inv = inventoryOf(users)
			got, err := planGroups(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// ptrTo is g recorded with the group id.
func ptrTo(g v1alpha1.LearnerGroup, id string) *v1alpha1.LearnerGroup {
	g.Status.ExternalID = id
	return &g
}
