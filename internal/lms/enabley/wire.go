package enabley

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"k8s.io/utils/clock"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// maxAnswer bounds the size of a response body: a longer one is a
// Transient error, never cut short.
const maxAnswer = 32 << 20

// A wireClient is the HTTP layer: it holds the credentials and the token, sends
// calls with a Bearer token, renews the token once on 401 and classifies
// failures as *lms.Error.
type wireClient struct {
	base   string
	http   *http.Client
	key    string
	secret string
	clock  clock.PassiveClock
	tokens *tokenSource
	redact func(string) string
	// maxAnswer bounds the answers read: maxAnswer, or less in tests.
	maxAnswer int64
}

// The wire client serves every adapter through its narrow interface.
var (
	_ usersAPI       = (*wireClient)(nil)
	_ groupsAPI      = (*wireClient)(nil)
	_ enrollmentsAPI = (*wireClient)(nil)
)

// A call is one request to an endpoint.
type call struct {
	// op names the endpoint, such as "GET /api/v2/users/{id}".
	op     string
	method string
	// path is the escaped path, such as "/api/v2/users/a%2Fb".
	path  string
	query url.Values
	body  any
}

// An answer is a response read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// newWire builds the wire layer for base with the given credentials.
func newWire(base string, hc *http.Client, key, secret string, clk clock.PassiveClock) *wireClient {
	w := &wireClient{base: base, http: hc, key: key, secret: secret, clock: clk, maxAnswer: maxAnswer}
	w.tokens = &tokenSource{clock: clk, fetch: w.fetchToken}
	w.redact = redactor(func() string { return key }, func() string { return secret }, w.tokens.current)
	return w
}

// do sends c with the current token, renewing the token and retrying once
// on 401. It returns the body of a 2xx answer.
func (w *wireClient) do(ctx context.Context, c call) ([]byte, error) {
	payload, err := encodeBody(c)
	if err != nil {
		return nil, err
	}
	tok, err := w.tokens.get(ctx)
	if err != nil {
		return nil, err
	}
	res, err := w.send(ctx, c, payload, tok)
	if err == nil && res.status == http.StatusUnauthorized {
		w.tokens.invalidate(tok)
		if tok, err = w.tokens.get(ctx); err != nil {
			return nil, err
		}
		res, err = w.send(ctx, c, payload, tok)
	}
	if err != nil {
		return nil, err
	}
	return w.result(c.op, res)
}

// encodeBody marshals c's JSON body, if any.
func encodeBody(c call) ([]byte, error) {
	if c.body == nil {
		return nil, nil
	}
	b, err := json.Marshal(c.body)
	if err != nil {
		return nil, fmt.Errorf("%s: encode body: %w", opName(c.op), err)
	}
	return b, nil
}

// result returns the body of a 2xx answer, or the classified failure.
func (w *wireClient) result(op string, res answer) ([]byte, error) {
	if res.status >= 200 && res.status < 300 {
		return res.body, nil
	}
	return nil, httpError(op, res.status, res.header, res.body, w.clock.Now(), w.redact)
}

