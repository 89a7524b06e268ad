package controller

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
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
	eachVendor(t, connOpts{}, func(t *testing.T, v *vendorSetup) {
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
	// Users of the default seed, one per vendor, with the vendor's create endpoint.
	cases := map[string]struct{ email, first, last, wantID, create string }{
		lmssim.ELeaP:   {"ADA@example.com", "Ada", "Lovelace", "1001", "users/add"},
		lmssim.Enabley: {"Linus@example.com", "Linus", "Torvalds", "linus@example.com", "PUT /api/v2/users"},
		lmssim.Exceed:  {"margaret@EXAMPLE.com", "Margaret", "Hamilton", "1", "POST /api/v2/users"},
	}
	for vendor, tc := range cases {
		t.Run(vendor, func(t *testing.T) {
			ns := newNamespace(t)
			v := newConnection(t, ns, vendor, lmssim.DefaultSeed(), connOpts{})
			before := countUsers(v, strings.ToLower(tc.email))
			l := v.learner("adopted", tc.email)
			l.Spec.FirstName, l.Spec.LastName = tc.first, tc.last
			create(t, l)
			waitReady(t, l)
			if l.Status.ExternalID != tc.wantID {
				t.Errorf("status.externalID = %q, want the seeded user's id %q", l.Status.ExternalID, tc.wantID)
			}
			if n := v.sim.Calls(vendor)[tc.create]; n != 0 {
				t.Errorf("%s called %d times, want 0: the existing user must be adopted", tc.create, n)
			}
			if n := countUsers(v, strings.ToLower(tc.email)); before != 1 || n != 1 {
				t.Errorf("users with the email: %d before, %d after; want exactly 1 both times", before, n)
			}
		})
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
	// eLeaP's documented users/ shows no active flag: the lenient reading,
	// where it does, lets the hand deactivation be seen and reverted
	// (TestELeaPDriftIsOnlyWhatTheDocumentedAnswerShows is the strict one).
	lenient := func(s *lmssim.Seed) { s.ELeaP.UserActive, s.ELeaP.UserCustomFields = true, true }
	eachVendor(t, connOpts{syncInterval: 3 * time.Second, seed: lenient}, func(t *testing.T, v *vendorSetup) {
		l := v.readyLearner(t, "drift", "drift@example.com")
		changeBehindTheOperatorsBack(t, v, l.Status.ExternalID, "drift@example.com")
		waitFor(t, "the user's first name and active flag to be written back", 10*time.Second, func() (bool, string) {
			name, active := remoteNameAndActive(t, v, "drift@example.com")
			return name == "First drift" && active, fmt.Sprintf("first name %q, active %v", name, active)
		})
		waitFor(t, "status.drift to record the correction", 5*time.Second, func() (bool, string) {
			get(t, l)
			d := l.Status.Drift
			return d != nil && d.Corrected && len(d.Fields) == 2, "drift " + stringOf(d)
		})
	})
}

// changeBehindTheOperatorsBack renames and deactivates a user through the
// simulator, as an LMS administrator would in the vendor's UI.
func changeBehindTheOperatorsBack(t *testing.T, v *vendorSetup, id, email string) {
	t.Helper()
	var err error
	switch v.vendor {
	case lmssim.ELeaP:
		_, err = v.sim.ELeaP.PatchUser(email, eleapsim.UserPatch{FirstName: ptr.To("Hacked"), Active: ptr.To(false)})
	case lmssim.Enabley:
		err = v.sim.Enabley.PatchUser(id, enableysim.UserPatch{FirstName: ptr.To("Hacked"), IsActive: ptr.To(false)})
	default:
		n, perr := strconv.ParseInt(id, 10, 64)
		if perr != nil {
			t.Fatalf("Exceed id %q: %v", id, perr)
		}
		_, err = v.sim.Exceed.PatchUser(n, map[string]any{"first_name": "Hacked", "is_active": false})
	}
	if err != nil {
		t.Fatalf("change the user in the simulator: %v", err)
	}
}

// remoteNameAndActive returns the first name and active flag of the
// simulator's user with email.
func remoteNameAndActive(t *testing.T, v *vendorSetup, email string) (string, bool) {
	t.Helper()
	switch v.vendor {
	case lmssim.ELeaP:
		u, _ := v.sim.ELeaP.UserByEmail(email)
		return u.FirstName, u.Active
	case lmssim.Enabley:
		u, _ := v.sim.Enabley.User(email)
		return u.FirstName, u.IsActive
	}
	u, _ := v.sim.Exceed.UserByEmail(email)
	return u.FirstName, u.IsActive
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
	v.readyLearner(t, "metered", "metered@example.com")
	got := testutil.ToFloat64(testMetric.VendorCalls.WithLabelValues("exceed", "POST /api/v2/users", "2xx"))
	if got < 1 {
		t.Errorf("lms_vendor_requests_total{vendor=exceed,operation=POST /api/v2/users,result=2xx} = %v, want at least 1", got)
	}
}

// eLeaP's documented users/ answer carries no custom fields and no active
// flag. A Learner's custom fields are written on create and on a spec
// change, and never taken for drift: three quiet intervals cost no write.
func TestELeaPDriftIsOnlyWhatTheDocumentedAnswerShows(t *testing.T) {
	const interval = 2 * time.Second
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{syncInterval: interval})
	l := v.learner("cf", "cf@example.com")
	l.Spec.CustomFields = map[string]string{"Department": "Sales"}
	create(t, l)
	waitReady(t, l)
	if u, _ := v.sim.ELeaP.UserByEmail("cf@example.com"); u.CustomFields["Department"] != "Sales" {
		t.Fatalf("custom fields in the LMS after create = %v, want Department=Sales", u.CustomFields)
	}
	writes := func() int {
		c := v.sim.Calls(lmssim.ELeaP)
		return c["users/add"] + c["users/edit"] + c["users/activate"] + c["users/deactivate"] + c["users/remove"]
	}
	v.sim.ResetCalls()
	time.Sleep(3*interval + interval/2)
	if n := writes(); n != 0 || v.sim.Calls(lmssim.ELeaP)["users/"] == 0 {
		t.Errorf("three quiet intervals: %d writes and %d lists (calls %v), want 0 writes and the lists",
			n, v.sim.Calls(lmssim.ELeaP)["users/"], v.sim.Calls(lmssim.ELeaP))
	}

	_, err := v.sim.ELeaP.PatchUser("cf@example.com", eleapsim.UserPatch{FirstName: ptr.To("Hacked")})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first name to be written back, and nothing else reported", 4*interval, func() (bool, string) {
		get(t, l)
		name, _ := remoteNameAndActive(t, v, "cf@example.com")
		d := l.Status.Drift
		return name == l.Spec.FirstName && d != nil && d.Corrected && strings.Join(d.Fields, ",") == "firstName",
			fmt.Sprintf("first name %q, drift %s", name, stringOf(d))
	})

	v.sim.ResetCalls()
	update(t, l, func() { l.Spec.CustomFields = map[string]string{"Department": "Ops"} })
	waitReady(t, l)
	waitFor(t, "the changed custom field to be written", eventually, func() (bool, string) {
		u, _ := v.sim.ELeaP.UserByEmail("cf@example.com")
		return u.CustomFields["Department"] == "Ops", fmt.Sprintf("custom fields %v", u.CustomFields)
	})
	if n := v.sim.Calls(lmssim.ELeaP)["users/edit"]; n != 1 {
		t.Errorf("the spec change cost %d users/edit, want 1", n)
	}
}

