package eleap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// maxRetryAfter caps a Retry-After in seconds (a day) against absurd values.
const maxRetryAfter = 24 * 60 * 60

// maxAnswer bounds the size of an answer read (users/ lists every user).
const maxAnswer = 64 << 20

// The wire client's own messages (vendor messages are passed on as sent).
const (
	msgMalformed    = "eLeaP sent an answer that is not the documented JSON"
	msgNoEnvelope   = "eLeaP's answer has no \"response\" object"
	msgOddStatus    = "eLeaP's answer has status %q, neither success nor fail"
	msgServerStatus = "eLeaP answered HTTP %d"
	msgRateLimited  = "eLeaP's hourly request limit is reached"
	msgUnknownCode  = "eLeaP failed with an undocumented code"
	msgRedacted     = "[redacted]"
)

// The eLeaP fail codes (document v2, "Error codes").
const (
	codeMissingToken = 401
	codeInvalidToken = 4011
	codeForbidden    = 403
	codeInvalidCall  = 404
	codeCustom       = 4040
	codeNoData       = 4041
)

// apiClient is the wire client: every call is a form-encoded POST to
// BaseURL + "/" + endpoint with api_token in the body, never in the URL.
type apiClient struct {
	baseURL string
	token   string
	http    *http.Client
	now     func() time.Time
}

// answer is an HTTP answer read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// call sends args to endpoint (such as "users/add") and decodes a success
// answer into out (nil: only check the envelope).
func (c *apiClient) call(ctx context.Context, endpoint string, args url.Values, out any) error {
	ctx = lms.WithOperation(ctx, endpoint)
	a, err := c.send(ctx, endpoint, args)
	if err != nil {
		return err
	}
	return c.scrub(decodeResponse(endpoint, a, c.now(), out))
}

// send posts the form and reads the answer.
func (c *apiClient) send(ctx context.Context, endpoint string, args url.Values) (answer, error) {
	form := url.Values{}
	for k, v := range args {
		form[k] = v
	}
	form.Set("api_token", c.token)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/"+endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return answer{}, &lms.Error{Kind: lms.KindInvalidRequest, Op: opName(endpoint), Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, doError(endpoint, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return answer{}, &lms.Error{Kind: lms.KindTransient, Op: opName(endpoint), Err: fmt.Errorf("read answer: %w", err)}
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// doError classifies an error of http.Client.Do: an *lms.Error inside (the
// budget transport's RateLimited) keeps its kind; anything else is Transient.
func doError(endpoint string, err error) error {
	var le *lms.Error
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", opName(endpoint), err)
	}
	return &lms.Error{Kind: lms.KindTransient, Op: opName(endpoint), Err: err}
}

// scrub removes the token from a vendor message, should eLeaP ever echo it.
func (c *apiClient) scrub(err error) error {
	var le *lms.Error
	if c.token != "" && errors.As(err, &le) {
		le.Message = strings.ReplaceAll(le.Message, c.token, msgRedacted)
	}
	return err
}

// opName is the lms.Error Op of an endpoint: "eleap users/add".
func opName(endpoint string) string { return "eleap " + endpoint }

