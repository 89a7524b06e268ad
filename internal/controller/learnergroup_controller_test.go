package controller

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/eleap"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
)

// learnerGroupOf returns a LearnerGroup of the connection, not yet created.
func learnerGroupOf(v *vendorSetup, name, displayName string, members ...string) *v1alpha1.LearnerGroup {
	g := &v1alpha1.LearnerGroup{
		ObjectMeta: metav1.ObjectMeta{Namespace: v.conn.Namespace, Name: name},
		Spec: v1alpha1.LearnerGroupSpec{ConnectionRef: v1alpha1.ConnectionReference{Name: v.conn.Name},
			DisplayName: displayName},
	}
	for _, m := range members {
		g.Spec.Members.LearnerRefs = append(g.Spec.Members.LearnerRefs, v1alpha1.LocalObjectReference{Name: m})
	}
	return g
}

// readyLearners creates Learners named by their email's local part and
// waits until they are Ready; it returns them by name.
func readyLearners(t *testing.T, v *vendorSetup, emails ...string) map[string]*v1alpha1.Learner {
	t.Helper()
	out := map[string]*v1alpha1.Learner{}
	for _, e := range emails {
		l := v.learner(strings.Split(e, "@")[0], e)
		create(t, l)
		out[l.Name] = l
	}
	for _, l := range out {
		waitReady(t, l)
	}
	return out
}

// eleapGroup returns the simulator's eLeaP user group id.
func eleapGroup(v *vendorSetup, id string) (eleapsim.UserGroup, bool) {
	for _, g := range v.sim.ELeaP.State().UserGroups {
		if g.ID == id {
			return g, true
		}
	}
	return eleapsim.UserGroup{}, false
}

// eleapMembers returns the ids of the users in the simulator's eLeaP group id, sorted.
func eleapMembers(v *vendorSetup, id string) []string {
	var out []string
	for _, m := range v.sim.ELeaP.State().Memberships {
		if m.GroupID == id {
			out = append(out, m.UserID)
		}
	}
	slices.Sort(out)
	return out
}

// waitELeaPMembers waits until the eLeaP group id has exactly the users want.
func waitELeaPMembers(t *testing.T, v *vendorSetup, id string, want ...string) {
	t.Helper()
	slices.Sort(want)
	waitFor(t, fmt.Sprintf("eLeaP group %s to have members %v", id, want), eventually, func() (bool, string) {
		got := eleapMembers(v, id)
		return slices.Equal(got, want), fmt.Sprintf("members %v", got)
	})
}

// eleapByHand returns a client of the simulator's eLeaP groups, to change
// them the way an LMS admin would: through the vendor API, not the operator.
func eleapByHand(t *testing.T, v *vendorSetup) lms.GroupClient {
	t.Helper()
	c, err := eleap.New(lms.Config{BaseURL: v.sim.BaseURL(lmssim.ELeaP), HTTPClient: http.DefaultClient,
		Credentials: map[string][]byte{"apiToken": []byte(lmssim.DemoELeaPToken)}})
	if err != nil {
		t.Fatal(err)
	}
	return c.Groups()
}

// roomyBudget is a budget the many steps of a lifecycle test do not exhaust:
// at eLeaP's default 2500/h the test would mostly wait for tokens.
var roomyBudget = connOpts{requestsPerHour: 36000, burst: 50}

