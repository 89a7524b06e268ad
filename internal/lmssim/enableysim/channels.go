package enableysim

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// channelRoles are the roles of POST /api/v2/channels/{channel}/users/{user}?roles=.
var channelRoles = []string{"LEARNER", "INSTRUCTOR"}

// channelInfo is the document's ChannelInfo.
type channelInfo struct {
	Availability          availability `json:"availability"`
	Categories            []string     `json:"categories,omitempty"`
	Created               string       `json:"created"`
	DirectLink            string       `json:"directLink"`
	Duration              int64        `json:"duration"`
	Identifier            string       `json:"identifier"`
	MasterChannelID       *string      `json:"masterChannelId"`
	MasterChannelInstance bool         `json:"masterChannelInstance"`
	Name                  string       `json:"name"`
	SubAccountName        string       `json:"subAccountName,omitempty"`
	Type                  string       `json:"type"`
}

// availability is the document's ChannelAvailability.
type availability struct {
	Status string `json:"status"`
}

func toChannelInfo(c *Channel, categories bool) channelInfo {
	ci := channelInfo{
		Availability:   availability{Status: c.Status},
		Created:        c.Created.UTC().Format(timeLayout),
		DirectLink:     "https://app.enabley.example/channels/" + url.PathEscape(c.Identifier),
		Identifier:     c.Identifier,
		Name:           c.Name,
		SubAccountName: c.SubAccountName,
		Type:           c.Type,
	}
	if categories {
		ci.Categories = nonNil(c.Categories)
	}
	return ci
}

// channel returns the channel id or item_not_exists.
func (st *state) channel(id string) (*Channel, error) {
	c, ok := st.channels[id]
	if !ok {
		return nil, fail(errItemNotExists, "Channel with identifier %q does not exist", id)
	}
	return c, nil
}

// filterChannels applies subAccountName, createdSince and includeCategories.
func (st *state) filterChannels(r *http.Request) ([]channelInfo, error) {
	q := r.URL.Query()
	sub := q.Get("subAccountName")
	if err := st.checkSubAccount(sub); err != nil {
		return nil, err
	}
	since, err := timeParam(q.Get("createdSince"))
	if err != nil {
		return nil, err
	}
	cats, err := boolParam(r, "includeCategories", false)
	if err != nil {
		return nil, err
	}
	out := []channelInfo{}
	for _, c := range st.orderedChannels() {
		if (sub == "" || c.SubAccountName == sub) && !c.Created.Before(since) {
			out = append(out, toChannelInfo(c, cats))
		}
	}
	return out, nil
}

// timeParam parses an optional YYYY-MM-DDTHH:mm:ss.SSSZ date.
func timeParam(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fail(errInvalidRequest, "Invalid date %q: use YYYY-MM-DDTHH:mm:ss.SSSZ", v)
	}
	return t, nil
}

// listChannelsV1 serves GET /api/v1/channels: every channel in one array.
func (s *Sim) listChannelsV1(r *http.Request) (int, any, error) {
	out, err := s.st.filterChannels(r)
	return 0, out, err
}

// listChannelsV3 serves GET /api/v3/channels, paginated.
func (s *Sim) listChannelsV3(r *http.Request) (int, any, error) {
	items, err := s.st.filterChannels(r)
	if err != nil {
		return 0, nil, err
	}
	page, err := paginate(&s.st, r, "GET /api/v3/channels", items, s.now())
	return 0, page, err
}

