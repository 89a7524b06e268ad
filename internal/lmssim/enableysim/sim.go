// Package enableysim is an in-memory simulator of the Enabley (formerly Time
// To Know) API, faithful to the vendor's document (enabley-api.txt): OAuth-like
// token from POST /api/v1/token (expires_in in milliseconds), Bearer tokens on
// every other call, users, groups with a type hierarchy, channels, channel
// assignments, learner performance and entitlements, with paginationKey
// pagination.
//
// Errors use the document's ErrorResponse, {"error": ..., "error_description": ...},
// with these HTTP statuses (the document lists 400 "Invalid input", 401
// "Invalid JWT token", 404 for a bad paginationKey and 500 "General error"):
//
//	invalid_request, item_exists, item_not_exists  400
//	invalid_client                                 401
//	access_denied                                  403 (not in the document)
//	not_found                                      404 (bad paginationKey, unknown route)
//	general_error                                  500
//	service_unavailable                            503
//
// Where the document is silent the simulator assumes: PUT /api/v2/users
// leaves fields absent from the body unchanged; usernames and emails are
// unique, compared without regard to case (item_exists naming the field;
// Seed.AllowSharedUsernames and Seed.AllowSharedEmails lift either rule);
// a group with child groups cannot be deleted; currentPage
// counts from 1; a paginationKey lives 15 minutes (Seed.CursorTTL).
package enableysim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// DefaultPageSize is the page size of paginated lists when Seed.PageSize is 0.
const DefaultPageSize = 100

// DefaultTokenTTL is the lifetime of an access token when Seed.TokenTTL is 0.
const DefaultTokenTTL = time.Hour

// DefaultCursorTTL is how long a paginationKey stays valid when
// Seed.CursorTTL is 0. The document is silent on it.
const DefaultCursorTTL = 15 * time.Minute

// A Duration is a time.Duration that reads from JSON and YAML as a Go
// duration string ("1h", "90s") or as a number of nanoseconds.
type Duration time.Duration

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("parse duration %q: %w", s, err)
		}
		*d = Duration(v)
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("duration must be a string like \"1h\" or nanoseconds: %w", err)
	}
	*d = Duration(n)
	return nil
}

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// A ClientCredential is an API client allowed to ask for tokens.
type ClientCredential struct {
	// ClientKey and Secret are the query parameters of POST /api/v1/token.
	ClientKey string `json:"clientKey"`
	Secret    string `json:"secret"`
	// ReadOnly makes every write by this client answer 403 access_denied.
	ReadOnly bool `json:"readOnly,omitempty"`
}

// A Seed is the simulator's initial state, readable from YAML with sigs.k8s.io/yaml.
type Seed struct {
	// Clients are the accepted credentials.
	Clients []ClientCredential `json:"clients,omitempty"`
	// TokenTTL is the access tokens' lifetime (default 1h). Tokens report it
	// in expires_in as milliseconds.
	TokenTTL Duration `json:"tokenTTL,omitempty"`
	// CursorTTL is how long a paginationKey stays valid (default
	// DefaultCursorTTL; the document is silent): a key used later answers
	// 404 not_found "Invalid paginationKey".
	CursorTTL Duration `json:"cursorTTL,omitempty"`
	// V3UsersDisabled makes the whole GET /api/v3/users route answer 404, as
	// some accounts do.
	V3UsersDisabled bool `json:"v3UsersDisabled,omitempty"`
	// AllowSharedUsernames lets PUT /api/v2/users give a user a username
	// another identifier holds; by default it answers item_exists (the
	// document is silent).
	AllowSharedUsernames bool `json:"allowSharedUsernames,omitempty"`
	// AllowSharedEmails lets PUT /api/v2/users give a user an email another
	// identifier holds; by default it answers item_exists (the document is
	// silent).
	AllowSharedEmails bool `json:"allowSharedEmails,omitempty"`
	// PageSize is the page size of paginated lists (default DefaultPageSize).
	PageSize int `json:"pageSize,omitempty"`
	// SubAccounts are the account's sub-account names.
	SubAccounts []string `json:"subAccounts,omitempty"`
	// Users are the initial users. In YAML/JSON isActive defaults to true;
	// in Go set IsActive explicitly.
	Users []User `json:"users,omitempty"`
	// GroupHierarchy is the ordered list of group type names
	// (GET /api/v1/groups/hierarchy), such as ["Company", "Department", "Team"].
	GroupHierarchy []string `json:"groupHierarchy,omitempty"`
	// Groups are the initial groups, parents before children, with their members.
	Groups []Group `json:"groups,omitempty"`
	// Channels are the account's channels (courses), with their assignments.
	Channels []Channel `json:"channels,omitempty"`
}

// A Sim is the simulated Enabley API. It is safe for concurrent use.
type Sim struct {
	// Now is the simulator's clock; New sets it to time.Now. Replace it
	// before serving to control token expiry and timestamps.
	Now func() time.Time

	mux   *http.ServeMux
	admin *http.ServeMux

	mu sync.Mutex
	st state
}

// New returns a simulator holding seed. Invalid seed entries (a group whose
// type is not in the hierarchy, a member that does not exist) are kept as
// given: the seed is trusted.
func New(seed Seed) *Sim {
	s := &Sim{Now: time.Now}
	s.st = newState(seed, time.Now())
	s.mux = s.routes()
	s.admin = s.adminRoutes()
	return s
}

// Name returns "enabley".
func (s *Sim) Name() string { return "enabley" }

// ServeHTTP serves the Enabley API.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.injectFault(w, s.Endpoint(r)) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Admin serves the simulator's admin API (paths after /_sim/enabley):
//
//	GET    /state            the whole state as JSON (State)
//	POST   /users            add a user (User JSON; isActive defaults to true)
//	PATCH  /users/{id}       change a user behind the operator's back (UserPatch JSON)
//	DELETE /users/{id}       remove a user behind the operator's back
//	POST   /completions      record progress: {"user","channel","percent","score"}
//	POST   /expire-tokens    expire every access token now
//	POST   /faults           make the next calls fail (Fault JSON)
func (s *Sim) Admin() http.Handler { return s.admin }

// Endpoint names the endpoint r calls as "METHOD /path-template", such as
// "GET /api/v3/users" or "PUT /api/v2/users/{id}"; "METHOD unknown" when no
// documented endpoint matches.
func (s *Sim) Endpoint(r *http.Request) string {
	_, pattern := s.mux.Handler(r)
	if pattern == "" || pattern == "/" {
		return r.Method + " unknown"
	}
	return pattern
}

// IsWrite reports whether r may change state: every method but GET and
// HEAD, except the token call.
func (s *Sim) IsWrite(r *http.Request) bool {
	switch {
	case r.Method == http.MethodGet, r.Method == http.MethodHead:
		return false
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/token":
		return false
	}
	return true
}

// now returns the simulator's current time.
func (s *Sim) now() time.Time { return s.Now() }
