package enableysim

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// timeLayout is the document's date format, YYYY-MM-DDTHH:mm:ss.SSSZ.
const timeLayout = "2006-01-02T15:04:05.000Z"

// maxV2Limit is the documented maximum of GET /api/v2/users?limit.
const maxV2Limit = 200

// userRoles are the document's possibleRoles values.
var userRoles = []string{"SITE_ADMIN", "LEARNER", "INSTRUCTOR", "EDITOR", "PREVIEW",
	"MANAGER", "HR_MANAGER", "SITE_TRAINING_MANAGER", "EVALUATOR"}

// userInfo is the document's UserInfo.
type userInfo struct {
	Identifier          string         `json:"identifier"`
	Email               string         `json:"email"`
	FirstName           string         `json:"firstName"`
	LastName            string         `json:"lastName"`
	Username            string         `json:"username"`
	Phone               string         `json:"phone,omitempty"`
	Address             string         `json:"address,omitempty"`
	PossibleRoles       []string       `json:"possibleRoles"`
	IsActive            bool           `json:"isActive"`
	UserSubAccountNames []string       `json:"userSubAccountNames"`
	CustomAttributes    map[string]any `json:"customAttributes,omitempty"`
	Created             string         `json:"created"`
	Modified            string         `json:"modified"`
}

// userData is the document's UserData, the body of PUT /api/v2/users.
type userData struct {
	Identifier     string  `json:"identifier"`
	SubAccountName string  `json:"subAccountName,omitempty"`
	Password       *string `json:"password,omitempty"`
	UserPatch
}

