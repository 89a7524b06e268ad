package controller

import (
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
)

func TestELeaPLearnerLifecycleCreateUpdateDeactivate(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{})
	waitReady(t, v.conn)

	l := v.learner("jane", "Jane.Doe@Example.com")
	l.Spec.MiddleName = "Q"
	l.Spec.CustomFields = map[string]string{"Department": "Sales"}
	create(t, l)
	waitReady(t, l)
	u, ok := v.sim.ELeaP.UserByEmail("jane.doe@example.com")
	if !ok {
		t.Fatalf("the simulator has no user jane.doe@example.com (the email must be sent lower-cased); users: %+v", v.sim.ELeaP.Users())
	}
	if u.FirstName != "First jane" || u.MiddleName != "Q" || u.CustomFields["Department"] != "Sales" {
		t.Errorf("created user = %+v, want the spec's names and custom field", u)
	}
	if l.Status.ExternalID != u.ID {
		t.Errorf("status.externalID = %q, want the eLeaP id %q", l.Status.ExternalID, u.ID)
	}
	if s := kstatusOf(t, l); s != kstatus.CurrentStatus {
		t.Errorf("kstatus of a converged Learner = %s, want Current", s)
	}

	update(t, l, func() { l.Spec.LastName = "Smith"; l.Spec.Role = v1alpha1.RoleInstructor })
	waitReady(t, l)
	u, _ = v.sim.ELeaP.UserByEmail("jane.doe@example.com")
	if u.LastName != "Smith" || u.AccessLevel != 1 {
		t.Errorf("after the spec change the user is %+v, want last name Smith and access level 1; calls: %+v", u, v.sim.Log(lmssim.ELeaP))
	}

	remove(t, l)
	waitGone(t, l)
	u, ok = v.sim.ELeaP.UserByEmail("jane.doe@example.com")
	if !ok || u.Active {
		t.Errorf("after delete with the default policy Deactivate: user present=%v active=%v, want present and inactive", ok, u.Active)
	}
}

func TestLearnerDeletionPolicies(t *testing.T) {
	for _, vendor := range []string{lmssim.ELeaP, lmssim.Enabley, lmssim.Exceed} {
		t.Run(vendor, func(t *testing.T) {
			ns := newNamespace(t)
			v := newConnection(t, ns, vendor, lmssim.DefaultSeed(), connOpts{})
			policies := map[v1alpha1.LearnerDeletionPolicy]string{
				v1alpha1.LearnerDelete: "del@example.com", v1alpha1.LearnerOrphan: "orphan@example.com",
				v1alpha1.LearnerDeactivate: "deact@example.com",
			}
			var learners []*v1alpha1.Learner
			for p, email := range policies {
				l := v.learner(string(p), email)
				l.Name = map[v1alpha1.LearnerDeletionPolicy]string{"Delete": "del", "Orphan": "orphan", "Deactivate": "deact"}[p]
				l.Spec.DeletionPolicy = p
				create(t, l)
				learners = append(learners, l)
			}
			for _, l := range learners {
				waitReady(t, l)
			}
			for _, l := range learners {
				remove(t, l)
				waitGone(t, l)
			}
			for p, email := range policies {
				exists, active := remoteUser(t, v, email)
				want := map[v1alpha1.LearnerDeletionPolicy][2]bool{
					v1alpha1.LearnerDelete: {false, false}, v1alpha1.LearnerOrphan: {true, true},
					v1alpha1.LearnerDeactivate: {true, false},
				}[p]
				if exists != want[0] || (exists && active != want[1]) {
					t.Errorf("policy %s: user exists=%v active=%v, want exists=%v active=%v", p, exists, active, want[0], want[1])
				}
			}
		})
	}
}

// remoteUser reports whether the simulator holds a user with email, and whether it is active.
func remoteUser(t *testing.T, v *vendorSetup, email string) (exists, active bool) {
	t.Helper()
	switch v.vendor {
	case lmssim.ELeaP:
		u, ok := v.sim.ELeaP.UserByEmail(email)
		return ok, u.Active
	case lmssim.Enabley:
		u, ok := v.sim.Enabley.User(email)
		return ok, u.IsActive
	}
	u, ok := v.sim.Exceed.UserByEmail(email)
	return ok, u.IsActive
}