// A create whose answer was lost leaves the user out of the inventory: a
// Learner deleted before it recorded the user looks it up by identity key
// and applies its policy, rather than letting go and leaving the user behind
// (chaos-short: an Enabley user left by a deleted Learner with policy
// Delete). The lookups are refused with 503 until the Learner is deleted, so
// that its sync cannot record the user first.
func TestLearnerDeletedAfterItsCreateAnswerWasLostAppliesItsPolicy(t *testing.T) {
	for _, tc := range []struct{ vendor, create, lookup string }{
		{lmssim.ELeaP, "users/add", "users/get"},
		{lmssim.Enabley, "PUT /api/v2/users", "GET /api/v2/users/{id}"},
	} {
		t.Run(tc.vendor, func(t *testing.T) {
			v := newConnection(t, newNamespace(t), tc.vendor, lmssim.DefaultSeed(), connOpts{})
			waitReady(t, v.conn)
			v.sim.Inject(tc.vendor, lmssim.Fault{Kind: lmssim.FaultDropAfterCommit, Endpoint: tc.create})
			v.sim.Inject(tc.vendor, lmssim.Fault{Kind: lmssim.Fault503, Endpoint: tc.lookup, Times: 1000})
			l := v.learner("lost", "lost@example.com")
			l.Spec.DeletionPolicy = v1alpha1.LearnerDelete
			create(t, l)
			waitFor(t, "the create to be committed, its answer lost and the lookup after it refused", eventually, func() (bool, string) {
				n := v.sim.Calls(tc.vendor)[tc.lookup]
				return n >= 1 && countUsers(v, "lost@example.com") == 1, fmt.Sprintf("%d lookups", n)
			})
			before := v.sim.Calls(tc.vendor)[tc.lookup]
			remove(t, l)
			waitFor(t, "the deleted Learner to look its user up, or to go", eventually, func() (bool, string) {
				n := v.sim.Calls(tc.vendor)[tc.lookup]
				return n > before || apierrors.IsNotFound(k8s.Get(context.Background(), client.ObjectKeyFromObject(l), &v1alpha1.Learner{})),
					fmt.Sprintf("%d lookups", n)
			})
			v.sim.ClearFaults(tc.vendor)
			waitGone(t, l)
			if n := countUsers(v, "lost@example.com"); n != 0 {
				t.Errorf("the simulator holds %d users lost@example.com after their Learner (Delete) went, want none", n)
			}
		})
	}
}
