package enabley

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// The endpoints' operation names, as the budget and metrics transports see
// them (and as the simulator's Endpoint names them).
const (
	opToken                = "POST /api/v1/token"
	opListUsersV3          = "GET /api/v3/users"
	opListUsersV2          = "GET /api/v2/users"
	opGetUser              = "GET /api/v2/users/{id}"
	opPutUser              = "PUT /api/v2/users"
	opSetUserStatus        = "PUT /api/v2/users/{id}"
	opDeleteUser           = "DELETE /api/v2/users/{id}"
	opRenameUser           = "PUT /api/v2/users/identityManagement"
	opUserGroups           = "GET /api/v1/users/{id}/groups"
	opHierarchy            = "GET /api/v1/groups/hierarchy"
	opListGroups           = "GET /api/v1/groups/list"
	opGetGroup             = "GET /api/v1/groups/{id}"
	opPutGroup             = "PUT /api/v1/groups"
	opDeleteGroup          = "DELETE /api/v1/groups/{id}"
	opAddGroupUser         = "POST /api/v1/groups/{group}/users/{user}"
	opRemoveGroupUser      = "DELETE /api/v1/groups/{group}/users/{user}"
	opListChannelsV3       = "GET /api/v3/channels"
	opListChannelsV1       = "GET /api/v1/channels"
	opAssignChannelUser    = "POST /api/v2/channels/{channel}/users/{user}"
	opUnassignChannelUser  = "DELETE /api/v1/channels/{channel}/users/{user}"
	opAssignChannelGroup   = "POST /api/v1/channels/{channel}/groups/{group}"
	opUnassignChannelGroup = "DELETE /api/v1/channels/{channel}/groups/{group}"
	opPerformance          = "GET /api/v2/performance"
)

// v2PageLimit is the documented maximum of GET /api/v2/users?limit.
const v2PageLimit = 200

// fetch sends c and decodes a 2xx answer; an unreadable answer is Transient.
func fetch[T any](ctx context.Context, w *wire, c call, decode func([]byte) (T, error)) (T, error) {
	b, err := w.do(ctx, c)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := decode(b)
	if err != nil {
		return v, malformed(c.op, err)
	}
	return v, nil
}

// exec sends c and ignores the answer's body.
func (w *wire) exec(ctx context.Context, c call) error {
	_, err := w.do(ctx, c)
	return err
}

// seg escapes one path segment.
func seg(s string) string { return url.PathEscape(s) }

// withKey returns q plus the paginationKey, when there is one.
func withKey(q url.Values, key string) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	if key != "" {
		out.Set("paginationKey", key)
	}
	return out
}

func (w *wire) listUsersV3(ctx context.Context, filter url.Values, key string) (page[userInfo], error) {
	c := call{op: opListUsersV3, method: http.MethodGet, path: "/api/v3/users", query: withKey(filter, key)}
	return fetch(ctx, w, c, decodeUserPage)
}

func (w *wire) listUsersV2(ctx context.Context, filter url.Values, start int) ([]userInfo, error) {
	q := withKey(filter, "")
	q.Set("limit", strconv.Itoa(v2PageLimit))
	q.Set("start", strconv.Itoa(start))
	return fetch(ctx, w, call{op: opListUsersV2, method: http.MethodGet, path: "/api/v2/users", query: q}, decodeUsers)
}

func (w *wire) getUser(ctx context.Context, id string) (userInfo, error) {
	c := call{op: opGetUser, method: http.MethodGet, path: "/api/v2/users/" + seg(id)}
	return fetch(ctx, w, c, decodeUser)
}

// putUser creates or updates the user d.Identifier. It returns the user the
// answer describes, or nil when the answer has no readable UserInfo (the
// document gives no schema).
func (w *wire) putUser(ctx context.Context, d userData) (*userInfo, error) {
	b, err := w.do(ctx, call{op: opPutUser, method: http.MethodPut, path: "/api/v2/users", body: d})
	if err != nil {
		return nil, err
	}
	if info, err := decodeUser(b); err == nil && info.Identifier == d.Identifier {
		return &info, nil
	}
	return nil, nil
}

func (w *wire) setUserActive(ctx context.Context, id string, active bool) error {
	return w.exec(ctx, call{op: opSetUserStatus, method: http.MethodPut, path: "/api/v2/users/" + seg(id),
		query: url.Values{"isActive": {strconv.FormatBool(active)}}})
}

func (w *wire) deleteUser(ctx context.Context, id string) error {
	return w.exec(ctx, call{op: opDeleteUser, method: http.MethodDelete, path: "/api/v2/users/" + seg(id)})
}

func (w *wire) renameUser(ctx context.Context, from, to string) error {
	return w.exec(ctx, call{op: opRenameUser, method: http.MethodPut, path: "/api/v2/users/identityManagement",
		body: userIdentity{CurrentUserIdentifier: from, NewUserIdentifier: to}})
}

