package controller

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

func TestLearnerClaims(t *testing.T) {
	learner := func(email, xid, id string) *v1alpha1.Learner {
		return &v1alpha1.Learner{Spec: v1alpha1.LearnerSpec{Email: email, ExternalID: xid}, Status: v1alpha1.LearnerStatus{ExternalID: id}}
	}
	type args struct {
		l              *v1alpha1.Learner
		callerChosenID bool
	}
	cases := map[string]row[args, []string]{
		"ELeaPClaimsTheNormalisedEmail": {reason: "on eLeaP the email is the identity key, compared as the operator sends it",
			args: args{l: learner("Ada@Example.COM", "", "")}, want: []string{"email:ada@example.com"}},
		"ExternalIDDefaultsToTheEmail": {reason: "where the caller chooses the id, it is the email unless the spec names one",
			args: args{l: learner("ada@example.com", "", ""), callerChosenID: true},
			want: []string{"email:ada@example.com", "externalID:ada@example.com"}},
		"RecordedIDIsClaimedToo": {reason: "the vendor id in status is claimed, so that a user renamed away stays owned",
			args: args{l: learner("ada@example.com", "A-7", "1001"), callerChosenID: true},
			want: []string{"email:ada@example.com", "externalID:A-7", "id:1001"}},
	}
	checkTable(t, "learnerClaims", cases, func(a args) []string { return learnerClaims(a.l, a.callerChosenID) })
}

func TestGroupClaims(t *testing.T) {
	group := func(id string) *v1alpha1.LearnerGroup {
		return &v1alpha1.LearnerGroup{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "eng"},
			Spec: v1alpha1.LearnerGroupSpec{DisplayName: "Engineering"}, Status: v1alpha1.LearnerGroupStatus{ExternalID: id}}
	}
	type args struct {
		g     *v1alpha1.LearnerGroup
		index bool
		eLeaP bool
	}
	cases := map[string]row[args, []string]{
		"ELeaPClaimsTheDisplayName": {reason: "eLeaP finds (and adopts) groups by display name, so two LearnerGroups of one name conflict",
			args: args{g: group(""), eLeaP: true}, want: []string{"name:Engineering"}},
		"ELeaPClaimsTheRecordedID": {args: args{g: group("301"), eLeaP: true}, reason: "once created or adopted, the id too",
			want: []string{"name:Engineering", "id:301"}},
		"EnableyClaimsTheIdentifierItWillHave": {reason: "Enabley groups are found by the identifier the operator chooses, not by name",
			args: args{g: group("")}, want: []string{"id:team-a.eng"}},
		"IndexHoldsEveryVendorsKeys": {reason: "the index does not know the vendor: it holds the keys of both",
			args: args{g: group(""), index: true}, want: []string{"name:Engineering", "id:team-a.eng"}},
	}
	checkTable(t, "groupClaims", cases, func(a args) []string {
		if a.index {
			return groupIndexKeys(a.g)
		}
		return groupClaims(a.g, a.eLeaP)
	})
}

func TestOlderClaimWins(t *testing.T) {
	obj := func(ns, name string, created time.Time) *v1alpha1.Learner {
		return &v1alpha1.Learner{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: metav1.NewTime(created)}}
	}
	type args struct{ a, b *v1alpha1.Learner }
	cases := map[string]row[args, bool]{
		"EarlierCreationWins": {reason: "the object created first owns the key, whatever its namespace",
			args: args{a: obj("z", "z", t0), b: obj("a", "a", at(time.Second))}, want: true},
		"LaterCreationLoses": {reason: "the object created later loses",
			args: args{a: obj("a", "a", at(time.Second)), b: obj("z", "z", t0)}, want: false},
		"SameSecondByNamespaceThenName": {reason: "creation times are seconds: a tie is broken by namespace/name, the same way for both",
			args: args{a: obj("team-a", "x", t0), b: obj("team-b", "a", t0)}, want: true},
	}
	checkTable(t, "older", cases, func(a args) bool { return older(a.a, a.b) })
}