func TestELeaPLearnerGroupFollowsSpecRefsSelectorAndMembershipPolicies(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), roomyBudget)
	ls := readyLearners(t, v, "jane@example.com", "bob@example.com")
	jane, bob := ls["jane"].Status.ExternalID, ls["bob"].Status.ExternalID

	g := learnerGroupOf(v, "platform", "Platform Team", "jane", "bob")
	g.Spec.Description = "first"
	g.Spec.Members.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"team": "platform"}}
	create(t, g)
	waitReady(t, g)
	id := g.Status.ExternalID
	if sg, ok := eleapGroup(v, id); !ok || sg.Name != "Platform Team" || sg.Description != "first" || !sg.Active {
		t.Fatalf("eLeaP group %q = %+v (found %v), want active \"Platform Team\" described \"first\"", id, sg, ok)
	}
	waitELeaPMembers(t, v, id, jane, bob)
	if g.Status.MemberCount != 2 || len(g.Status.ManagedMembers) != 2 || g.Status.PendingMembers != 0 {
		t.Errorf("status = %+v, want memberCount 2, 2 managed members, none pending", g.Status)
	}
	if s := kstatusOf(t, g); s != kstatus.CurrentStatus {
		t.Errorf("kstatus of a converged LearnerGroup = %s, want Current", s)
	}

	update(t, g, func() { g.Spec.DisplayName, g.Spec.Description = "Platform Engineers", "second" })
	waitReady(t, g)
	if sg, _ := eleapGroup(v, id); sg.Name != "Platform Engineers" || sg.Description != "second" {
		t.Errorf("after the spec change the eLeaP group is %+v, want the new name and description", sg)
	}

	carol := v.learner("carol", "carol@example.com")
	carol.Labels = map[string]string{"team": "platform"}
	create(t, carol)
	waitReady(t, carol)
	waitELeaPMembers(t, v, id, jane, bob, carol.Status.ExternalID)
	update(t, carol, func() { carol.Labels = nil })
	waitELeaPMembers(t, v, id, jane, bob)

	if err := eleapByHand(t, v).AddMember(context.Background(), id, lms.User{ID: "1001"}); err != nil { // ada, seeded
		t.Fatalf("add ada to the group by hand: %v", err)
	}
	update(t, g, func() { g.Spec.Description = "third" })
	waitReady(t, g)
	if got := eleapMembers(v, id); !slices.Contains(got, "1001") {
		t.Errorf("Additive removed the member added by hand: members %v", got)
	}
	update(t, g, func() { g.Spec.MembershipPolicy = v1alpha1.MembershipAuthoritative })
	waitELeaPMembers(t, v, id, jane, bob)
	waitReady(t, g)

	remove(t, g)
	waitGone(t, g)
	if sg, ok := eleapGroup(v, id); ok {
		t.Errorf("after deleting with deletionPolicy Delete the eLeaP group is still there: %+v", sg)
	}
}

func TestELeaPLearnerGroupDriftInTheLMSIsCorrectedWithinSyncInterval(t *testing.T) {
	ns := newNamespace(t)
	o := roomyBudget
	o.syncInterval = 2 * time.Second
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), o)
	ls := readyLearners(t, v, "max@example.com")
	g := learnerGroupOf(v, "drift", "Drift", "max")
	create(t, g)
	waitReady(t, g)
	id, member := g.Status.ExternalID, ls["max"].Status.ExternalID
	admin := eleapByHand(t, v)
	if _, err := admin.Update(context.Background(), lms.Group{ID: id, Name: "Hacked", Active: false}); err != nil {
		t.Fatalf("rename the group by hand: %v", err)
	}
	if err := admin.RemoveMember(context.Background(), id, lms.User{ID: member}); err != nil {
		t.Fatalf("remove the member by hand: %v", err)
	}
	waitFor(t, "the group's name, active flag and member to be written back", 10*time.Second, func() (bool, string) {
		sg, _ := eleapGroup(v, id)
		got := eleapMembers(v, id)
		return sg.Name == "Drift" && sg.Active && slices.Equal(got, []string{member}), fmt.Sprintf("group %+v, members %v", sg, got)
	})
}

