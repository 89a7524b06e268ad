package inventory

import (
	"context"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// When the users created without an id are listed. A vendor that answers a
// create without the new id (eLeaP's users/add) names it in the next list:
// one list serves a whole batch of creates, so lists are spaced out while
// creates go on, and sent when they pause.
const (
	// expectBatch creates without an id make a list worth it at once.
	expectBatch = 40
	// expectQuiet after the last create sent, the batch is taken as over.
	expectQuiet = 3 * time.Second
	// expectMaxWait is the longest a created user waits for its id.
	expectMaxWait = 30 * time.Second
)

// expectation is a user created without an id, and when.
type expectation struct {
	user lms.User
	at   time.Time
}

// Expect records that u was created and the vendor did not answer its id:
// the next list names it.
func (inv *Inventory) Expect(u lms.User) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.expected == nil {
		inv.expected = map[string]expectation{}
	}
	now := inv.clock.Now()
	inv.expected[expectKey(u.ExternalID, u.Email)] = expectation{user: u, at: now}
	inv.lastExpect = now
}

// Expecting reports whether a user with the identity was created without
// an id that no list has named since.
func (inv *Inventory) Expecting(externalID, email string) bool {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	_, ok := inv.expected[expectKey(externalID, email)]
	return ok
}

// RefreshExpected lists the users when users created without an id wait
// for it and a list is due: expectBatch of them wait, no create was sent
// for expectQuiet, or one has waited expectMaxWait. It returns how long to
// wait before asking again when it did not list, 0 when it did or when
// nothing is expected.
func (inv *Inventory) RefreshExpected(ctx context.Context, src Source) (time.Duration, error) {
	wait, expecting := inv.expectWait()
	if !expecting || wait > 0 {
		return wait, nil
	}
	inv.mu.RLock()
	since := inv.loadedAt
	inv.mu.RUnlock()
	_, err := inv.refreshAfter(ctx, src, since)
	return 0, err
}

// expectWait is how long until a list for the expected users is due (0:
// now), and whether any user is expected.
func (inv *Inventory) expectWait() (time.Duration, bool) {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	if len(inv.expected) == 0 {
		return 0, false
	}
	if len(inv.expected) >= expectBatch {
		return 0, true
	}
	now := inv.clock.Now()
	oldest := now
	for _, e := range inv.expected {
		if e.at.Before(oldest) {
			oldest = e.at
		}
	}
	wait := min(expectQuiet-now.Sub(inv.lastExpect), expectMaxWait-now.Sub(oldest))
	return max(wait, 0), true
}

// settleExpected drops the expectations a new snapshot names, and those
// it should have named (created before the list started) but does not:
// those creates are looked up again by their reconcile. inv.mu is held.
func (inv *Inventory) settleExpected(started time.Time) {
	for k, e := range inv.expected {
		if _, ok := inv.findLocked("", e.user.ExternalID, e.user.Email); ok || e.at.Before(started) {
			delete(inv.expected, k)
		}
	}
}

func expectKey(externalID, email string) string {
	return externalID + "\x00" + lms.NormalizeEmail(email)
}
