package exceedsim

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"k8s.io/utils/clock"
)

// DefaultPageSize is the number of records a page holds when Seed.PageSize
// is 0: 1,000, as documented.
const DefaultPageSize = 1000

// DefaultAccountID is the account id when Seed.AccountID is 0.
const DefaultAccountID = 1

// A Seed is the simulator's initial state, readable from YAML with
// sigs.k8s.io/yaml. Seed users are not validated, so that tests can start
// from states the API would refuse (duplicate emails, over-long names).
type Seed struct {
	// APIKeys are the accepted api_key values. When empty, every non-empty
	// api_key is accepted.
	APIKeys []string `json:"apiKeys,omitempty"`
	// AccountID is the account's id, the account_id of every user and deletion.
	// Default 1.
	AccountID int64 `json:"accountId,omitempty"`
	// PageSize is the number of users (or deletions) one page holds.
	// Default 1000, as documented; tests lower it to exercise pagination.
	PageSize int `json:"pageSize,omitempty"`
	// Users are the account's users, in the vendor's flat attribute form.
	// A user without an id gets the next free one.
	Users []User `json:"users,omitempty"`
	// Deletions are users deleted before the simulation starts.
	Deletions []Deletion `json:"deletions,omitempty"`
	// XMLAnswers makes create and read answer XML, as the document's
	// examples do (<user> with type= and nil="true" attributes), and error
	// answers list their reasons in XML (<errors><error>...</error></errors>;
	// the document says "in JSON or XML format"). Lists stay JSON, as the
	// document's list example is. The default is JSON everywhere.
	XMLAnswers bool `json:"xmlAnswers,omitempty"`
}

// A Deletion records a deleted user, as GET /api/v2/users/deletions lists it.
type Deletion struct {
	// ID is the deleted user's id.
	ID int64 `json:"id"`
	// AccountID is the account's id; Seed.AccountID when 0 in a seed.
	AccountID int64 `json:"account_id"`
	// Code is the deleted user's code, if it had one.
	Code string `json:"code,omitempty"`
	// DeletedAt is when the user was deleted.
	DeletedAt time.Time `json:"deleted_at"`
}

// A Sim is the simulated Exceed users API. It is safe for concurrent use.
type Sim struct {
	mu        sync.Mutex
	clock     clock.PassiveClock
	keys      map[string]bool
	accountID int64
	pageSize  int
	users     map[int64]*User
	deletions []Deletion
	nextID    int64
	// xml is Seed.XMLAnswers.
	xml bool

	api   *http.ServeMux
	admin *http.ServeMux
}

// New returns a simulator holding seed, on the real clock.
func New(seed Seed) *Sim {
	s := &Sim{
		clock:     clock.RealClock{},
		keys:      map[string]bool{},
		accountID: seed.AccountID,
		pageSize:  seed.PageSize,
		users:     map[int64]*User{},
		nextID:    1,
		xml:       seed.XMLAnswers,
	}
	if s.accountID == 0 {
		s.accountID = DefaultAccountID
	}
	if s.pageSize <= 0 {
		s.pageSize = DefaultPageSize
	}
	for _, k := range seed.APIKeys {
		s.keys[k] = true
	}
	s.load(seed)
	s.api = s.apiRoutes()
	s.admin = s.adminRoutes()
	return s
}

// load adds the seed's users and deletions.
func (s *Sim) load(seed Seed) {
	for _, u := range seed.Users {
		if u.ID >= s.nextID {
			s.nextID = u.ID + 1
		}
	}
	for _, u := range seed.Users {
		c := u.clone()
		s.prepare(&c)
		s.users[c.ID] = &c
	}
	for _, d := range seed.Deletions {
		if d.AccountID == 0 {
			d.AccountID = s.accountID
		}
		s.deletions = append(s.deletions, d)
	}
}

// prepare gives a new user its id, account, defaults and timestamps.
func (s *Sim) prepare(u *User) {
	if u.ID == 0 {
		u.ID = s.nextID
		s.nextID++
	}
	u.AccountID = s.accountID
	if u.Authority == "" {
		u.Authority = "student"
	}
	if u.FullName == "" {
		u.FullName = fullName(u)
	}
	now := s.clock.Now().UTC().Truncate(time.Second)
	if u.CreatedOn.IsZero() {
		u.CreatedOn = now
	}
	if u.UpdatedOn.IsZero() {
		u.UpdatedOn = now
	}
}