func TestELeaPLearnerGroupOrphanPolicyLeavesTheGroup(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{})
	ls := readyLearners(t, v, "ola@example.com")
	g := learnerGroupOf(v, "kept", "Kept", "ola")
	g.Spec.DeletionPolicy = v1alpha1.GroupOrphan
	create(t, g)
	waitReady(t, g)
	id := g.Status.ExternalID
	remove(t, g)
	waitGone(t, g)
	if _, ok := eleapGroup(v, id); !ok {
		t.Fatalf("deletionPolicy Orphan removed eLeaP group %s; groups: %+v", id, v.sim.ELeaP.State().UserGroups)
	}
	if got := eleapMembers(v, id); !slices.Equal(got, []string{ls["ola"].Status.ExternalID}) {
		t.Errorf("the orphaned group's members are %v, want the member it had", got)
	}
}

func TestELeaPLearnerGroupAdoptsExistingGroupByDisplayName(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{})
	g := learnerGroupOf(v, "engineering", "Engineering") // seeded as id 301, with ada (1001)
	g.Spec.Description = "All engineers"
	create(t, g)
	waitReady(t, g)
	if g.Status.ExternalID != "301" {
		t.Errorf("status.externalID = %q, want the seeded group's id 301", g.Status.ExternalID)
	}
	calls := v.sim.Calls(lmssim.ELeaP)
	if calls["usergroups/add"] != 0 || calls["usergroups/edit"] != 0 {
		t.Errorf("adopting an up-to-date group sent usergroups/add %d and usergroups/edit %d times, want none; calls: %v",
			calls["usergroups/add"], calls["usergroups/edit"], calls)
	}
	if n := len(v.sim.ELeaP.State().UserGroups); n != 1 {
		t.Errorf("the simulator holds %d groups, want the 1 seeded", n)
	}
	if got := eleapMembers(v, "301"); !slices.Equal(got, []string{"1001"}) || g.Status.MemberCount != 1 {
		t.Errorf("members %v, status.memberCount %d: Additive must keep the member it did not add", got, g.Status.MemberCount)
	}
}

func TestLearnerGroupWaitsForPendingLearnersThenAddsThem(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), roomyBudget)
	g := learnerGroupOf(v, "late", "Late Joiners", "late")
	create(t, g)
	waitCondition(t, g, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependencies)
	if g.Status.PendingMembers != 1 || g.Status.ExternalID == "" {
		t.Errorf("status = %+v, want the group created and 1 pending member", g.Status)
	}
	ls := readyLearners(t, v, "late@example.com")
	waitReady(t, g)
	waitELeaPMembers(t, v, g.Status.ExternalID, ls["late"].Status.ExternalID)
	if g.Status.PendingMembers != 0 || g.Status.MemberCount != 1 {
		t.Errorf("status = %+v, want 1 member and none pending", g.Status)
	}
}

func TestEnableyLearnerGroupWithTypeParentAndMembers(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.Enabley, lmssim.DefaultSeed(), roomyBudget)
	ls := readyLearners(t, v, "kim@example.com")

	child := learnerGroupOf(v, "dept", "Research", "kim")
	child.Spec.Enabley = &v1alpha1.EnableyGroupSettings{Type: "Department", ParentRef: &v1alpha1.LocalObjectReference{Name: "company"}}
	create(t, child)
	waitCondition(t, child, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependencies)

	parent := learnerGroupOf(v, "company", "Example Co")
	parent.Spec.Enabley = &v1alpha1.EnableyGroupSettings{Type: "Company"}
	create(t, parent)
	waitReady(t, parent)
	waitReady(t, child)
	pid, cid := ns+".company", ns+".dept"
	if parent.Status.ExternalID != pid || child.Status.ExternalID != cid {
		t.Errorf("status.externalID = %q and %q, want the identifiers %q and %q", parent.Status.ExternalID, child.Status.ExternalID, pid, cid)
	}
	sg, ok := v.sim.Enabley.Group(cid)
	if !ok || sg.Type != "Department" || sg.ParentIdentifier != pid || sg.Name != "Research" {
		t.Fatalf("Enabley group %s = %+v (found %v), want type Department, parent %s", cid, sg, ok, pid)
	}
	if want := ls["kim"].Status.ExternalID; !slices.Equal(sg.Members, []string{want}) || child.Status.MemberCount != 1 {
		t.Errorf("members %v, status.memberCount %d, want [%s] and 1", sg.Members, child.Status.MemberCount, want)
	}
	if pg, _ := v.sim.Enabley.Group(pid); pg.Type != "Company" {
		t.Errorf("Enabley group %s = %+v, want type Company", pid, pg)
	}

	update(t, child, func() { child.Spec.MembershipPolicy = v1alpha1.MembershipAuthoritative })
	waitCondition(t, child, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonUnsupported)
	if c := groupReady(child); !strings.Contains(c.Message, "Additive") {
		t.Errorf("Ready message %q should suggest the Additive policy", c.Message)
	}
	if s := kstatusOf(t, child); s != kstatus.FailedStatus {
		t.Errorf("kstatus of a Stalled LearnerGroup = %s, want Failed", s)
	}

	remove(t, parent) // waits for its child: Enabley refuses to delete a group with children
	remove(t, child)
	waitGone(t, child)
	waitGone(t, parent)
	if groups := v.sim.Enabley.Groups(); slices.ContainsFunc(groups, func(g enableysim.Group) bool { return strings.HasPrefix(g.Identifier, ns+".") }) {
		t.Errorf("after deleting both LearnerGroups the simulator still holds their groups: %+v", groups)
	}
}

