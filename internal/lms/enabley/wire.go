package enabley

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"k8s.io/utils/clock"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// maxAnswer bounds the size of a response body.
const maxAnswer = 32 << 20

// A wire is the HTTP layer: it holds the credentials and the token, sends
// calls with a Bearer token, renews the token once on 401 and classifies
// failures as *lms.Error.
type wire struct {
	base   string
	http   *http.Client
	key    string
	secret string
	clock  clock.PassiveClock
	tokens *tokenSource
	redact func(string) string
}

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
func newWire(base string, hc *http.Client, key, secret string, clk clock.PassiveClock) *wire {
	w := &wire{base: base, http: hc, key: key, secret: secret, clock: clk}
	w.tokens = &tokenSource{clock: clk, fetch: w.fetchToken}
	w.redact = redactor(func() string { return key }, func() string { return secret }, w.tokens.current)
	return w
}

// do sends c with the current token, renewing the token and retrying once
// on 401. It returns the body of a 2xx answer.
func (w *wire) do(ctx context.Context, c call) ([]byte, error) {
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
func (w *wire) result(op string, res answer) ([]byte, error) {
	if res.status >= 200 && res.status < 300 {
		return res.body, nil
	}
	return nil, httpError(op, res.status, res.header, res.body, w.clock.Now(), w.redact)
}

// send makes one HTTP exchange. The context carries the operation name for
// the budget and metrics transports.
func (w *wire) send(ctx context.Context, c call, payload []byte, tok string) (answer, error) {
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
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return answer{}, transportError(c.op, err, w.redact)
	}
	if len(body) > maxAnswer {
		return answer{}, malformed(c.op, fmt.Errorf("answer larger than %d bytes", maxAnswer))
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// url is the full URL of c.
func (w *wire) url(c call) string {
	u := w.base + c.path
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	return u
}

// fetchToken asks POST /api/v1/token?clientKey=&secret= for a token;
// expires_in is in milliseconds. A refusal is InvalidCredentials.
func (w *wire) fetchToken(ctx context.Context) (string, time.Duration, error) {
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
