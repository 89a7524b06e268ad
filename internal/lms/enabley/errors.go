package enabley

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// The document's ErrorResponse error values.
const (
	codeInvalidRequest     = "invalid_request"
	codeInvalidClient      = "invalid_client"
	codeNotFound           = "not_found"
	codeAccessDenied       = "access_denied"
	codeGeneralError       = "general_error"
	codeItemExists         = "item_exists"
	codeItemNotExists      = "item_not_exists"
	codeServiceUnavailable = "service_unavailable"
)

// kindOfCode maps the document's error values onto error kinds.
var kindOfCode = map[string]lms.ErrorKind{
	codeInvalidRequest:     lms.KindInvalidRequest,
	codeInvalidClient:      lms.KindInvalidCredentials,
	codeNotFound:           lms.KindNotFound,
	codeAccessDenied:       lms.KindForbidden,
	codeGeneralError:       lms.KindTransient,
	codeItemExists:         lms.KindAlreadyExists,
	codeItemNotExists:      lms.KindNotFound,
	codeServiceUnavailable: lms.KindTransient,
}

// kindOfStatus classifies an HTTP status when the body names no known error.
func kindOfStatus(status int) lms.ErrorKind {
	switch {
	case status == http.StatusUnauthorized:
		return lms.KindInvalidCredentials
	case status == http.StatusForbidden:
		return lms.KindForbidden
	case status == http.StatusNotFound:
		return lms.KindNotFound
	case status == http.StatusConflict:
		return lms.KindAlreadyExists
	case status == http.StatusTooManyRequests:
		return lms.KindRateLimited
	case status >= 400 && status < 500 && status != http.StatusRequestTimeout:
		return lms.KindInvalidRequest
	}
	return lms.KindTransient
}

// opName is the lms.Error Op of an endpoint.
func opName(op string) string { return "enabley " + op }

// httpError classifies a non-2xx answer. The vendor's error value wins over
// the HTTP status, except for 429, which is always RateLimited.
func httpError(op string, status int, header http.Header, body []byte, now time.Time, redact func(string) string) *lms.Error {
	er, _ := decodeError(body)
	kind, known := kindOfCode[er.Error]
	if !known || status == http.StatusTooManyRequests {
		kind = kindOfStatus(status)
	}
	code := er.Error
	if code == "" {
		code = strconv.Itoa(status)
	}
	msg := redact(er.Description)
	if msg == "" {
		msg = fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
	}
	e := &lms.Error{Kind: kind, Op: opName(op), Code: code, Message: msg}
	if kind == lms.KindRateLimited {
		e.RetryAfter, _ = lms.ParseRetryAfter(header.Get("Retry-After"), now)
	}
	return e
}

// transportError classifies a failure of HTTPClient.Do. An *lms.Error (the
// budget transport's RateLimited) is returned wrapped; anything else is
// Transient, stripped of the *url.Error, whose text holds the request URL.
func transportError(op string, err error, redact func(string) string) error {
	var le *lms.Error
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", opName(op), le)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if s := err.Error(); redact(s) != s {
		err = errors.New(redact(s))
	}
	return &lms.Error{Kind: lms.KindTransient, Op: opName(op), Err: err}
}

// malformed reports an answer that could not be read as Transient.
func malformed(op string, err error) *lms.Error {
	return &lms.Error{Kind: lms.KindTransient, Op: opName(op), Message: lms.SafeMessage("malformed answer: " + err.Error()), Err: err}
}

// taken names, in its Message, the field of an item_exists answer to
// PUT /api/v2/users: the username or email another user holds
// (lms.TakenMessage), so that the controller can report the clash.
func taken(err error) error {
	var e *lms.Error
	if errors.As(err, &e) && e.Kind == lms.KindAlreadyExists {
		e.Message = lms.TakenMessage(lms.TakenFields(e.Message, "username or email", "username", "email"), e.Message)
	}
	return err
}

// isMissing reports whether err is item_not_exists: the object (or the
// membership, the assignment) is not there. A not_found (an unknown route,
// an expired paginationKey) is not.
func isMissing(err error) bool {
	var e *lms.Error
	return errors.As(err, &e) && e.Kind == lms.KindNotFound && e.Code == codeItemNotExists
}

// ignoreMissing returns nil for item_not_exists, err otherwise: deleting or
// unassigning what is not there succeeds; a call to a wrong URL does not.
func ignoreMissing(err error) error {
	if isMissing(err) {
		return nil
	}
	return err
}

// redactor returns a function that makes a message safe to carry
// (lms.SafeMessage): bounded, and without the secrets, read when it is
// called, or a credential in a URL query.
func redactor(secrets ...func() string) func(string) string {
	return func(s string) string {
		vals := make([]string, 0, len(secrets))
		for _, get := range secrets {
			vals = append(vals, get())
		}
		return lms.SafeMessage(s, vals...)
	}
}