// getChannel serves GET /api/v1/channels/{id}[?includeCategories=].
func (s *Sim) getChannel(r *http.Request) (int, any, error) {
	c, err := s.st.channel(r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	cats, err := boolParam(r, "includeCategories", false)
	if err != nil {
		return 0, nil, err
	}
	return 0, toChannelInfo(c, cats), nil
}

// channelAndUser returns the path's channel and user, or item_not_exists.
func (st *state) channelAndUser(r *http.Request) (*Channel, *User, error) {
	c, err := st.channel(r.PathValue("channel"))
	if err != nil {
		return nil, nil, err
	}
	u, err := st.user(r.PathValue("user"))
	if err != nil {
		return nil, nil, err
	}
	return c, u, nil
}

// assignChannelUser serves POST /api/v2/channels/{channel}/users/{user}?roles=:
// roles repeat or are comma-separated (default LEARNER) and replace the
// user's roles in the channel.
func (s *Sim) assignChannelUser(r *http.Request) (int, any, error) {
	c, u, err := s.st.channelAndUser(r)
	if err != nil {
		return 0, nil, err
	}
	roles, err := rolesParam(r.URL.Query()["roles"])
	if err != nil {
		return 0, nil, err
	}
	c.Users[u.Identifier] = roles
	return 0, nil, nil
}

// rolesParam parses the roles query parameter.
func rolesParam(values []string) ([]string, error) {
	var roles []string
	for _, v := range values {
		for _, role := range strings.Split(v, ",") {
			if !slices.Contains(channelRoles, role) {
				return nil, fail(errInvalidRequest, "Unknown channel role %q; roles are %v", role, channelRoles)
			}
			if !slices.Contains(roles, role) {
				roles = append(roles, role)
			}
		}
	}
	if len(roles) == 0 {
		roles = []string{"LEARNER"}
	}
	return roles, nil
}

// unassignChannelUser serves DELETE /api/v1/channels/{channel}/users/{user}.
func (s *Sim) unassignChannelUser(r *http.Request) (int, any, error) {
	c, u, err := s.st.channelAndUser(r)
	if err != nil {
		return 0, nil, err
	}
	if _, ok := c.Users[u.Identifier]; !ok {
		return 0, nil, fail(errItemNotExists, "User %q is not assigned to channel %q", u.Identifier, c.Identifier)
	}
	delete(c.Users, u.Identifier)
	return 0, nil, nil
}

// channelAndGroup returns the path's channel and group, or item_not_exists.
func (st *state) channelAndGroup(r *http.Request) (*Channel, *Group, error) {
	c, err := st.channel(r.PathValue("channel"))
	if err != nil {
		return nil, nil, err
	}
	g, err := st.group(r.PathValue("group"))
	if err != nil {
		return nil, nil, err
	}
	return c, g, nil
}

// assignChannelGroup serves POST /api/v1/channels/{channel}/groups/{group}
// [?recursive=&userRole=LEARNER].
func (s *Sim) assignChannelGroup(r *http.Request) (int, any, error) {
	c, g, err := s.st.channelAndGroup(r)
	if err != nil {
		return 0, nil, err
	}
	recursive, err := boolParam(r, "recursive", false)
	if err != nil {
		return 0, nil, err
	}
	if role := r.URL.Query().Get("userRole"); role != "" && role != "LEARNER" {
		return 0, nil, fail(errInvalidRequest, "userRole must be LEARNER, not %q", role)
	}
	cg := ChannelGroup{Group: g.Identifier, Recursive: recursive}
	c.Groups = slices.DeleteFunc(c.Groups, func(x ChannelGroup) bool { return x.Group == g.Identifier })
	c.Groups = append(c.Groups, cg)
	return 0, nil, nil
}

// unassignChannelGroup serves DELETE /api/v1/channels/{channel}/groups/{group}.
func (s *Sim) unassignChannelGroup(r *http.Request) (int, any, error) {
	c, g, err := s.st.channelAndGroup(r)
	if err != nil {
		return 0, nil, err
	}
	n := len(c.Groups)
	c.Groups = slices.DeleteFunc(c.Groups, func(x ChannelGroup) bool { return x.Group == g.Identifier })
	if len(c.Groups) == n {
		return 0, nil, fail(errItemNotExists, "Group %q is not assigned to channel %q", g.Identifier, c.Identifier)
	}
	return 0, nil, nil
}

// membersCount is the document's ExternalChannelMembersInfoGet.
type membersCount struct {
	Learners int `json:"learners"`
}

// channelMembersCount serves GET /api/v2/channels/channels/{channel}/members/count.
func (s *Sim) channelMembersCount(r *http.Request) (int, any, error) {
	c, err := s.st.channel(r.PathValue("channel"))
	if err != nil {
		return 0, nil, err
	}
	return 0, membersCount{Learners: len(s.st.learners(c))}, nil
}

// learners returns the channel's learners in user order: users assigned as
// LEARNER and members of assigned groups (and of their descendants when the
// assignment is recursive).
func (st *state) learners(c *Channel) []string {
	in := map[string]bool{}
	for u, roles := range c.Users {
		if slices.Contains(roles, "LEARNER") {
			in[u] = true
		}
	}
	for _, cg := range c.Groups {
		for _, g := range st.groupTree(cg.Group, cg.Recursive) {
			for u := range st.members[g] {
				in[u] = true
			}
		}
	}
	var out []string
	for _, u := range st.userOrder {
		if in[u] {
			out = append(out, u)
		}
	}
	return out
}

// groupTree returns id and, when recursive, its descendants.
func (st *state) groupTree(id string, recursive bool) []string {
	out := []string{id}
	if !recursive {
		return out
	}
	for i := 0; i < len(out); i++ {
		for _, gid := range st.groupOrder {
			if st.groups[gid].ParentIdentifier == out[i] {
				out = append(out, gid)
			}
		}
	}
	return out
}

// forceComplete serves POST /api/v4/channels/forceComplete/channel/{channel}/user/{user}.
func (s *Sim) forceComplete(r *http.Request) (int, any, error) {
	c, u, err := s.st.channelAndUser(r)
	if err != nil {
		return 0, nil, err
	}
	done := Completion{User: u.Identifier, Channel: c.Identifier, Percent: 100}
	if p, ok := s.st.progress[progressKey{u.Identifier, c.Identifier}]; ok {
		done.Score = p.Score
	}
	return 0, nil, s.st.complete(done, s.now())
}
