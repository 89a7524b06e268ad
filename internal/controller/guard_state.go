package controller

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// The deletion guard's periods.
const (
	// guardHour is the sliding window in which the threshold applies.
	guardHour = time.Hour
	// approvalLife is how long what is left of an approval may be used.
	approvalLife = time.Hour
)

// A minuteCount counts the guarded operations sent in one minute.
type minuteCount struct {
	minute time.Time
	count  int
}

// A guardState is what a deletion guard keeps in the connection's status so
// that a restart does not open it: the operations sent in the last hour, by
// minute, and what is left of the last approval. Its methods return new
// values and never change the receiver.
type guardState struct {
	// window holds the minutes of the last hour with operations sent, oldest first.
	window []minuteCount
	// approved operations are left, until approvedUntil.
	approved      int
	approvedUntil time.Time
	// last is the last approval recorded.
	last *v1alpha1.DeletionApproval
}

// A guardGrant is what a guard granted: n operations, fromApproved of them
// out of an approval.
type guardGrant struct {
	n, fromApproved int
}

// pruned drops the minutes older than an hour and an approval that lapsed.
// A minute is kept while any part of it is within the hour, so that an
// operation is counted for an hour at least.
func (s guardState) pruned(now time.Time) guardState {
	cut := now.Add(-guardHour)
	var w []minuteCount
	for _, m := range s.window {
		if m.minute.Add(time.Minute).After(cut) {
			w = append(w, m)
		}
	}
	s.window = w
	if !now.Before(s.approvedUntil) {
		s.approved, s.approvedUntil = 0, time.Time{}
	}
	return s
}

// sent counts the operations of the window.
func (s guardState) sent() int {
	n := 0
	for _, m := range s.window {
		n += m.count
	}
	return n
}

// decide grants up to n operations: those that keep the hour within the
// threshold, unless the guard holds something already (latched: then
// everything waits for an approval, however old the window), and those an
// approval covers. s must be pruned.
func (s guardState) decide(n, threshold int, latched bool) guardGrant {
	free := 0
	if !latched {
		free = max(0, threshold-s.sent())
	}
	k := min(n, free+s.approved)
	return guardGrant{n: k, fromApproved: max(0, k-free)}
}

// spent records a grant sent at now.
func (s guardState) spent(now time.Time, g guardGrant) guardState {
	minute := now.Truncate(time.Minute)
	w := append([]minuteCount(nil), s.window...)
	if len(w) > 0 && w[len(w)-1].minute.Equal(minute) {
		w[len(w)-1].count += g.n
	} else {
		w = append(w, minuteCount{minute: minute, count: g.n})
	}
	s.window = w
	s.approved -= g.fromApproved
	return s
}

// returned takes back unsent operations of grant g: off the newest minutes,
// and to the approval as many as came from it.
func (s guardState) returned(g guardGrant, unsent int) guardState {
	if !s.approvedUntil.IsZero() {
		s.approved += min(unsent, g.fromApproved)
	}
	rest := unsent
	w := append([]minuteCount(nil), s.window...)
	for i := len(w) - 1; i >= 0 && rest > 0; i-- {
		d := min(rest, w[i].count)
		w[i].count -= d
		rest -= d
	}
	s.window = w
	return s
}

// approve adds n approved operations, usable for an hour.
func (s guardState) approve(now time.Time, n int) guardState {
	s.approved += n
	s.approvedUntil = now.Add(approvalLife)
	s.last = &v1alpha1.DeletionApproval{Count: int32(n), Time: metav1.NewTime(now.Truncate(time.Second))}
	return s
}

// stateOf reads the guard's state from a connection's status.
func stateOf(st *v1alpha1.DeletionProtectionStatus) guardState {
	if st == nil {
		return guardState{}
	}
	s := guardState{approved: int(st.Approved), last: st.LastApproval.DeepCopy()}
	if st.ApprovedUntil != nil {
		s.approvedUntil = st.ApprovedUntil.Time
	}
	for _, e := range st.Window {
		s.window = append(s.window, minuteCount{minute: e.Minute.Time, count: int(e.Count)})
	}
	return s
}

// patch is the state as the merge patch of status.deletionProtection that
// records it: fields it does not hold are removed (null).
func (s guardState) patch() map[string]any {
	p := map[string]any{"window": nil, "approved": s.approved, "approvedUntil": nil, "lastApproval": s.last}
	var w []v1alpha1.DeletionWindowEntry
	for _, m := range s.window {
		if m.count > 0 {
			w = append(w, v1alpha1.DeletionWindowEntry{Minute: metav1.NewTime(m.minute), Count: int32(m.count)})
		}
	}
	if len(w) > 0 {
		p["window"] = w
	}
	if !s.approvedUntil.IsZero() {
		p["approvedUntil"] = metav1.NewTime(s.approvedUntil)
	}
	return p
}

// thresholdOf is a connection's threshold: the larger of maxPerHour and
// maxPercent of its Learners (rounded up), with the defaults for what is unset.
func thresholdOf(p *v1alpha1.DeletionProtection, learners int) int {
	perHour, percent := perHourOf(p), v1alpha1.DefaultDeletionsPercent
	if p != nil && p.MaxPercent != nil {
		percent = int(*p.MaxPercent)
	}
	return max(perHour, (percent*learners+99)/100)
}

// perHourOf is spec.deletionProtection.maxPerHour, or its default.
func perHourOf(p *v1alpha1.DeletionProtection) int {
	if p != nil && p.MaxPerHour != nil {
		return int(*p.MaxPerHour)
	}
	return v1alpha1.DefaultDeletionsPerHour
}
