// Package inventory keeps a per-connection snapshot of the users and groups in
// the LMS, read with list calls at most once per sync interval. Reconcilers
// read the snapshot instead of calling the vendor per object, and update it in
// place after each write, so that steady state costs one list per connection
// per interval whatever the number of Learners.
package inventory

import (
	"context"
	"maps"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// A Lister reads every user of the LMS (all pages).
type Lister func(ctx context.Context) ([]lms.User, error)

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

	// While a list call runs, the writes recorded meanwhile (Put, Remove)
	// are kept in pending, to be laid over the list's older answer.
	loading bool
	pending map[string]*lms.User // by ID; nil value: removed

	// expected are the users created without an id (see Expect), by
	// identity; lastExpect is when the last one was created.
	expected   map[string]expectation
	lastExpect time.Time

	loadMu sync.Mutex // serialises list calls
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

// EnsureLoaded reads a snapshot if none was ever read. Concurrent callers
// share the one list call.
func (inv *Inventory) EnsureLoaded(ctx context.Context, list Lister) error {
	if ok, _ := inv.Loaded(); ok {
		return nil
	}
	_, err := inv.refresh(ctx, list, 0)
	return err
}

// Refresh reads a new snapshot when the current one is older than maxAge,
// and returns the users that changed. A refresh already done by a concurrent
// caller within maxAge is not repeated.
func (inv *Inventory) Refresh(ctx context.Context, list Lister, maxAge time.Duration) ([]Change, error) {
	return inv.refresh(ctx, list, maxAge)
}

// refresh reads a new snapshot unless one younger than maxAge (any, when
// maxAge is 0) exists, and returns the users that changed.
func (inv *Inventory) refresh(ctx context.Context, list Lister, maxAge time.Duration) ([]Change, error) {
	inv.loadMu.Lock()
	defer inv.loadMu.Unlock()
	if ok, at := inv.Loaded(); ok && (maxAge == 0 || inv.clock.Since(at) < maxAge) {
		return nil, nil
	}
	return inv.load(ctx, list)
}

// refreshAfter reads a new snapshot unless one was read after since (by a
// concurrent caller).
func (inv *Inventory) refreshAfter(ctx context.Context, list Lister, since time.Time) ([]Change, error) {
	inv.loadMu.Lock()
	defer inv.loadMu.Unlock()
	if ok, at := inv.Loaded(); ok && at.After(since) {
		return nil, nil
	}
	return inv.load(ctx, list)
}

// load lists the users and replaces the snapshot; inv.loadMu is held.
func (inv *Inventory) load(ctx context.Context, list Lister) ([]Change, error) {
	started := inv.clock.Now()
	inv.startLoading()
	users, err := list(ctx)
	if err != nil {
		inv.stopLoading()
		return nil, err
	}
	return inv.replace(users, started), nil
}

// startLoading starts keeping the writes made while a list call runs.
func (inv *Inventory) startLoading() {
	inv.mu.Lock()
	inv.loading, inv.pending = true, map[string]*lms.User{}
	inv.mu.Unlock()
}

// stopLoading forgets the writes kept after a failed list call.
func (inv *Inventory) stopLoading() {
	inv.mu.Lock()
	inv.loading, inv.pending = false, nil
	inv.mu.Unlock()
}

// replace makes users, with the writes made meanwhile laid over them, the
// snapshot, and returns what changed. started is when the list began.
func (inv *Inventory) replace(users []lms.User, started time.Time) []Change {
	next := make(map[string]*lms.User, len(users))
	for i := range users {
		u := users[i]
		next[u.ID] = &u
	}
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