func (w *wire) userGroups(ctx context.Context, id string) ([]groupInfo, error) {
	c := call{op: opUserGroups, method: http.MethodGet, path: "/api/v1/users/" + seg(id) + "/groups"}
	return fetch(ctx, w, c, decodeGroups)
}

func (w *wire) hierarchy(ctx context.Context) ([]string, error) {
	c := call{op: opHierarchy, method: http.MethodGet, path: "/api/v1/groups/hierarchy"}
	return fetch(ctx, w, c, decodeHierarchy)
}

func (w *wire) listGroups(ctx context.Context, sub string) ([]groupInfo, error) {
	c := call{op: opListGroups, method: http.MethodGet, path: "/api/v1/groups/list", query: subAccount(sub)}
	return fetch(ctx, w, c, decodeGroups)
}

func (w *wire) getGroup(ctx context.Context, id string) (groupInfo, error) {
	c := call{op: opGetGroup, method: http.MethodGet, path: "/api/v1/groups/" + seg(id)}
	return fetch(ctx, w, c, decodeGroup)
}

func (w *wire) putGroup(ctx context.Context, d groupData) error {
	return w.exec(ctx, call{op: opPutGroup, method: http.MethodPut, path: "/api/v1/groups", body: d})
}

func (w *wire) deleteGroup(ctx context.Context, id string) error {
	return w.exec(ctx, call{op: opDeleteGroup, method: http.MethodDelete, path: "/api/v1/groups/" + seg(id)})
}

// addGroupUser adds user to group with replace=false: the user keeps its
// other groups.
func (w *wire) addGroupUser(ctx context.Context, group, user string) error {
	return w.exec(ctx, call{op: opAddGroupUser, method: http.MethodPost,
		path: "/api/v1/groups/" + seg(group) + "/users/" + seg(user), query: url.Values{"replace": {"false"}}})
}

func (w *wire) removeGroupUser(ctx context.Context, group, user string) error {
	return w.exec(ctx, call{op: opRemoveGroupUser, method: http.MethodDelete,
		path: "/api/v1/groups/" + seg(group) + "/users/" + seg(user)})
}

func (w *wire) listChannelsV3(ctx context.Context, key string) (page[channelInfo], error) {
	c := call{op: opListChannelsV3, method: http.MethodGet, path: "/api/v3/channels", query: withKey(nil, key)}
	return fetch(ctx, w, c, decodeChannelPage)
}

func (w *wire) listChannelsV1(ctx context.Context) ([]channelInfo, error) {
	return fetch(ctx, w, call{op: opListChannelsV1, method: http.MethodGet, path: "/api/v1/channels"}, decodeChannels)
}

func (w *wire) assignChannelUser(ctx context.Context, channel, user, role string) error {
	return w.exec(ctx, call{op: opAssignChannelUser, method: http.MethodPost,
		path: "/api/v2/channels/" + seg(channel) + "/users/" + seg(user), query: url.Values{"roles": {role}}})
}

func (w *wire) unassignChannelUser(ctx context.Context, channel, user string) error {
	return w.exec(ctx, call{op: opUnassignChannelUser, method: http.MethodDelete,
		path: "/api/v1/channels/" + seg(channel) + "/users/" + seg(user)})
}

// assignChannelGroup assigns the group's own members (recursive=false) as learners.
func (w *wire) assignChannelGroup(ctx context.Context, channel, group string) error {
	return w.exec(ctx, call{op: opAssignChannelGroup, method: http.MethodPost,
		path:  "/api/v1/channels/" + seg(channel) + "/groups/" + seg(group),
		query: url.Values{"recursive": {"false"}, "userRole": {"LEARNER"}}})
}

func (w *wire) unassignChannelGroup(ctx context.Context, channel, group string) error {
	return w.exec(ctx, call{op: opUnassignChannelGroup, method: http.MethodDelete,
		path: "/api/v1/channels/" + seg(channel) + "/groups/" + seg(group)})
}

// performance reads one page of GET /api/v2/performance for channel and/or user.
func (w *wire) performance(ctx context.Context, channel, user, key string) (page[performanceItem], error) {
	q := url.Values{}
	if channel != "" {
		q.Set("channelIdentifier", channel)
	}
	if user != "" {
		q.Set("userIdentifier", user)
	}
	c := call{op: opPerformance, method: http.MethodGet, path: "/api/v2/performance", query: withKey(q, key)}
	return fetch(ctx, w, c, decodePerformancePage)
}

// subAccount is the subAccountName query, or none.
func subAccount(sub string) url.Values {
	if sub == "" {
		return nil
	}
	return url.Values{"subAccountName": {sub}}
}