func toUserInfo(u *User) userInfo {
	return userInfo{
		Identifier: u.Identifier, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		Username: u.Username, Phone: u.Phone, Address: u.Address,
		PossibleRoles:       nonNil(u.PossibleRoles),
		IsActive:            u.IsActive,
		UserSubAccountNames: nonNil(u.SubAccountNames),
		CustomAttributes:    cloneMap(u.CustomAttributes),
		Created:             u.Created.UTC().Format(timeLayout),
		Modified:            u.Modified.UTC().Format(timeLayout),
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}

// listUsersV3 serves GET /api/v3/users: the filtered users, paginated.
func (s *Sim) listUsersV3(r *http.Request) (int, any, error) {
	users, err := s.st.filterUsers(r)
	if err != nil {
		return 0, nil, err
	}
	page, err := paginate(&s.st, r, "GET /api/v3/users", users, s.now())
	return 0, page, err
}

// listUsersV2 serves GET /api/v2/users?limit&start: the filtered users from
// index start, at most limit (maximum 200).
func (s *Sim) listUsersV2(r *http.Request) (int, any, error) {
	limit, err := intParam(r, "limit", maxV2Limit)
	if err != nil {
		return 0, nil, err
	}
	if limit > maxV2Limit {
		return 0, nil, fail(errInvalidRequest, "limit must be at most %d", maxV2Limit)
	}
	start, err := intParam(r, "start", 0)
	if err != nil {
		return 0, nil, err
	}
	users, err := s.st.filterUsers(r)
	if err != nil {
		return 0, nil, err
	}
	start = min(start, len(users))
	return 0, users[start:min(start+limit, len(users))], nil
}

// filterUsers applies the list filters of GET /api/v2|v3/users.
func (st *state) filterUsers(r *http.Request) ([]userInfo, error) {
	q := r.URL.Query()
	sub := q.Get("subAccountName")
	if err := st.checkSubAccount(sub); err != nil {
		return nil, err
	}
	out := []userInfo{}
	for _, u := range st.orderedUsers() {
		if matchUser(u, q.Get("identifier"), sub, q) {
			out = append(out, toUserInfo(u))
		}
	}
	return out, nil
}

// matchUser reports whether u passes the filters.
func matchUser(u *User, id, sub string, q map[string][]string) bool {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	return (id == "" || u.Identifier == id) &&
		(sub == "" || slices.Contains(u.SubAccountNames, sub)) &&
		containsFold(u.Email, get("emailSubstring")) &&
		containsFold(u.FirstName, get("firstNameSubstring")) &&
		containsFold(u.LastName, get("lastNameSubstring")) &&
		containsFold(u.Username, get("usernameSubstring"))
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// checkSubAccount answers invalid_request for a sub-account the account lacks.
func (st *state) checkSubAccount(name string) error {
	if name == "" || slices.Contains(st.subAccounts, name) {
		return nil
	}
	return fail(errInvalidRequest, "Sub-account %q does not exist", name)
}

// putUser serves PUT /api/v2/users: create (201) or update (200) the user
// with the body's identifier. Fields absent from the body are left unchanged.
func (s *Sim) putUser(r *http.Request) (int, any, error) {
	var d userData
	if err := decodeBody(r, &d); err != nil {
		return 0, nil, err
	}
	if err := s.st.validateUserData(d); err != nil {
		return 0, nil, err
	}
	if u, ok := s.st.users[d.Identifier]; ok {
		return s.updateUser(u, d)
	}
	return s.createUser(d)
}

// validateUserData checks the body of PUT /api/v2/users.
func (st *state) validateUserData(d userData) error {
	if strings.TrimSpace(d.Identifier) == "" {
		return fail(errInvalidRequest, "identifier is required")
	}
	if err := st.checkSubAccount(d.SubAccountName); err != nil {
		return err
	}
	if d.Email != nil && *d.Email != "" && !strings.Contains(*d.Email, "@") {
		return fail(errInvalidRequest, "Invalid email %q", *d.Email)
	}
	return checkRoles(d.PossibleRoles)
}

// checkRoles answers invalid_request for an empty or unknown possibleRoles.
func checkRoles(roles []string) error {
	if roles == nil {
		return nil
	}
	if len(roles) == 0 {
		return fail(errInvalidRequest, "possibleRoles must not be empty")
	}
	for _, role := range roles {
		if !slices.Contains(userRoles, role) {
			return fail(errInvalidRequest, "Unknown role %q; possible roles are %v", role, userRoles)
		}
	}
	return nil
}

// createUser adds the user of d: roles default to LEARNER, the username to
// the email, isActive to true.
func (s *Sim) createUser(d userData) (int, any, error) {
	now := s.now()
	u := &User{Identifier: d.Identifier, PossibleRoles: []string{"LEARNER"}, IsActive: true,
		Created: now, Modified: now}
	d.apply(u)
	if u.Username == "" {
		u.Username = u.Email
	}
	if u.Username == "" {
		return 0, nil, fail(errInvalidRequest, "username or email is required")
	}
	if err := s.st.checkTaken(u); err != nil {
		return 0, nil, err
	}
	addSubAccount(u, d.SubAccountName)
	s.st.putUser(u)
	return http.StatusCreated, toUserInfo(u), nil
}

// updateUser writes the fields present in d to u.
func (s *Sim) updateUser(u *User, d userData) (int, any, error) {
	next := cloneUser(*u)
	d.apply(&next)
	if err := s.st.checkTaken(&next); err != nil {
		return 0, nil, err
	}
	addSubAccount(&next, d.SubAccountName)
	next.Modified = s.now()
	*u = next
	return http.StatusOK, toUserInfo(u), nil
}

// checkTaken answers item_exists, naming the field, when another user
// holds u's username or email (ignoring case), unless the seed allows it.
// The username is checked first.
func (st *state) checkTaken(u *User) error {
	if !st.sharedUsernames && st.heldByAnother(u, func(o *User) string { return o.Username }) {
		return fail(errItemExists, "Username %q is already used by another user", u.Username)
	}
	if !st.sharedEmails && st.heldByAnother(u, func(o *User) string { return o.Email }) {
		return fail(errItemExists, "Email %q is already used by another user", u.Email)
	}
	return nil
}

// heldByAnother reports whether a user other than u has u's non-empty
// value of field, ignoring case.
func (st *state) heldByAnother(u *User, field func(*User) string) bool {
	for _, o := range st.users {
		if o.Identifier != u.Identifier && field(u) != "" && strings.EqualFold(field(o), field(u)) {
			return true
		}
	}
	return false
}
func addSubAccount(u *User, sub string) {
	if sub != "" && !slices.Contains(u.SubAccountNames, sub) {
		u.SubAccountNames = append(u.SubAccountNames, sub)
	}
}

// user returns the user id or item_not_exists.
func (st *state) user(id string) (*User, error) {
	u, ok := st.users[id]
	if !ok {
		return nil, fail(errItemNotExists, "User with identifier %q does not exist", id)
	}
	return u, nil
}

// getUser serves GET /api/v2/users/{id}[?subAccountName=].
func (s *Sim) getUser(r *http.Request) (int, any, error) {
	u, err := s.st.user(r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	if sub := r.URL.Query().Get("subAccountName"); sub != "" && !slices.Contains(u.SubAccountNames, sub) {
		return 0, nil, fail(errItemNotExists, "User with identifier %q does not exist in sub-account %q", u.Identifier, sub)
	}
	return 0, toUserInfo(u), nil
}

// setUserStatus serves PUT /api/v2/users/{id}?isActive= (default true).
func (s *Sim) setUserStatus(r *http.Request) (int, any, error) {
	u, err := s.st.user(r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	active, err := boolParam(r, "isActive", true)
	if err != nil {
		return 0, nil, err
	}
	u.IsActive = active
	u.Modified = s.now()
	return 0, toUserInfo(u), nil
}

// deleteUser serves DELETE /api/v2/users/{id}.
func (s *Sim) deleteUser(r *http.Request) (int, any, error) {
	id := r.PathValue("id")
	if _, err := s.st.user(id); err != nil {
		return 0, nil, err
	}
	s.st.removeUser(id)
	return 0, nil, nil
}

// removeUser deletes the user and everything that refers to it.
func (st *state) removeUser(id string) {
	delete(st.users, id)
	st.userOrder = slices.DeleteFunc(st.userOrder, func(x string) bool { return x == id })
	for _, m := range st.members {
		delete(m, id)
	}
	for _, c := range st.channels {
		delete(c.Users, id)
	}
	for k := range st.progress {
		if k.user == id {
			delete(st.progress, k)
		}
	}
	st.entitled = slices.DeleteFunc(st.entitled, func(e Entitlement) bool { return e.UserIdentifier == id })
}

// userIdentity is the document's UserIdentity.
type userIdentity struct {
	CurrentUserIdentifier string `json:"currentUserIdentifier"`
	NewUserIdentifier     string `json:"newUserIdentifier"`
}

// renameUser serves PUT /api/v2/users/identityManagement.
func (s *Sim) renameUser(r *http.Request) (int, any, error) {
	var b userIdentity
	if err := decodeBody(r, &b); err != nil {
		return 0, nil, err
	}
	if b.CurrentUserIdentifier == "" || b.NewUserIdentifier == "" {
		return 0, nil, fail(errInvalidRequest, "currentUserIdentifier and newUserIdentifier are required")
	}
	u, err := s.st.user(b.CurrentUserIdentifier)
	if err != nil {
		return 0, nil, err
	}
	if _, taken := s.st.users[b.NewUserIdentifier]; taken {
		return 0, nil, fail(errItemExists, "User with identifier %q already exists", b.NewUserIdentifier)
	}
	s.st.renameUser(u, b.NewUserIdentifier, s.now())
	return 0, nil, nil
}

// renameUser moves u and every reference to it to identifier to.
func (st *state) renameUser(u *User, to string, now time.Time) {
	from := u.Identifier
	u.Identifier, u.Modified = to, now
	delete(st.users, from)
	st.users[to] = u
	st.userOrder[slices.Index(st.userOrder, from)] = to
	for _, m := range st.members {
		if m[from] {
			delete(m, from)
			m[to] = true
		}
	}
	for _, c := range st.channels {
		if roles, ok := c.Users[from]; ok {
			delete(c.Users, from)
			c.Users[to] = roles
		}
	}
	st.renameProgress(from, to)
	for i := range st.entitled {
		if st.entitled[i].UserIdentifier == from {
			st.entitled[i].UserIdentifier = to
		}
	}
}

func (st *state) renameProgress(from, to string) {
	for k, p := range st.progress {
		if k.user == from {
			delete(st.progress, k)
			p.User = to
			st.progress[progressKey{to, k.channel}] = p
		}
	}
}

// removeUserSubAccount serves DELETE /api/v2/users/{id}/subAccountName/{subAccountName}.
func (s *Sim) removeUserSubAccount(r *http.Request) (int, any, error) {
	u, err := s.st.user(r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	sub := r.PathValue("subAccountName")
	if !slices.Contains(u.SubAccountNames, sub) {
		return 0, nil, fail(errItemNotExists, "User %q is not in sub-account %q", u.Identifier, sub)
	}
	u.SubAccountNames = slices.DeleteFunc(u.SubAccountNames, func(x string) bool { return x == sub })
	u.Modified = s.now()
	return 0, nil, nil
}

// userGroups serves GET /api/v1/users/{id}/groups[?subAccountName=].
func (s *Sim) userGroups(r *http.Request) (int, any, error) {
	u, err := s.st.user(r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	sub := r.URL.Query().Get("subAccountName")
	out := []groupInfo{}
	for _, g := range s.st.orderedGroups() {
		if s.st.members[g.Identifier][u.Identifier] && (sub == "" || g.SubAccountName == sub) {
			out = append(out, toGroupInfo(g))
		}
	}
	return 0, out, nil
}

// entitlementTypes and entitlementRoles are the document's ExternalEntitlement enums.
var (
	entitlementTypes = []string{"COURSE", "GROUP", "WORKSPACE"}
	entitlementRoles = []string{"MANAGER", "EDITOR", "INSTRUCTOR"}
)

// addEntitlement serves POST /api/v2/users/entitlements.
func (s *Sim) addEntitlement(r *http.Request) (int, any, error) {
	var e Entitlement
	if err := decodeBody(r, &e); err != nil {
		return 0, nil, err
	}
	if err := s.st.checkEntitlement(e); err != nil {
		return 0, nil, err
	}
	if !slices.Contains(s.st.entitled, e) {
		s.st.entitled = append(s.st.entitled, e)
	}
	return 0, nil, nil
}

// checkEntitlement validates e's enums and that its user and entity exist.
func (st *state) checkEntitlement(e Entitlement) error {
	if !slices.Contains(entitlementTypes, e.EntityType) {
		return fail(errInvalidRequest, "entityType must be one of %v", entitlementTypes)
	}
	if !slices.Contains(entitlementRoles, e.UserRole) {
		return fail(errInvalidRequest, "userRole must be one of %v", entitlementRoles)
	}
	if _, err := st.user(e.UserIdentifier); err != nil {
		return err
	}
	switch e.EntityType {
	case "GROUP":
		_, err := st.group(e.EntityIdentifier)
		return err
	case "COURSE":
		_, err := st.channel(e.EntityIdentifier)
		return err
	}
	return nil
}

// removeEntitlement serves DELETE /api/v2/users/entitlements: 200 even when
// nothing existed.
func (s *Sim) removeEntitlement(r *http.Request) (int, any, error) {
	var e Entitlement
	if err := decodeBody(r, &e); err != nil {
		return 0, nil, err
	}
	s.st.entitled = slices.DeleteFunc(s.st.entitled, func(x Entitlement) bool { return x == e })
	return 0, nil, nil
}