func TestAdoptionPolicies(t *testing.T) {
	names := &v1alpha1.AllowedNamespaces{Names: []string{"team-a"}}
	type args struct {
		cluster bool
		lms     *v1alpha1.Adoption
		cl      *v1alpha1.ClusterAdoption
	}
	cases := map[string]row[args, v1alpha1.AdoptionPolicy]{
		"LMSConnectionAdoptsByDefault": {reason: "an LMSConnection's owner holds the credentials: adoption stays today's behaviour",
			args: args{}, want: v1alpha1.AdoptionAdopt},
		"LMSConnectionNever": {reason: "an LMSConnection may refuse adoption",
			args: args{lms: &v1alpha1.Adoption{Policy: v1alpha1.AdoptionNever}}, want: v1alpha1.AdoptionNever},
		"ClusterNeverByDefault": {reason: "tenants of a ClusterLMSConnection take over nothing unless its owner says so",
			args: args{cluster: true}, want: v1alpha1.AdoptionNever},
		"ClusterEmptyBlockIsNever": {reason: "an empty adoption block is no permission",
			args: args{cluster: true, cl: &v1alpha1.ClusterAdoption{}}, want: v1alpha1.AdoptionNever},
		"ClusterNamespacesMeanAdopt": {reason: "listing namespaces that may adopt is permission for them, without naming the policy",
			args: args{cluster: true, cl: &v1alpha1.ClusterAdoption{Namespaces: names}}, want: v1alpha1.AdoptionAdopt},
		"ClusterAdoptForAll": {reason: "policy Adopt without namespaces lets every allowed namespace adopt",
			args: args{cluster: true, cl: &v1alpha1.ClusterAdoption{Policy: v1alpha1.AdoptionAdopt}}, want: v1alpha1.AdoptionAdopt},
	}
	checkTable(t, "adoption policy", cases, func(a args) v1alpha1.AdoptionPolicy {
		if a.cluster {
			return clusterAdoptionPolicy(a.cl)
		}
		return lmsAdoptionPolicy(a.lms)
	})
}

func TestGrantsAllowRole(t *testing.T) {
	type args struct {
		roles []v1alpha1.LearnerRole
		role  v1alpha1.LearnerRole
	}
	clusterDefault := allowedRoles(nil)
	cases := map[string]row[args, bool]{
		"LMSConnectionAllowsManager": {reason: "an LMSConnection (roles nil) grants every role",
			args: args{role: v1alpha1.RoleManager}, want: true},
		"ClusterDefaultRefusesManager": {reason: "a ClusterLMSConnection grants Learner only unless it says more",
			args: args{roles: clusterDefault, role: v1alpha1.RoleManager}, want: false},
		"ClusterDefaultAllowsTheDefaultRole": {reason: "an empty spec.role is Learner",
			args: args{roles: clusterDefault}, want: true},
		"ClusterListedRole": {reason: "a role in spec.allowedRoles is granted",
			args: args{roles: []v1alpha1.LearnerRole{v1alpha1.RoleLearner, v1alpha1.RoleInstructor}, role: v1alpha1.RoleInstructor}, want: true},
	}
	checkTable(t, "allowsRole", cases, func(a args) bool { return grants{roles: a.roles}.allowsRole(a.role) })
}