func TestExceedLearnerGroupIsStalledUnsupportedWithoutVendorCalls(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.Exceed, lmssim.DefaultSeed(), connOpts{})
	waitReady(t, v.conn)
	before := v.sim.Total(lmssim.Exceed)
	g := learnerGroupOf(v, "nope", "Nope")
	create(t, g)
	waitCondition(t, g, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonUnsupported)
	if c := groupReady(g); c.Status != metav1.ConditionFalse || !strings.Contains(c.Message, "exceed") {
		t.Errorf("Ready = %+v, want False with a message naming the vendor", c)
	}
	if s := kstatusOf(t, g); s != kstatus.FailedStatus {
		t.Errorf("kstatus = %s, want Failed", s)
	}
	time.Sleep(500 * time.Millisecond) // let any stray reconcile happen
	if after := v.sim.Total(lmssim.Exceed); after != before {
		t.Errorf("Exceed received %d calls after the LearnerGroup was created, want none; calls: %v", after-before, v.sim.Calls(lmssim.Exceed))
	}
	remove(t, g)
	waitGone(t, g)
}

func TestLearnerGroupInvalidSpecIsStalled(t *testing.T) {
	cases := map[string]struct {
		vendor string
		enab   *v1alpha1.EnableyGroupSettings
		want   string
	}{
		"enabley block on eLeaP": {vendor: lmssim.ELeaP, enab: &v1alpha1.EnableyGroupSettings{Type: "Team"},
			want: "spec.enabley is only for Enabley"},
		"Enabley without type": {vendor: lmssim.Enabley,
			want: "spec.enabley.type is required on Enabley: one of Company, Department, Team"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ns := newNamespace(t)
			v := newConnection(t, ns, tc.vendor, lmssim.DefaultSeed(), connOpts{})
			g := learnerGroupOf(v, "bad", "Bad")
			g.Spec.Enabley = tc.enab
			create(t, g)
			waitCondition(t, g, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonInvalidSpec)
			if c := groupReady(g); !strings.Contains(c.Message, tc.want) {
				t.Errorf("Ready message = %q, want it to contain %q", c.Message, tc.want)
			}
			if g.Status.ExternalID != "" {
				t.Errorf("status.externalID = %q: a refused spec must not create a group", g.Status.ExternalID)
			}
		})
	}
}

// groupReady returns the Ready condition of a LearnerGroup as last read.
func groupReady(g *v1alpha1.LearnerGroup) metav1.Condition {
	for _, c := range g.Status.Conditions {
		if c.Type == v1alpha1.ConditionReady {
			return c
		}
	}
	return metav1.Condition{}
}
