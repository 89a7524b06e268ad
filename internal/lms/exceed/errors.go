package exceed

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// statusError classifies a non-2xx answer:
//
//	401 InvalidCredentials, 403 Forbidden, 404 NotFound, 409 AlreadyExists,
//	422 InvalidRequest or AlreadyExists (see classify422), 429 RateLimited,
//	408 and 5xx (and anything else) Transient, other 4xx InvalidRequest.
//
// The message carries the vendor's reasons (JSON, or XML when asXML) when
// the body has any, else the
// status text; never the raw body. A 422 for taken values names the fields
// first (lms.TakenMessage).
func (w *wireClient) statusError(r request, resp *http.Response, body []byte, asXML bool) error {
	reasons := decodeReasons(body, asXML)
	msg := message(resp.StatusCode, reasons)
	e := &lms.Error{Kind: kindOfStatus(resp.StatusCode), Op: opName(r.op), Code: strconv.Itoa(resp.StatusCode)}
	switch resp.StatusCode {
	case http.StatusUnprocessableEntity:
		if e.Kind = classify422(reasons); e.Kind == lms.KindAlreadyExists {
			msg = lms.TakenMessage(lms.TakenFields(msg, "login, email or code", "login", "email", "code"), msg)
		}
	case http.StatusTooManyRequests:
		e.RetryAfter, _ = lms.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	e.Message = w.safe(msg, r.secret)
	return e
}

// kindOfStatus maps an HTTP status onto an error kind.
func kindOfStatus(status int) lms.ErrorKind {
	switch status {
	case http.StatusUnauthorized:
		return lms.KindInvalidCredentials
	case http.StatusForbidden:
		return lms.KindForbidden
	case http.StatusNotFound:
		return lms.KindNotFound
	case http.StatusConflict:
		return lms.KindAlreadyExists
	case http.StatusTooManyRequests:
		return lms.KindRateLimited
	case http.StatusRequestTimeout:
		return lms.KindTransient
	}
	if status >= 400 && status < 500 {
		return lms.KindInvalidRequest
	}
	return lms.KindTransient
}

// message is the error message of an answer: the reasons joined, or the
// status text.
func message(status int, reasons []string) string {
	msg := strings.Join(reasons, "; ")
	if msg == "" {
		msg = http.StatusText(status)
	}
	if status == http.StatusUnauthorized {
		msg = "Exceed refused the api_key: " + msg
	}
	return msg
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// classify422 returns AlreadyExists when every reason says a login, email
// or code is taken: creating the same user again is then a conflict the
// controller resolves by adoption (Lookup by code, then email). Any other
// 422, including one that mixes a taken value with another problem, is
// InvalidRequest: fixing the spec is needed anyway.
func classify422(reasons []string) lms.ErrorKind {
	if len(reasons) == 0 {
		return lms.KindInvalidRequest
	}
	for _, r := range reasons {
		if !isTakenReason(r) {
			return lms.KindInvalidRequest
		}
	}
	return lms.KindAlreadyExists
}

// isTakenReason reports whether a reason says a login, email or code is
// already used ("Login has already been taken").
func isTakenReason(reason string) bool {
	r := strings.ToLower(reason)
	taken := strings.Contains(r, "already been taken") || strings.Contains(r, "already exists") ||
		strings.Contains(r, "already in use") || strings.Contains(r, "is taken")
	if !taken {
		return false
	}
	for _, field := range []string{"login", "email", "code"} {
		if strings.Contains(r, field) {
			return true
		}
	}
	return false
}

// safe makes a message safe to carry (lms.SafeMessage): bounded, and
// without the api_key, the request's secret or a credential in a URL query.
func (w *wireClient) safe(s, secret string) string {
	return lms.SafeMessage(s, w.apiKey, secret)
}
