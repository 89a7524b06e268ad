package exceed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// The operations, as named to the budget and metrics transports and in errors.
const (
	opListUsers    = "GET /api/v2/users"
	opCreateUser   = "POST /api/v2/users"
	opUpdateUser   = "PUT /api/v2/users/{id}"
	opUpdateByCode = "PUT /api/v2/users"
	opDeleteUser   = "DELETE /api/v2/users/{id}"
)

// maxResponse bounds the response bodies read (a page of 1,000 users is
// about 2 MB with every attribute): a longer one is a Transient error,
// never cut short.
const maxResponse = 32 << 20

// userFields is the fields= list of every list call: what the adapter reads.
const userFields = "id,code,email,first_name,last_name,login,is_active," +
	"custom_a,custom_b,custom_c,custom_d,custom_e,custom_f,custom_g,custom_h,custom_i,custom_j," +
	"custom_k,custom_l,custom_m,custom_n,custom_o,custom_p,custom_q,custom_r,custom_s,custom_t,custom_u"

// wireClient speaks HTTP to the Exceed API: api_key in the query string,
// data as JSON bodies, answers classified into *lms.Error.
type wireClient struct {
	base   *url.URL
	apiKey string
	http   *http.Client
	// maxResponse bounds the answers read: maxResponse, or less in tests.
	maxResponse int64
}

// The wire client serves the user adapter through its narrow interface.
var _ usersAPI = (*wireClient)(nil)

// A request is one call to the API.
type request struct {
	// op is the operation's name (opListUsers, ...).
	op     string
	method string
	// path is relative to the base URL's path, as segments ("users", "5").
	path []string
	// query holds parameters other than api_key.
	query url.Values
	// body, when not nil, is sent as JSON.
	body any
	// secret, when set, is redacted from error messages with the api_key
	// (the password of a create).
	secret string
}

// listUsers reads one page of users with the given fields and filters
// (query parameters such as user[code]); a user that cannot be read fails
// the page.
func (w *wireClient) listUsers(ctx context.Context, page int, fields string, filters url.Values) ([]userDTO, error) {
	raw, err := w.listUserRecords(ctx, page, fields, filters)
	if err != nil {
		return nil, err
	}
	users, err := decodeAll(raw)
	if err != nil {
		return nil, w.malformed(opListUsers, "", err)
	}
	return users, nil
}

// listUserRecords reads one page of users as records the caller decodes
// one by one.
func (w *wireClient) listUserRecords(ctx context.Context, page int, fields string, filters url.Values) ([]json.RawMessage, error) {
	q := url.Values{"page": {strconv.Itoa(page)}, "fields": {fields}}
	for k, v := range filters {
		q[k] = v
	}
	rep, err := w.do(ctx, request{op: opListUsers, method: http.MethodGet, path: []string{"users"}, query: q})
	if err != nil {
		return nil, err
	}
	raw, err := decodeRecords(rep.body)
	if err != nil {
		return nil, w.malformed(opListUsers, "", err)
	}
	return raw, nil
}

// createUser creates a user from the user[...] attributes and decodes the
// user answered. password is the attributes' password, kept out of errors.
func (w *wireClient) createUser(ctx context.Context, attrs map[string]any, password string) (userDTO, error) {
	rep, err := w.do(ctx, request{op: opCreateUser, method: http.MethodPost, path: []string{"users"},
		body: userBody{User: attrs}, secret: password})
	if err != nil {
		return userDTO{}, err
	}
	u, err := decodeUser(rep.body, rep.xml)
	if err != nil {
		return userDTO{}, w.malformed(opCreateUser, password, err)
	}
	return u, nil
}

// updateUser writes the user[...] attributes to the user with the id.
func (w *wireClient) updateUser(ctx context.Context, id string, attrs map[string]any) error {
	_, err := w.do(ctx, request{op: opUpdateUser, method: http.MethodPut, path: []string{"users", id},
		body: userBody{User: attrs}})
	return err
}

// updateUserByCode writes the user[...] attributes to the user with the
// code, as the document allows (PUT /users with user[code]).
func (w *wireClient) updateUserByCode(ctx context.Context, code string, attrs map[string]any) error {
	withCode := map[string]any{"code": code}
	for k, v := range attrs {
		withCode[k] = v
	}
	_, err := w.do(ctx, request{op: opUpdateByCode, method: http.MethodPut, path: []string{"users"},
		body: userBody{User: withCode}})
	return err
}

// deleteUser deletes the user with the id.
func (w *wireClient) deleteUser(ctx context.Context, id string) error {
	_, err := w.do(ctx, request{op: opDeleteUser, method: http.MethodDelete, path: []string{"users", id}})
	return err
}

// A reply is the body of a 2xx answer, and whether it is XML.
type reply struct {
	body []byte
	xml  bool
}

// do sends r and returns the 2xx answer, or a classified error that never
// carries the api_key.
func (w *wireClient) do(ctx context.Context, r request) (reply, error) {
	req, err := w.newRequest(ctx, r)
	if err != nil {
		return reply{}, err
	}
	resp, err := w.http.Do(req)
	if err != nil {
		return reply{}, w.transportError(ctx, r, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := lms.ReadAnswer(resp.Body, w.maxResponse, opName(r.op))
	if err != nil {
		return reply{}, err
	}
	asXML := isXML(resp.Header.Get("Content-Type"), body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return reply{}, w.statusError(r, resp, body, asXML)
	}
	return reply{body: body, xml: asXML}, nil
}

// newRequest builds the HTTP request of r, its context naming the operation.
func (w *wireClient) newRequest(ctx context.Context, r request) (*http.Request, error) {
	u := w.base.JoinPath(r.path...)
	q := url.Values{}
	for k, v := range r.query {
		q[k] = v
	}
	q.Set("api_key", w.apiKey)
	u.RawQuery = q.Encode()
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("%s: encode request: %w", opName(r.op), err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(lms.WithOperation(ctx, r.op), r.method, u.String(), body)
	if err != nil {
		return nil, lms.NewError(lms.KindInvalidRequest, opName(r.op), "", w.safe("cannot build the request: "+err.Error(), r.secret))
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// transportError classifies an error of http.Client.Do. An *lms.Error (the
// budget transport's RateLimited) is wrapped as it is; anything else is
// Transient. The *url.Error around it is dropped: its text holds the full
// URL, api_key included.
func (w *wireClient) transportError(ctx context.Context, r request, err error) error {
	var lerr *lms.Error
	if errors.As(err, &lerr) {
		return fmt.Errorf("%s: %w", opName(r.op), lerr)
	}
	if cerr := ctx.Err(); cerr != nil {
		return &lms.Error{Kind: lms.KindTransient, Op: opName(r.op), Message: "request abandoned: " + cerr.Error(), Err: cerr}
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return &lms.Error{Kind: lms.KindTransient, Op: opName(r.op), Message: w.safe("request failed: "+err.Error(), r.secret)}
}

// opName is an operation's name in errors.
func opName(op string) string { return "exceed " + op }

// malformed classifies an undecodable 2xx answer: Transient.
func (w *wireClient) malformed(op, secret string, err error) error {
	return &lms.Error{Kind: lms.KindTransient, Op: opName(op), Message: w.safe("malformed response: "+err.Error(), secret)}
}