// send makes one HTTP exchange. The context carries the operation name for
// the budget and metrics transports.
func (w *wireClient) send(ctx context.Context, c call, payload []byte, tok string) (answer, error) {
	req, err := http.NewRequestWithContext(lms.WithOperation(ctx, c.op), c.method, w.url(c), bytes.NewReader(payload))
	if err != nil {
		return answer{}, transportError(c.op, err, w.redact)
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := w.http.Do(req)
	if err != nil {
		return answer{}, transportError(c.op, err, w.redact)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := lms.ReadAnswer(resp.Body, w.maxAnswer, opName(c.op))
	if err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// url is the full URL of c.
func (w *wireClient) url(c call) string {
	u := w.base + c.path
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	return u
}

// fetchToken asks POST /api/v1/token?clientKey=&secret= for a token;
// expires_in is in milliseconds. A refusal is InvalidCredentials.
func (w *wireClient) fetchToken(ctx context.Context) (string, time.Duration, error) {
	c := call{op: opToken, method: http.MethodPost, path: "/api/v1/token",
		query: url.Values{"clientKey": {w.key}, "secret": {w.secret}}}
	res, err := w.send(ctx, c, nil, "")
	if err != nil {
		return "", 0, err
	}
	if _, err := w.result(c.op, res); err != nil {
		return "", 0, credentialsRefused(err)
	}
	t, err := decodeToken(res.body)
	if err != nil {
		return "", 0, malformed(c.op, err)
	}
	return t.AccessToken, time.Duration(t.ExpiresIn) * time.Millisecond, nil
}

// credentialsRefused reclassifies a token call's 4xx refusal (invalid input,
// access denied) as InvalidCredentials: the credentials are its only input.
func credentialsRefused(err error) error {
	if e, ok := err.(*lms.Error); ok && (e.Kind == lms.KindInvalidRequest || e.Kind == lms.KindForbidden) {
		e.Kind = lms.KindInvalidCredentials
	}
	return err
}

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
func fetch[T any](ctx context.Context, w *wireClient, c call, decode func([]byte) (T, error)) (T, error) {
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
func (w *wireClient) exec(ctx context.Context, c call) error {
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

// listUsersV3 reads one page of GET /api/v3/users with the filter; its
// items are decoded one by one by the caller.
func (w *wireClient) listUsersV3(ctx context.Context, filter url.Values, key string) (page[json.RawMessage], error) {
	c := call{op: opListUsersV3, method: http.MethodGet, path: "/api/v3/users", query: withKey(filter, key)}
	return fetch(ctx, w, c, decodeUserPage)
}

// listUsersV2 reads GET /api/v2/users with the filter, v2PageLimit users
// from start, as records the caller decodes one by one.
func (w *wireClient) listUsersV2(ctx context.Context, filter url.Values, start int) ([]json.RawMessage, error) {
	q := withKey(filter, "")
	q.Set("limit", strconv.Itoa(v2PageLimit))
	q.Set("start", strconv.Itoa(start))
	return fetch(ctx, w, call{op: opListUsersV2, method: http.MethodGet, path: "/api/v2/users", query: q}, decodeUsers)
}

// getUser reads GET /api/v2/users/{id}.
func (w *wireClient) getUser(ctx context.Context, id string) (userInfo, error) {
	c := call{op: opGetUser, method: http.MethodGet, path: "/api/v2/users/" + seg(id)}
	return fetch(ctx, w, c, decodeUser)
}

// putUser creates or updates the user d.Identifier. It returns the user the
// answer describes, or nil when the answer has no readable UserInfo (the
// document gives no schema).
func (w *wireClient) putUser(ctx context.Context, d userData) (*userInfo, error) {
	b, err := w.do(ctx, call{op: opPutUser, method: http.MethodPut, path: "/api/v2/users", body: d})
	if err != nil {
		return nil, err
	}
	if info, err := decodeUser(b); err == nil && info.Identifier == d.Identifier {
		return &info, nil
	}
	return nil, nil
}

// setUserActive sends PUT /api/v2/users/{id}?isActive=.
func (w *wireClient) setUserActive(ctx context.Context, id string, active bool) error {
	return w.exec(ctx, call{op: opSetUserStatus, method: http.MethodPut, path: "/api/v2/users/" + seg(id),
		query: url.Values{"isActive": {strconv.FormatBool(active)}}})
}

// deleteUser sends DELETE /api/v2/users/{id}.
func (w *wireClient) deleteUser(ctx context.Context, id string) error {
	return w.exec(ctx, call{op: opDeleteUser, method: http.MethodDelete, path: "/api/v2/users/" + seg(id)})
}

// userGroups reads the groups of the user (GET /api/v1/users/{id}/groups).
func (w *wireClient) userGroups(ctx context.Context, id string) ([]groupInfo, error) {
	c := call{op: opUserGroups, method: http.MethodGet, path: "/api/v1/users/" + seg(id) + "/groups"}
	return fetch(ctx, w, c, decodeGroups)
}

// hierarchy reads the account's group type names (GET /api/v1/groups/hierarchy).
func (w *wireClient) hierarchy(ctx context.Context) ([]string, error) {
	c := call{op: opHierarchy, method: http.MethodGet, path: "/api/v1/groups/hierarchy"}
	return fetch(ctx, w, c, decodeHierarchy)
}

// listGroups reads the groups of the sub-account, or of the account (GET /api/v1/groups/list).
func (w *wireClient) listGroups(ctx context.Context, sub string) ([]groupInfo, error) {
	c := call{op: opListGroups, method: http.MethodGet, path: "/api/v1/groups/list", query: subAccount(sub)}
	return fetch(ctx, w, c, decodeGroups)
}

// getGroup reads GET /api/v1/groups/{id}.
func (w *wireClient) getGroup(ctx context.Context, id string) (groupInfo, error) {
	c := call{op: opGetGroup, method: http.MethodGet, path: "/api/v1/groups/" + seg(id)}
	return fetch(ctx, w, c, decodeGroup)
}

// putGroup creates or updates the group d.Identifier (PUT /api/v1/groups).
func (w *wireClient) putGroup(ctx context.Context, d groupData) error {
	return w.exec(ctx, call{op: opPutGroup, method: http.MethodPut, path: "/api/v1/groups", body: d})
}

// deleteGroup sends DELETE /api/v1/groups/{id}.
func (w *wireClient) deleteGroup(ctx context.Context, id string) error {
	return w.exec(ctx, call{op: opDeleteGroup, method: http.MethodDelete, path: "/api/v1/groups/" + seg(id)})
}

// addGroupUser adds user to group with replace=false: the user keeps its
// other groups.
func (w *wireClient) addGroupUser(ctx context.Context, group, user string) error {
	return w.exec(ctx, call{op: opAddGroupUser, method: http.MethodPost,
		path: "/api/v1/groups/" + seg(group) + "/users/" + seg(user), query: url.Values{"replace": {"false"}}})
}

// removeGroupUser removes user from group.
func (w *wireClient) removeGroupUser(ctx context.Context, group, user string) error {
	return w.exec(ctx, call{op: opRemoveGroupUser, method: http.MethodDelete,
		path: "/api/v1/groups/" + seg(group) + "/users/" + seg(user)})
}

// listChannelsV3 reads one page of GET /api/v3/channels.
func (w *wireClient) listChannelsV3(ctx context.Context, key string) (page[channelInfo], error) {
	c := call{op: opListChannelsV3, method: http.MethodGet, path: "/api/v3/channels", query: withKey(nil, key)}
	return fetch(ctx, w, c, decodeChannelPage)
}

// listChannelsV1 reads GET /api/v1/channels, for accounts without v3.
func (w *wireClient) listChannelsV1(ctx context.Context) ([]channelInfo, error) {
	return fetch(ctx, w, call{op: opListChannelsV1, method: http.MethodGet, path: "/api/v1/channels"}, decodeChannels)
}

// assignChannelUser assigns user to channel with the role (LEARNER or INSTRUCTOR).
func (w *wireClient) assignChannelUser(ctx context.Context, channel, user, role string) error {
	return w.exec(ctx, call{op: opAssignChannelUser, method: http.MethodPost,
		path: "/api/v2/channels/" + seg(channel) + "/users/" + seg(user), query: url.Values{"roles": {role}}})
}

// unassignChannelUser removes user from channel.
func (w *wireClient) unassignChannelUser(ctx context.Context, channel, user string) error {
	return w.exec(ctx, call{op: opUnassignChannelUser, method: http.MethodDelete,
		path: "/api/v1/channels/" + seg(channel) + "/users/" + seg(user)})
}

// assignChannelGroup assigns the group's own members (recursive=false) as learners.
func (w *wireClient) assignChannelGroup(ctx context.Context, channel, group string) error {
	return w.exec(ctx, call{op: opAssignChannelGroup, method: http.MethodPost,
		path:  "/api/v1/channels/" + seg(channel) + "/groups/" + seg(group),
		query: url.Values{"recursive": {"false"}, "userRole": {"LEARNER"}}})
}

// unassignChannelGroup removes group from channel.
func (w *wireClient) unassignChannelGroup(ctx context.Context, channel, group string) error {
	return w.exec(ctx, call{op: opUnassignChannelGroup, method: http.MethodDelete,
		path: "/api/v1/channels/" + seg(channel) + "/groups/" + seg(group)})
}

// performance reads one page of GET /api/v2/performance for channel and/or user.
func (w *wireClient) performance(ctx context.Context, channel, user, key string) (page[performanceItem], error) {
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

// maxPages bounds a paginated read, against a vendor that never ends it.
const maxPages = 100000

// continuePages reads the pages after first. A key that repeats, or more
// than maxPages pages, is a malformed answer.
func continuePages[T any](op string, first page[T], next func(key string) (page[T], error)) ([]T, error) {
	out := append([]T(nil), first.Items...)
	seen := map[string]bool{}
	for p := first; p.PaginationKey != nil && *p.PaginationKey != ""; {
		key := *p.PaginationKey
		if seen[key] || len(seen) >= maxPages {
			return nil, malformed(op, errors.New("pagination does not end: paginationKey repeated"))
		}
		seen[key] = true
		var err error
		if p, err = next(key); err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
	}
	return out, nil
}