func TestGroupDeletionPolicy(t *testing.T) {
	type args struct {
		p       v1alpha1.GroupDeletionPolicy
		adopted bool
	}
	cases := map[string]row[args, v1alpha1.GroupDeletionPolicy]{
		"UnsetDeletesWhatTheOperatorCreated": {reason: "a group the operator created goes with its LearnerGroup by default",
			args: args{}, want: v1alpha1.GroupDelete},
		"UnsetOrphansAnAdoptedGroup": {reason: "a group made by hand is never deleted by the default policy",
			args: args{adopted: true}, want: v1alpha1.GroupOrphan},
		"ExplicitDeleteDeletesAnAdoptedGroup": {reason: "Delete set explicitly by the user is obeyed",
			args: args{p: v1alpha1.GroupDelete, adopted: true}, want: v1alpha1.GroupDelete},
		"ExplicitOrphanKeepsACreatedGroup": {reason: "Orphan is obeyed",
			args: args{p: v1alpha1.GroupOrphan}, want: v1alpha1.GroupOrphan},
	}
	checkTable(t, "groupDeletionPolicy", cases, func(a args) v1alpha1.GroupDeletionPolicy { return groupDeletionPolicy(a.p, a.adopted) })
}

func TestApproveCommand(t *testing.T) {
	cases := map[string]row[pool.Key, string]{
		"Cluster": {reason: "a ClusterLMSConnection has no namespace",
			args: pool.Key{Kind: v1alpha1.ClusterLMSConnectionKind, Name: "shared"},
			want: "kubectl annotate clusterlmsconnection shared training.lmsoperator.dev/approve-deletions=400"},
		"Namespaced": {reason: "an LMSConnection is named with its namespace",
			args: pool.Key{Kind: v1alpha1.LMSConnectionKind, Namespace: "team-a", Name: "eleap"},
			want: "kubectl annotate lmsconnection eleap -n team-a training.lmsoperator.dev/approve-deletions=400"},
	}
	checkTable(t, "approveCommand", cases, func(k pool.Key) string { return approveCommand(k, "400") })
}

// TestClaimsOfFindsOnlyTheKeysClaimants checks the bucketed claim index:
// two Learners whose emails share a bucket are not each other's claimants.
func TestClaimsOfFindsOnlyTheKeysClaimants(t *testing.T) {
	conn := pool.Key{Kind: v1alpha1.LMSConnectionKind, Namespace: "team-a", Name: "lms"}
	a, b := "a0@example.com", ""
	for i := 1; b == ""; i++ { // another email in a's bucket
		if e := fmt.Sprintf("a%d@example.com", i); claimValue(conn, claimEmail+e) == claimValue(conn, claimEmail+a) {
			b = e
		}
	}
	learner := func(name, email, connection string) *v1alpha1.Learner {
		return &v1alpha1.Learner{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "team-a", UID: types.UID(name)},
			Spec: v1alpha1.LearnerSpec{Email: email, ConnectionRef: v1alpha1.ConnectionReference{Name: connection}}}
	}
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	var idx index
	for _, i := range indexes() {
		if _, ok := i.obj.(*v1alpha1.Learner); ok && i.field == indexClaim {
			idx = i
		}
	}
	cl := fake.NewClientBuilder().WithScheme(scheme).WithIndex(idx.obj, idx.field, idx.values).
		WithObjects(learner("ada", a, "lms"), learner("bob", b, "lms"), learner("ada-elsewhere", a, "other"), learner("ada-too", a, "lms")).Build()
	r := &reconciler[*v1alpha1.Learner]{client: cl, kind: kind[*v1alpha1.Learner]{
		newList: func() client.ObjectList { return &v1alpha1.LearnerList{} }, claimIndex: learnerIndexKeys}}
	type args struct{ key string }
	cases := map[string]row[args, []string]{
		"SameKey": {reason: "the Learners claiming a's email on the connection, not b's in the same bucket nor another connection's",
			args: args{key: claimEmail + a}, want: []string{"ada", "ada-too"}},
		"OtherKeyOfTheBucket": {reason: "b's email finds b alone",
			args: args{key: claimEmail + b}, want: []string{"bob"}},
		"NoClaimant": {reason: "a key no one claims finds no one",
			args: args{key: claimEmail + "nobody@example.com"}, want: nil},
	}
	checkTable(t, "claimsOf", cases, func(a args) []string {
		found, err := r.claimsOf(context.Background(), conn, a.key)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, o := range found {
			names = append(names, o.GetName())
		}
		slices.Sort(names)
		return names
	})
}
