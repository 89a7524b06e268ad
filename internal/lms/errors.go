package lms

import (
	"errors"
	"fmt"
	"time"
)

// ErrorKind classifies a vendor failure so that controllers can decide whether
// to retry, wait or stop without knowing the vendor.
type ErrorKind string

// The kinds of vendor error.
const (
	// KindNotFound: the object does not exist in the LMS.
	KindNotFound ErrorKind = "NotFound"
	// KindAlreadyExists: the LMS already holds an object with the same identity key.
	KindAlreadyExists ErrorKind = "AlreadyExists"
	// KindInvalidCredentials: the credentials were refused. Terminal until the Secret changes.
	KindInvalidCredentials ErrorKind = "InvalidCredentials"
	// KindForbidden: the credentials are valid but may not do this. Terminal.
	KindForbidden ErrorKind = "Forbidden"
	// KindInvalidRequest: the vendor refused the request's content. Terminal until the spec changes;
	// Message carries the vendor's own words.
	KindInvalidRequest ErrorKind = "InvalidRequest"
	// KindUnsupported: the vendor has no API for this. Terminal.
	KindUnsupported ErrorKind = "Unsupported"
	// KindRateLimited: the vendor answered 429, or the connection's request budget has no
	// token now. RetryAfter says when to try again.
	KindRateLimited ErrorKind = "RateLimited"
	// KindTransient: 5xx, timeouts, malformed answers. Retried with backoff.
	KindTransient ErrorKind = "Transient"
)

// An Error is a classified vendor failure.
type Error struct {
	// Kind classifies the failure.
	Kind ErrorKind
	// Op names the vendor operation, such as "eleap users/add".
	Op string
	// Code is the vendor's own error code, if it gave one ("4011", "invalid_client", "422").
	Code string
	// Message is the vendor's own message, safe to show to users (never a credential).
	Message string
	// RetryAfter is how long to wait before the next call, for KindRateLimited.
	RetryAfter time.Duration
	// Err is the underlying error, if any.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	s := e.Op + ": " + string(e.Kind)
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if msg != "" {
		s += ": " + msg
	}
	if e.Kind == KindRateLimited && e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter.Round(time.Second))
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// NewError returns an Error of the given kind.
func NewError(kind ErrorKind, op, code, message string) *Error {
	return &Error{Kind: kind, Op: op, Code: code, Message: message}
}

// KindOf returns the kind of err, or "" when err is not (or does not wrap) an *Error.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// IsNotFound reports whether err says the object does not exist.
func IsNotFound(err error) bool { return KindOf(err) == KindNotFound }

// IsAlreadyExists reports whether err says the object exists already.
func IsAlreadyExists(err error) bool { return KindOf(err) == KindAlreadyExists }

// IsRateLimited reports whether err asks to wait before the next call.
func IsRateLimited(err error) bool { return KindOf(err) == KindRateLimited }

// IsTerminal reports whether retrying err without a change of spec or Secret is pointless.
func IsTerminal(err error) bool {
	switch KindOf(err) {
	case KindInvalidCredentials, KindForbidden, KindInvalidRequest, KindUnsupported:
		return true
	}
	return false
}

// RetryAfter returns how long err asks to wait, and whether it asked.
func RetryAfter(err error) (time.Duration, bool) {
	var e *Error
	if errors.As(err, &e) && e.Kind == KindRateLimited {
		return e.RetryAfter, true
	}
	return 0, false
}

// Message returns the vendor's message in err, or err's text.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	if err == nil {
		return ""
	}
	return err.Error()
}
