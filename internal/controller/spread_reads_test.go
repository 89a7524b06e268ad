package controller

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
)

// The Enabley endpoints a spread read pages through.
const (
	endpointUsersV3     = "GET /api/v3/users"
	endpointPerformance = "GET /api/v2/performance"
)

const spreadInterval = 2 * time.Second

func TestEnableyPagedReadsSpreadOverIntervalsUnderPagesPerSync(t *testing.T) {
	o := fastSync(spreadInterval)
	o.pagesPerSync = 1
	testSpreadReads(t, o)
}

// Unset, pagesPerSync is a quarter of what the budget allows an interval:
// 10,000 requests an hour allow 5.6 in 2s, so a read sends one page an
// interval, as if pagesPerSync were 1.
func TestEnableyPagedReadsSpreadByDefaultUnderATightBudget(t *testing.T) {
	testSpreadReads(t, connOpts{syncInterval: spreadInterval, requestsPerHour: 10000, burst: 50})
}

// testSpreadReads checks, on a connection whose pagesPerSync (set or
// default) is 1, that the Enabley user list and a channel's performance
// send one page an interval, while the connection stays Ready and says a
// read is under way, and that a change made by hand and a completion show
// once the spread reads complete.
func testSpreadReads(t *testing.T, o connOpts) {
	t.Helper()
	const interval, intervals = spreadInterval, 6
	seed := lmssim.DefaultSeed()
	seed.Enabley.PageSize = 2 // 6 users, 3 pages; 5 learners in the channel, 3 pages
	v := newConnection(t, newNamespace(t), lmssim.Enabley, seed, o)
	waitReady(t, v.conn)
	team := map[string]string{"team": "spread"}
	ls := enrLearners(t, v, team, "ann@example.com", "bob@example.com", "cid@example.com", "dee@example.com", "eve@example.com")
	e := enrollmentOf(v, "spread", func(s *v1alpha1.EnrollmentSpec) {
		s.Channel = &v1alpha1.TargetReference{ID: "kubernetes-basics"}
		s.Subjects.LearnerSelector = &metav1.LabelSelector{MatchLabels: team}
	})
	create(t, e)
	for _, l := range ls {
		waitReady(t, l)
	}
	waitEnrollment(t, e, "Ready with the 5 learners assigned", func(e *v1alpha1.Enrollment) bool {
		return isReady(e.Status.Conditions, e.Generation) && e.Status.Summary.Assigned == 5
	})
	time.Sleep(interval) // past the reads of the create phase

	before := v.sim.Calls(lmssim.Enabley)
	reading := watchMessage(t, v.conn, intervals*interval, "reading users: ")
	after := v.sim.Calls(lmssim.Enabley)
	for _, ep := range []string{endpointUsersV3, endpointPerformance} {
		// A reconcile lands on either side of the window's edges: one more is allowed.
		n := after[ep] - before[ep]
		if n > intervals+1 || n < intervals/2 {
			t.Errorf("%d pages of %s in %d intervals, want at most one an interval (calls %v)", n, ep, intervals, after)
		}
		t.Logf("%d pages of %s in %d intervals", n, ep, intervals)
	}
	if !reading {
		t.Errorf("the connection's Ready message never said a read of the users was under way")
	}

	ann := ls[0]
	get(t, ann)
	if err := v.sim.Enabley.PatchUser(ann.Status.ExternalID, enableysim.UserPatch{LastName: ptr.To("Changed by hand")}); err != nil {
		t.Fatal(err)
	}
	if err := v.sim.Enabley.Complete(enableysim.Completion{User: ann.Status.ExternalID, Channel: "kubernetes-basics", Percent: 100}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the lastName changed by hand corrected once the spread read completes", eventually, func() (bool, string) {
		u, _ := v.sim.Enabley.User(ann.Status.ExternalID)
		return u.LastName == "Last", "lastName " + u.LastName
	})
	waitEnrollment(t, e, "ann's completion shown once the spread performance read completes", func(e *v1alpha1.Enrollment) bool {
		return e.Status.Summary.Completed == 1
	})
}

// watchMessage watches obj's Ready message for d, and reports whether it
// held part at some point while staying Ready.
func watchMessage(t *testing.T, obj client.Object, d time.Duration, part string) bool {
	t.Helper()
	seen := false
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			t.Fatal(err)
		}
		c := meta.FindStatusCondition(conditionsOf(obj), v1alpha1.ConditionReady)
		if c == nil || c.Status != metav1.ConditionTrue {
			t.Fatalf("%s not Ready while a read is spread: %s", obj.GetName(), fmt.Sprint(c))
		}
		seen = seen || strings.Contains(c.Message, part)
	}
	return seen
}
