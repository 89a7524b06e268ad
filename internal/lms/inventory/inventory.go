// Package inventory keeps a per-connection snapshot of the users and groups in
// the LMS, read with list calls at most once per sync interval. Reconcilers
// read the snapshot instead of calling the vendor per object, and update it in
// place after each write, so that steady state costs one list per connection
// per interval whatever the number of Learners.
package inventory

import (
	"maps"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// A Change is a user whose remote state changed between two snapshots:
// Before is nil for a new user, After nil for a removed one.
type Change struct {
	Before, After *lms.User
}

// An Inventory is one connection's snapshot of remote users. It is safe for
// concurrent use; concurrent loads share one list.
type Inventory struct {
	clock clock.PassiveClock

	mu         sync.RWMutex
	users      map[string]*lms.User // by ID
	byEmail    map[string]string    // normalized email -> ID
	byExternal map[string]string    // external ID -> ID
	loadedAt   time.Time

	// While a read runs (and, for a paged read, until it completes after
	// failed attempts), the writes recorded meanwhile (Put, Remove) are kept
	// in pending, to be laid over the list's older answer.
	loading bool
	pending map[string]*lms.User // by ID; nil value: removed

	// expected are the users created without an id (see Expect), by
	// identity; lastExpect is when the last one was created.
	expected   map[string]expectation
	lastExpect time.Time

	// health is how the reads go: failures in a row, the wait before the
	// next attempt, the pages kept, the records skipped.
	health health

	loadMu sync.Mutex // serialises reads; guards paged
	// paged is the paged read that failed on a page, kept to resume there.
	paged *pagedRead
}

// New returns an empty Inventory.
func New(clk clock.PassiveClock) *Inventory {
	return &Inventory{clock: clk}
}

// Loaded reports whether a snapshot was ever read, and when.
func (inv *Inventory) Loaded() (bool, time.Time) {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	return inv.users != nil, inv.loadedAt
}

// startLoading starts keeping the writes made while a read runs, unless a
// resumed read keeps them already.
func (inv *Inventory) startLoading() {
	inv.mu.Lock()
	if !inv.loading {
		inv.loading, inv.pending = true, map[string]*lms.User{}
	}
	inv.mu.Unlock()
}

// stopLoading forgets the writes kept for a read that will not complete.
func (inv *Inventory) stopLoading() {
	inv.mu.Lock()
	inv.loading, inv.pending = false, nil
	inv.mu.Unlock()
}

// replace makes next, with the writes made meanwhile laid over it, the
// snapshot, and returns what changed. started is when the read began.
func (inv *Inventory) replace(next map[string]*lms.User, started time.Time) []Change {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	for id, u := range inv.pending { // writes made while the list ran are newer
		if u == nil {
			delete(next, id)
		} else {
			next[id] = u
		}
	}
	inv.loading, inv.pending = false, nil
	changes := diff(inv.users, next)
	inv.users = next
	inv.reindex()
	inv.loadedAt = inv.clock.Now()
	inv.settleExpected(started)
	return changes
}

// diff returns the users that differ between two snapshots; none when
// there was no snapshot before.
func diff(before, after map[string]*lms.User) []Change {
	if before == nil {
		return nil
	}
	var out []Change
	for id, b := range before {
		a, ok := after[id]
		if !ok {
			out = append(out, Change{Before: b})
		} else if !sameUser(*a, *b) {
			out = append(out, Change{Before: b, After: a})
		}
	}
	for id, a := range after {
		if _, ok := before[id]; !ok {
			out = append(out, Change{After: a})
		}
	}
	return out
}

// sameUser reports whether two users hold the same values.
func sameUser(a, b lms.User) bool {
	return maps.Equal(a.CustomFields, b.CustomFields) &&
		a.ID == b.ID && a.ExternalID == b.ExternalID && a.Email == b.Email &&
		a.FirstName == b.FirstName && a.MiddleName == b.MiddleName && a.LastName == b.LastName &&
		a.Description == b.Description && a.Role == b.Role && a.Active == b.Active
}

// reindex rebuilds the email and external ID indexes.
func (inv *Inventory) reindex() {
	inv.byEmail = make(map[string]string, len(inv.users))
	inv.byExternal = make(map[string]string, len(inv.users))
	for id, u := range inv.users {
		inv.index(id, u)
	}
}

// index adds the user with the ID to the email and external ID indexes.
func (inv *Inventory) index(id string, u *lms.User) {
	if u.Email != "" {
		inv.byEmail[lms.NormalizeEmail(u.Email)] = id
	}
	if u.ExternalID != "" {
		inv.byExternal[u.ExternalID] = id
	}
}

// Find returns a copy of the user with the given ID, or else the given
// external ID, or else the given email. The bool is false when none is known.
func (inv *Inventory) Find(id, externalID, email string) (lms.User, bool) {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	return inv.findLocked(id, externalID, email)
}

// findLocked is Find with inv.mu held.
func (inv *Inventory) findLocked(id, externalID, email string) (lms.User, bool) {
	if u, ok := inv.users[id]; ok && id != "" {
		return *u, true
	}
	if xid, ok := inv.byExternal[externalID]; ok && externalID != "" {
		return *inv.users[xid], true
	}
	if eid, ok := inv.byEmail[lms.NormalizeEmail(email)]; ok && email != "" {
		return *inv.users[eid], true
	}
	return lms.User{}, false
}

// Len returns the number of users in the snapshot.
func (inv *Inventory) Len() int {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	return len(inv.users)
}

// Put records a user after a write, replacing any entry with its ID.
func (inv *Inventory) Put(u lms.User) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.loading {
		inv.pending[u.ID] = &u
	}
	if inv.users == nil {
		return // not loaded: the first load will read it
	}
	if old, ok := inv.users[u.ID]; ok {
		delete(inv.byEmail, lms.NormalizeEmail(old.Email))
		delete(inv.byExternal, old.ExternalID)
	}
	inv.users[u.ID] = &u
	inv.index(u.ID, &u)
}

// Remove forgets a user after a delete.
func (inv *Inventory) Remove(id string) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.loading {
		inv.pending[id] = nil
	}
	if old, ok := inv.users[id]; ok {
		delete(inv.byEmail, lms.NormalizeEmail(old.Email))
		delete(inv.byExternal, old.ExternalID)
		delete(inv.users, id)
	}
}

// Invalidate drops the snapshot, so that the next EnsureLoaded reads anew
// (after the connection's endpoint or credentials change).
func (inv *Inventory) Invalidate() {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.users, inv.byEmail, inv.byExternal = nil, nil, nil
	inv.loadedAt = time.Time{}
}
