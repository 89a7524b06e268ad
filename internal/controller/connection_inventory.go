package controller

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/inventory"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// inventoryFailed is the outcome of a connection whose user list failed
// with err: Ready False, reason InventoryFailed with the vendor's message,
// looked at again when the inventory's backoff (1s doubling up to the sync
// interval) lets the next attempt go. Its dependents report
// ConnectionNotReady with this reason rather than each fail on its own,
// unless an earlier snapshot lets them go on.
func (r *connectionCore) inventoryFailed(ctx context.Context, obj connectionObject, conn *pool.Connection, err error) outcome {
	st := conn.Users.State()
	wait := st.RetryAt.Sub(r.Clock.Now())
	if wait <= 0 {
		wait = inventory.FirstRetry
	}
	msg := "list users: " + lms.Message(err)
	if st.PagesKept > 0 {
		msg += fmt.Sprintf(" (the %d pages read before are kept: the next attempt resumes at page %d)", st.PagesKept, st.PagesKept+1)
	}
	msg += fmt.Sprintf("; %d attempts failed in a row, the next in %s", st.Failures, wait.Round(time.Second))
	if !inventory.IsBackoff(err) { // a new failure, not an early look during the wait
		r.warn(obj.object(), v1alpha1.EventInventoryFailed, actionSync, "Listing the LMS users failed: %s", lms.Message(err))
	}
	return working(v1alpha1.ReasonInventoryFailed, msg, wait)
}

// reportSkipped records a Warning event when the list just read held
// records that could not be read and were left out of the inventory.
func (r *connectionCore) reportSkipped(obj connectionObject, skipped []lms.SkippedRecord) {
	if len(skipped) == 0 {
		return
	}
	var shown []string
	for _, s := range skipped {
		what := s.Reason
		if s.ID != "" {
			what = s.ID + ": " + s.Reason
		}
		shown = append(shown, what)
	}
	r.Recorder.Eventf(obj.object(), nil, corev1.EventTypeWarning, v1alpha1.EventRecordsSkipped, actionSync,
		"The user list held %d records that could not be read; they were left out of the inventory: %s",
		len(skipped), truncated(shown, shownNames))
}