func TestLearnerAdoptsExistingUserWithoutDuplicate(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{})
	l := v.learner("ada", "ADA@example.com") // seeded as ada@example.com, id 1001
	l.Spec.FirstName, l.Spec.LastName = "Ada", "Lovelace"
	create(t, l)
	waitReady(t, l)
	if l.Status.ExternalID != "1001" {
		t.Errorf("status.externalID = %q, want the seeded user's id 1001", l.Status.ExternalID)
	}
	if n := v.sim.Calls(lmssim.ELeaP)["users/add"]; n != 0 {
		t.Errorf("users/add called %d times, want 0: the existing user must be adopted", n)
	}
	if n := len(v.sim.ELeaP.Users()); n != 2 {
		t.Errorf("the simulator holds %d users, want the 2 seeded", n)
	}
}

func TestObserveOnlyNeverWritesAndReportsDrift(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{})
	missing := v.learner("missing", "nobody@example.com")
	missing.Spec.ManagementPolicy = v1alpha1.ManagementObserveOnly
	create(t, missing)
	waitCondition(t, missing, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonNotFoundInLMS)

	ada := v.learner("ada", "ada@example.com")
	ada.Spec.ManagementPolicy = v1alpha1.ManagementObserveOnly
	ada.Spec.FirstName, ada.Spec.LastName = "Augusta", "Lovelace"
	create(t, ada)
	waitCondition(t, ada, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonDrifted)
	if ada.Status.Drift == nil || len(ada.Status.Drift.Fields) == 0 || ada.Status.Drift.Fields[0] != "firstName" {
		t.Errorf("status.drift = %+v, want firstName", ada.Status.Drift)
	}
	calls := v.sim.Calls(lmssim.ELeaP)
	for _, ep := range []string{"users/add", "users/edit", "users/activate", "users/deactivate", "users/remove"} {
		if calls[ep] > 0 {
			t.Errorf("ObserveOnly sent %d %s calls, want no write", calls[ep], ep)
		}
	}
	remove(t, ada)
	waitGone(t, ada)
	if u, _ := v.sim.ELeaP.UserByEmail("ada@example.com"); !u.Active || u.FirstName != "Ada" {
		t.Errorf("deleting an ObserveOnly Learner changed the user: %+v", u)
	}
}

func TestDriftMadeInTheLMSIsRevertedWithinSyncInterval(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{syncInterval: 3 * time.Second})
	l := v.learner("drift", "drift@example.com")
	create(t, l)
	waitReady(t, l)
	if _, err := v.sim.ELeaP.PatchUser("drift@example.com", eleapsim.UserPatch{FirstName: ptr.To("Hacked"), Active: ptr.To(false)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the user's first name to be written back", 10*time.Second, func() (bool, string) {
		u, _ := v.sim.ELeaP.UserByEmail("drift@example.com")
		return u.FirstName == "First drift" && u.Active, u.FirstName
	})
	waitFor(t, "status.drift to record the correction", 5*time.Second, func() (bool, string) {
		get(t, l)
		d := l.Status.Drift
		return d != nil && d.Corrected && len(d.Fields) == 2, "drift " + stringOf(d)
	})
}

func stringOf(d *v1alpha1.Drift) string {
	if d == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%+v", *d)
}

func TestUnsupportedRoleStallsWithoutVendorCalls(t *testing.T) {
	cases := map[string]v1alpha1.LearnerRole{lmssim.Exceed: v1alpha1.RoleInstructor, lmssim.Enabley: v1alpha1.RoleSupervisor}
	for vendor, role := range cases {
		t.Run(vendor, func(t *testing.T) {
			ns := newNamespace(t)
			v := newConnection(t, ns, vendor, lmssim.DefaultSeed(), connOpts{})
			waitReady(t, v.conn)
			before := v.sim.Total(vendor)
			l := v.learner("boss", "boss@example.com")
			l.Spec.Role = role
			create(t, l)
			waitCondition(t, l, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonUnsupported)
			if s := kstatusOf(t, l); s != kstatus.FailedStatus {
				t.Errorf("kstatus of a Learner with an unsupported role = %s, want Failed", s)
			}
			if n := v.sim.Total(vendor) - before; n > 1 { // at most the connection's inventory list
				t.Errorf("a Learner with an unsupported role cost %d vendor calls, want none of its own", n)
			}
			update(t, l, func() { l.Spec.Role = v1alpha1.RoleLearner })
			waitReady(t, l)
		})
	}
}

func TestVendorCallsAreCountedInMetrics(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.Exceed, lmssim.DefaultSeed(), connOpts{})
	l := v.learner("metered", "metered@example.com")
	create(t, l)
	waitReady(t, l)
	got := testutil.ToFloat64(testMetric.VendorCalls.WithLabelValues("exceed", "POST /api/v2/users", "2xx"))
	if got < 1 {
		t.Errorf("lms_vendor_requests_total{vendor=exceed,operation=POST /api/v2/users,result=2xx} = %v, want at least 1", got)
	}
}
