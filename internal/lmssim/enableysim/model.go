package enableysim

import (
	"encoding/json"
	"slices"
	"time"
)

// A User is a simulated Enabley user, in the shape of the document's UserInfo.
type User struct {
	// Identifier is the caller-chosen unique id.
	Identifier string `json:"identifier"`
	Email      string `json:"email,omitempty"`
	FirstName  string `json:"firstName,omitempty"`
	LastName   string `json:"lastName,omitempty"`
	Username   string `json:"username,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Address    string `json:"address,omitempty"`
	// PossibleRoles are values such as LEARNER, INSTRUCTOR, MANAGER.
	PossibleRoles []string `json:"possibleRoles,omitempty"`
	IsActive      bool     `json:"isActive"`
	// SubAccountNames are the sub-accounts the user belongs to.
	SubAccountNames []string `json:"userSubAccountNames,omitempty"`
	// CustomAttributes are free-form attributes.
	CustomAttributes map[string]any `json:"customAttributes,omitempty"`
	Created          time.Time      `json:"created"`
	Modified         time.Time      `json:"modified"`
}

// UnmarshalJSON implements json.Unmarshaler; isActive defaults to true.
func (u *User) UnmarshalJSON(b []byte) error {
	type plain User
	p := plain{IsActive: true}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*u = User(p)
	return nil
}

// A UserPatch changes some fields of a user; nil fields are left alone. It is
// the body of the admin PATCH /users/{id} and the updatable part of the
// document's UserData (the body of PUT /api/v2/users).
type UserPatch struct {
	Email            *string        `json:"email,omitempty"`
	FirstName        *string        `json:"firstName,omitempty"`
	LastName         *string        `json:"lastName,omitempty"`
	Username         *string        `json:"username,omitempty"`
	Phone            *string        `json:"phone,omitempty"`
	Address          *string        `json:"address,omitempty"`
	PossibleRoles    []string       `json:"possibleRoles,omitempty"`
	IsActive         *bool          `json:"isActive,omitempty"`
	CustomAttributes map[string]any `json:"customAttributes,omitempty"`
}

// apply writes the non-nil fields of p to u.
func (p UserPatch) apply(u *User) {
	setString(&u.Email, p.Email)
	setString(&u.FirstName, p.FirstName)
	setString(&u.LastName, p.LastName)
	setString(&u.Username, p.Username)
	setString(&u.Phone, p.Phone)
	setString(&u.Address, p.Address)
	if p.PossibleRoles != nil {
		u.PossibleRoles = slices.Clone(p.PossibleRoles)
	}
	if p.IsActive != nil {
		u.IsActive = *p.IsActive
	}
	if p.CustomAttributes != nil {
		u.CustomAttributes = cloneMap(p.CustomAttributes)
	}
}

func setString(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// A Group is a simulated Enabley group, in the shape of the document's GroupInfo.
type Group struct {
	Identifier string `json:"identifier"`
	Name       string `json:"name"`
	// Type is a name from the group hierarchy.
	Type string `json:"type"`
	// ParentIdentifier is the parent group's identifier; empty for a root.
	ParentIdentifier string `json:"parentIdentifier,omitempty"`
	SubAccountName   string `json:"subAccountName,omitempty"`
	// Members are the identifiers of the group's users (simulator state; the
	// API has no members list).
	Members  []string  `json:"members,omitempty"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

// A ChannelGroup is a group assigned to a channel.
type ChannelGroup struct {
	Group string `json:"group"`
	// Recursive also assigns the group's descendants.
	Recursive bool `json:"recursive,omitempty"`
}

// A Channel is a simulated Enabley channel (course), in the shape of the
// document's ChannelInfo, with its assignments.
type Channel struct {
	Identifier string `json:"identifier"`
	Name       string `json:"name"`
	// Type is COURSE (default) or STREAM.
	Type           string   `json:"type,omitempty"`
	SubAccountName string   `json:"subAccountName,omitempty"`
	Categories     []string `json:"categories,omitempty"`
	// Status is the availability status (default ACTIVE).
	Status  string    `json:"status,omitempty"`
	Created time.Time `json:"created"`
	// Users maps a directly assigned user's identifier to its roles
	// (LEARNER, INSTRUCTOR).
	Users map[string][]string `json:"users,omitempty"`
	// Groups are the groups assigned to the channel.
	Groups []ChannelGroup `json:"groups,omitempty"`
}

// A Completion is a user's progress in a channel.
type Completion struct {
	User    string `json:"user"`
	Channel string `json:"channel"`
	// Percent is 0 to 100; 100 sets CompletedAt.
	Percent int `json:"percent"`
	// Score is the total score.
	Score       int        `json:"score"`
	CompletedAt *time.Time `json:"completedAt,omitempty"`
}

// An Entitlement is a non-learner role of a user on an entity (the
// document's ExternalEntitlement).
type Entitlement struct {
	UserIdentifier   string `json:"userIdentifier"`
	EntityIdentifier string `json:"entityIdentifier"`
	// EntityType is COURSE, GROUP or WORKSPACE.
	EntityType string `json:"entityType"`
	// UserRole is MANAGER, EDITOR or INSTRUCTOR.
	UserRole string `json:"userRole"`
}

// A State is the whole simulated account, as GET /_sim/enabley/state shows it.
type State struct {
	SubAccounts    []string      `json:"subAccounts"`
	GroupHierarchy []string      `json:"groupHierarchy"`
	Users          []User        `json:"users"`
	Groups         []Group       `json:"groups"`
	Channels       []Channel     `json:"channels"`
	Completions    []Completion  `json:"completions"`
	Entitlements   []Entitlement `json:"entitlements"`
}

// progressKey identifies a user's progress in a channel.
type progressKey struct{ user, channel string }

// cursor is the position a paginationKey stands for.
type cursor struct {
	scope   string
	offset  int
	expires time.Time
}

// state is the simulator's mutable state, guarded by Sim.mu. Users, groups
// and channels keep their insertion order in the *Order slices.
type state struct {
	clients    []ClientCredential
	tokenTTL   time.Duration
	cursorTTL  time.Duration
	v3Disabled bool
	// sharedUsernames and sharedEmails lift the uniqueness of usernames and emails.
	sharedUsernames bool
	sharedEmails    bool
	pageSize        int
	subAccounts     []string
	hierarchy       []string

	users      map[string]*User
	userOrder  []string
	groups     map[string]*Group
	groupOrder []string
	members    map[string]map[string]bool // group -> user set
	channels   map[string]*Channel
	chanOrder  []string
	progress   map[progressKey]*Completion
	entitled   []Entitlement

	tokens  map[string]token
	cursors map[string]cursor
	faults  []Fault
}

// token is an issued access token.
type token struct {
	expires  time.Time
	readOnly bool
}

// newState builds the state from seed at time now.
func newState(seed Seed, now time.Time) state {
	st := state{
		clients:         slices.Clone(seed.Clients),
		tokenTTL:        time.Duration(seed.TokenTTL),
		cursorTTL:       time.Duration(seed.CursorTTL),
		v3Disabled:      seed.V3UsersDisabled,
		sharedUsernames: seed.AllowSharedUsernames,
		sharedEmails:    seed.AllowSharedEmails,
		pageSize:        seed.PageSize,
		subAccounts:     slices.Clone(seed.SubAccounts),
		hierarchy:       slices.Clone(seed.GroupHierarchy),
		users:           map[string]*User{},
		groups:          map[string]*Group{},
		members:         map[string]map[string]bool{},
		channels:        map[string]*Channel{},
		progress:        map[progressKey]*Completion{},
		tokens:          map[string]token{},
		cursors:         map[string]cursor{},
	}
	if st.tokenTTL <= 0 {
		st.tokenTTL = DefaultTokenTTL
	}
	if st.cursorTTL <= 0 {
		st.cursorTTL = DefaultCursorTTL
	}
	if st.pageSize <= 0 {
		st.pageSize = DefaultPageSize
	}
	st.seedUsers(seed.Users, now)
	st.seedGroups(seed.Groups, now)
	st.seedChannels(seed.Channels, now)
	return st
}

func (st *state) seedUsers(users []User, now time.Time) {
	for _, u := range users {
		u := cloneUser(u)
		stamp(&u.Created, now)
		stamp(&u.Modified, now)
		st.putUser(&u)
	}
}

func (st *state) seedGroups(groups []Group, now time.Time) {
	for _, g := range groups {
		g := g
		stamp(&g.Created, now)
		stamp(&g.Modified, now)
		for _, m := range g.Members {
			st.addMember(g.Identifier, m)
		}
		g.Members = nil
		st.putGroup(&g)
	}
}

func (st *state) seedChannels(channels []Channel, now time.Time) {
	for _, c := range channels {
		c := cloneChannel(c)
		stamp(&c.Created, now)
		if c.Type == "" {
			c.Type = "COURSE"
		}
		if c.Status == "" {
			c.Status = "ACTIVE"
		}
		if c.Users == nil {
			c.Users = map[string][]string{}
		}
		st.channels[c.Identifier] = &c
		st.chanOrder = append(st.chanOrder, c.Identifier)
	}
}

func stamp(t *time.Time, now time.Time) {
	if t.IsZero() {
		*t = now
	}
}

// putUser stores u, appending it to the order when new.
func (st *state) putUser(u *User) {
	if _, ok := st.users[u.Identifier]; !ok {
		st.userOrder = append(st.userOrder, u.Identifier)
	}
	st.users[u.Identifier] = u
}

// putGroup stores g, appending it to the order when new.
func (st *state) putGroup(g *Group) {
	if _, ok := st.groups[g.Identifier]; !ok {
		st.groupOrder = append(st.groupOrder, g.Identifier)
	}
	st.groups[g.Identifier] = g
}

func (st *state) addMember(group, user string) {
	if st.members[group] == nil {
		st.members[group] = map[string]bool{}
	}
	st.members[group][user] = true
}

// orderedUsers returns the users in creation order.
func (st *state) orderedUsers() []*User {
	out := make([]*User, 0, len(st.userOrder))
	for _, id := range st.userOrder {
		out = append(out, st.users[id])
	}
	return out
}

// orderedGroups returns the groups in creation order.
func (st *state) orderedGroups() []*Group {
	out := make([]*Group, 0, len(st.groupOrder))
	for _, id := range st.groupOrder {
		out = append(out, st.groups[id])
	}
	return out
}

// orderedChannels returns the channels in creation order.
func (st *state) orderedChannels() []*Channel {
	out := make([]*Channel, 0, len(st.chanOrder))
	for _, id := range st.chanOrder {
		out = append(out, st.channels[id])
	}
	return out
}

// groupMembers returns the group's members in user creation order.
func (st *state) groupMembers(group string) []string {
	var out []string
	for _, id := range st.userOrder {
		if st.members[group][id] {
			out = append(out, id)
		}
	}
	return out
}

// snapshot copies the whole state out.
func (st *state) snapshot() State {
	out := State{
		SubAccounts:    slices.Clone(st.subAccounts),
		GroupHierarchy: slices.Clone(st.hierarchy),
		Users:          []User{},
		Groups:         []Group{},
		Channels:       []Channel{},
		Completions:    st.completions(),
		Entitlements:   append([]Entitlement{}, st.entitled...),
	}
	for _, u := range st.orderedUsers() {
		out.Users = append(out.Users, cloneUser(*u))
	}
	for _, g := range st.orderedGroups() {
		out.Groups = append(out.Groups, st.groupCopy(g))
	}
	for _, c := range st.orderedChannels() {
		out.Channels = append(out.Channels, cloneChannel(*c))
	}
	return out
}

// groupCopy returns a copy of g with its members.
func (st *state) groupCopy(g *Group) Group {
	c := *g
	c.Members = st.groupMembers(g.Identifier)
	return c
}

// completions returns the progress records, ordered by channel then user.
func (st *state) completions() []Completion {
	out := []Completion{}
	for _, c := range st.chanOrder {
		for _, u := range st.userOrder {
			if p, ok := st.progress[progressKey{u, c}]; ok {
				out = append(out, *p)
			}
		}
	}
	return out
}

func cloneUser(u User) User {
	u.PossibleRoles = slices.Clone(u.PossibleRoles)
	u.SubAccountNames = slices.Clone(u.SubAccountNames)
	u.CustomAttributes = cloneMap(u.CustomAttributes)
	return u
}

func cloneChannel(c Channel) Channel {
	c.Categories = slices.Clone(c.Categories)
	c.Groups = slices.Clone(c.Groups)
	if c.Users != nil {
		users := make(map[string][]string, len(c.Users))
		for k, v := range c.Users {
			users[k] = slices.Clone(v)
		}
		c.Users = users
	}
	return c
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
