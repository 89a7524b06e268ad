// Package lmstest holds the checks the vendor clients' tests share: the kind
// of an error, and that no credential shows in an error in any form.
package lmstest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// IgnoreCause makes cmp.Diff compare *lms.Error values without their
// underlying error (Err), which tests cannot build.
var IgnoreCause cmp.Option = cmpopts.IgnoreFields(lms.Error{}, "Err")

// Check reports a failure, with the case's reason and cmp.Diff's report,
// unless got equals want: the assertion of a crossplane-style table test.
func Check(t testing.TB, reason, what string, want, got any, opts ...cmp.Option) {
	t.Helper()
	if diff := cmp.Diff(want, got, opts...); diff != "" {
		t.Errorf("%s\n%s: -want +got:\n%s", reason, what, diff)
	}
}

// An Answer is a vendor answer a classification test starts from.
type Answer struct {
	Status     int
	RetryAfter string
	Body       string
}

// Header is the answer's header: its Retry-After.
func (a Answer) Header() http.Header { return http.Header{"Retry-After": {a.RetryAfter}} }

// AsError returns the *lms.Error err is or wraps, or nil.
func AsError(err error) *lms.Error {
	var e *lms.Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// ExpectKind reports a failure unless err is (or wraps) an *lms.Error of kind
// want; want "" expects an error that is no *lms.Error, or none. what names
// the call in the failure, when not empty. It returns whether err had the
// kind.
func ExpectKind(t testing.TB, what string, err error, want lms.ErrorKind) bool {
	t.Helper()
	if got := lms.KindOf(err); got != want {
		if what != "" {
			what += ": "
		}
		t.Errorf("%serror %v has kind %q, want %q", what, err, got, want)
		return false
	}
	return true
}

// RequireKind is ExpectKind that stops the test on a failure.
func RequireKind(t testing.TB, what string, err error, want lms.ErrorKind) {
	t.Helper()
	if !ExpectKind(t, what, err, want) {
		t.FailNow()
	}
}

// ExpectNoSecret reports a failure when err, formatted with %v, %+v or %#v,
// or any error it wraps, holds one of the secrets as it is, query-escaped
// or path-escaped. Secrets shorter than 4 characters are not looked for.
func ExpectNoSecret(t testing.TB, err error, secrets ...string) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
			ExpectNoSecretIn(t, "error", s, secrets...)
		}
	}
}

// ExpectNoSecretIn reports a failure when text holds one of the secrets as
// it is, query-escaped or path-escaped.
func ExpectNoSecretIn(t testing.TB, what, text string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		if len(secret) < 4 {
			continue
		}
		for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
			if strings.Contains(text, form) {
				t.Errorf("%s %q holds a secret (%q)", what, text, form)
			}
		}
	}
}

// A FailingTransport fails every request with Err, or, when Err is nil,
// with an error that quotes the request's URL, as some proxies do.
type FailingTransport struct {
	Err error
}

// RoundTrip implements http.RoundTripper.
func (f FailingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	if f.Err != nil {
		return nil, f.Err
	}
	return nil, errors.New("proxy refused " + req.URL.String())
}
