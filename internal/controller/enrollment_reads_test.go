package controller

import (
	"testing"
	"time"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// Enabley's performance pages answer both a channel's assigned users and
// their progress: a quiet channel Enrollment reads them once per sync
// interval, not once for the assignments' view and again for progress
// (make bench, Enabley 1,000: 16.7 performance pages an interval where 10
// make one read).
func TestEnableyChannelReadsItsPerformanceOncePerInterval(t *testing.T) {
	const interval, intervals = 2 * time.Second, 4
	v := newConnection(t, newNamespace(t), lmssim.Enabley, lmssim.DefaultSeed(), fastSync(interval))
	waitReady(t, v.conn)
	enrLearners(t, v, nil, "ann@example.com", "bob@example.com")
	e := enrollmentOf(v, "basics", func(s *v1alpha1.EnrollmentSpec) {
		s.Channel = &v1alpha1.TargetReference{ID: "kubernetes-basics"}
	}, "ann", "bob")
	create(t, e)
	waitReady(t, e)
	time.Sleep(interval) // past the reads of the create phase
	const endpoint = "GET /api/v2/performance"
	before := v.sim.Calls(lmssim.Enabley)[endpoint]
	time.Sleep(intervals * interval)
	reads := v.sim.Calls(lmssim.Enabley)[endpoint] - before
	// One page per read here; a reconcile lands on either side of the
	// window's edges, so one read more than the intervals is allowed.
	if reads < intervals-1 || reads > intervals+1 {
		t.Errorf("%d reads of %s in %d intervals of %s, want one an interval (calls %v)",
			reads, endpoint, intervals, interval, v.sim.Calls(lmssim.Enabley))
	}
	t.Logf("%d reads of %s in %d intervals", reads, endpoint, intervals)
}