// SetClock replaces the clock that stamps created_on, updated_on and
// deleted_at. Tests pass a fake clock (k8s.io/utils/clock/testing).
func (s *Sim) SetClock(c clock.PassiveClock) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock = c
}

// Name returns "exceed".
func (s *Sim) Name() string { return "exceed" }

// ServeHTTP serves the Exceed API under /api/v2/.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.api.ServeHTTP(w, r)
}

// Admin serves the simulator's admin API (paths after /_sim/exceed): see
// the package documentation.
func (s *Sim) Admin() http.Handler { return s.admin }

// Endpoint names the endpoint r calls as "METHOD /path-template", such as
// "GET /api/v2/users/{id}"; "METHOD unknown" for a path the API lacks.
func (s *Sim) Endpoint(r *http.Request) string {
	_, pattern := s.api.Handler(r)
	if pattern == "" || pattern == "/" {
		return r.Method + " unknown"
	}
	if r.Method == http.MethodHead && strings.HasPrefix(pattern, "GET ") {
		return "HEAD" + pattern[len("GET"):]
	}
	return pattern
}

// IsWrite reports whether r may change state: POST, PUT, PATCH and DELETE.
func (s *Sim) IsWrite(r *http.Request) bool {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// State is the simulator's whole state, as GET /_sim/exceed/state returns it.
type State struct {
	// AccountID and PageSize are the seed's, defaults applied.
	AccountID int64 `json:"accountId"`
	PageSize  int   `json:"pageSize"`
	// NextID is the id the next created user gets.
	NextID int64 `json:"nextId"`
	// Users are every user with every attribute, password included, in id order.
	Users []User `json:"users"`
	// Deletions are the deleted users, in id order.
	Deletions []Deletion `json:"deletions"`
}

// State returns a copy of the whole state; lists are in id order.
func (s *Sim) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return State{
		AccountID: s.accountID,
		PageSize:  s.pageSize,
		NextID:    s.nextID,
		Users:     copies(s.sorted()),
		Deletions: s.sortedDeletions(),
	}
}

// Users returns copies of every user, in id order.
func (s *Sim) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copies(s.sorted())
}

// User returns a copy of the user with the id, and whether there is one.
func (s *Sim) User(id int64) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return found(s.users[id])
}

// UserByCode returns a copy of the user whose code is code (ignoring case),
// and whether there is one.
func (s *Sim) UserByCode(code string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return found(s.findBy("code", code))
}

// UserByEmail returns a copy of the first user (by id) whose email is email
// (ignoring case), and whether there is one.
func (s *Sim) UserByEmail(email string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return found(s.findBy("email", email))
}

// Deletions returns the deleted users, in id order.
func (s *Sim) Deletions() []Deletion {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sortedDeletions()
}

// AddUser adds u behind the operator's back, with the API's validation
// except that no password is required. It returns the stored user, or an
// error listing the validation reasons.
func (s *Sim) AddUser(u User) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := u.clone()
	if c.ID != 0 && s.users[c.ID] != nil {
		return User{}, fmt.Errorf("add Exceed user: id %d is taken", c.ID)
	}
	if reasons := s.validate(&c, false); len(reasons) > 0 {
		return User{}, &ValidationError{Reasons: reasons}
	}
	s.prepare(&c)
	if c.ID >= s.nextID {
		s.nextID = c.ID + 1
	}
	s.users[c.ID] = &c
	return c.clone(), nil
}

// PatchUser sets the attributes (vendor names, JSON scalars) of the user
// with the id behind the operator's back, without validation: an admin in
// the Exceed UI or another integration. Changing first_name or last_name
// recomputes full_name unless full_name is given too. The id cannot change.
func (s *Sim) PatchUser(id int64, attrs map[string]any) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[id]
	if u == nil {
		return User{}, fmt.Errorf("patch Exceed user %d: %w", id, ErrNotFound)
	}
	c := u.clone()
	if err := applyAny(&c, attrs); err != nil {
		return User{}, fmt.Errorf("patch Exceed user %d: %w", id, err)
	}
	c.UpdatedOn = s.clock.Now().UTC().Truncate(time.Second)
	*u = c
	return c.clone(), nil
}

// DeleteUser deletes the user with the id behind the operator's back and
// records the deletion. It reports whether there was such a user.
func (s *Sim) DeleteUser(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remove(id)
}