// decodeResponse turns an answer into nil (success, decoded into out) or a
// classified *lms.Error. Failures are read from the body as well as from the
// HTTP status, since eLeaP sends them with HTTP 200 too.
func decodeResponse(endpoint string, a answer, now time.Time, out any) error {
	op := opName(endpoint)
	switch {
	case a.status == http.StatusTooManyRequests:
		return rateLimited(op, "", "", a.header.Get("Retry-After"), now)
	case a.status >= 500:
		return &lms.Error{Kind: lms.KindTransient, Op: op, Code: strconv.Itoa(a.status), Message: fmt.Sprintf(msgServerStatus, a.status)}
	}
	var env envelope
	if err := json.Unmarshal(a.body, &env); err != nil || env.Response == nil {
		return undecodable(op, a, err, now)
	}
	r := env.Response
	if r.Status == "fail" || a.status >= 400 {
		return failure(op, a, r, now)
	}
	if r.Status != "success" {
		return &lms.Error{Kind: lms.KindTransient, Op: op, Message: fmt.Sprintf(msgOddStatus, r.Status)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(a.body, out); err != nil {
		return &lms.Error{Kind: lms.KindTransient, Op: op, Message: msgMalformed, Err: err}
	}
	return nil
}

// undecodable classifies an answer without a JSON envelope: by its HTTP
// status when that is an error, else as a malformed (Transient) answer.
func undecodable(op string, a answer, err error, now time.Time) error {
	if a.status >= 400 {
		return classify(op, a.status, http.StatusText(a.status), a, now)
	}
	if err == nil {
		return &lms.Error{Kind: lms.KindTransient, Op: op, Message: msgNoEnvelope}
	}
	return &lms.Error{Kind: lms.KindTransient, Op: op, Message: msgMalformed, Err: err}
}

// failure classifies a fail envelope by its code, or by the HTTP status
// when the body carries no numeric code.
func failure(op string, a answer, r *status, now time.Time) error {
	code, err := strconv.Atoi(strings.TrimSpace(string(r.Code)))
	if err != nil || code == 0 || code == http.StatusOK {
		code = a.status
	}
	return classify(op, code, string(r.Message), a, now)
}

// classify maps an eLeaP code (or HTTP status) to an *lms.Error.
func classify(op string, code int, message string, a answer, now time.Time) error {
	kind := lms.KindTransient
	switch code {
	case codeMissingToken, codeInvalidToken:
		kind = lms.KindInvalidCredentials
	case codeForbidden:
		kind = lms.KindForbidden
	case codeInvalidCall, codeNoData:
		kind = lms.KindNotFound
	case codeCustom, http.StatusBadRequest, http.StatusUnprocessableEntity:
		kind = lms.KindInvalidRequest
		if alreadyDone(message) {
			kind = lms.KindAlreadyExists
		}
	case http.StatusTooManyRequests:
		return rateLimited(op, strconv.Itoa(code), message, a.header.Get("Retry-After"), now)
	default:
		message = strings.TrimSpace(msgUnknownCode + ": " + message)
	}
	return &lms.Error{Kind: kind, Op: op, Code: strconv.Itoa(code), Message: message}
}

// alreadyDone recognises eLeaP's 4040 messages that say the object exists
// or the assignment is made already ("... already exists", "already assigned").
func alreadyDone(message string) bool {
	m := strings.ToLower(message)
	if strings.Contains(m, "duplicate") {
		return true
	}
	if !strings.Contains(m, "already") {
		return false
	}
	for _, w := range []string{"exist", "registered", "in use", "taken", "assigned", "member"} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// rateLimited is the error of an HTTP 429.
func rateLimited(op, code, message, retryAfter string, now time.Time) error {
	if code == "" {
		code = strconv.Itoa(http.StatusTooManyRequests)
	}
	if message == "" {
		message = msgRateLimited
	}
	d, _ := parseRetryAfter(retryAfter, now)
	return &lms.Error{Kind: lms.KindRateLimited, Op: op, Code: code, Message: message, RetryAfter: d}
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date
// (a date in the past is no delay). It reports false when there is none.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(min(n, maxRetryAfter)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil || now.IsZero() {
		return 0, false
	}
	return min(max(t.Sub(now), 0), maxRetryAfter*time.Second), true
}

// isNoData reports whether err is eLeaP's 4041 "Requested item(s) not
// found": the answer eLeaP gives for an empty list or a missing item. A 404
// (a wrong URL) is not.
func isNoData(err error) bool {
	var le *lms.Error
	return errors.As(err, &le) && le.Kind == lms.KindNotFound && le.Code == strconv.Itoa(codeNoData)
}
