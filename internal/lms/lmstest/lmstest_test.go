package lmstest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// recordingTB is a testing.TB that records failures instead of failing.
type recordingTB struct {
	testing.TB
	failures []string
}

// Helper implements testing.TB.
func (r *recordingTB) Helper() {}

// Errorf implements testing.TB.
func (r *recordingTB) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func TestExpectNoSecret(t *testing.T) {
	const secret = "s3cr3t/KEY+v@lue=="
	cases := map[string]struct {
		reason string
		err    error
		want   bool
	}{
		"Clean":       {"an error without the secret passes", errors.New("request failed"), false},
		"Plain":       {"the secret as it is fails", errors.New("key " + secret), true},
		"QueryForm":   {"the secret query-escaped fails", errors.New("GET /?api_key=" + url.QueryEscape(secret)), true},
		"PathForm":    {"the secret path-escaped fails", errors.New("GET /" + url.PathEscape(secret)), true},
		"Wrapped":     {"the secret in a wrapped error fails", fmt.Errorf("ctx: %w", &lms.Error{Kind: lms.KindTransient, Err: errors.New(secret)}), true},
		"GoSyntax":    {"the secret in a field %#v shows fails", &lms.Error{Kind: lms.KindTransient, Message: "x", Code: secret}, true},
		"ShortSecret": {"secrets shorter than 4 characters are not looked for", errors.New("abc"), false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := &recordingTB{}
			secrets := []string{secret}
			if name == "ShortSecret" {
				secrets = []string{"abc"}
			}
			ExpectNoSecret(r, tc.err, secrets...)
			if got := len(r.failures) > 0; got != tc.want {
				t.Errorf("%s\nExpectNoSecret(%v) failed = %v, want %v (%v)", tc.reason, tc.err, got, tc.want, r.failures)
			}
		})
	}
}

func TestExpectKind(t *testing.T) {
	cases := map[string]struct {
		reason string
		err    error
		kind   lms.ErrorKind
		want   bool
	}{
		"Match":     {"a wrapped error of the kind passes", fmt.Errorf("x: %w", lms.NewError(lms.KindNotFound, "op", "", "")), lms.KindNotFound, true},
		"Mismatch":  {"another kind fails", lms.NewError(lms.KindTransient, "op", "", ""), lms.KindNotFound, false},
		"NilWanted": {"no error passes when no kind is wanted", nil, "", true},
		"NilGot":    {"no error fails when a kind is wanted", nil, lms.KindNotFound, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := &recordingTB{}
			ok := ExpectKind(r, "call", tc.err, tc.kind)
			if ok != tc.want || (len(r.failures) == 0) != tc.want {
				t.Errorf("%s\nExpectKind = %v with failures %v, want %v", tc.reason, ok, r.failures, tc.want)
			}
		})
	}
}

func TestFailingTransport(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "https://example.com/x?api_key=k", nil)
	if _, err := (FailingTransport{}).RoundTrip(req); err == nil || !strings.Contains(err.Error(), req.URL.String()) {
		t.Errorf("FailingTransport{} = %v, want an error quoting the URL", err)
	}
	cause := errors.New("boom")
	if _, err := (FailingTransport{Err: cause}).RoundTrip(req); !errors.Is(err, cause) {
		t.Errorf("FailingTransport{Err} = %v, want %v", err, cause)
	}
}

func TestCheck(t *testing.T) {
	r := &recordingTB{}
	Check(r, "same", "x", []string{"a"}, []string{"a"})
	if len(r.failures) != 0 {
		t.Errorf("Check of equal values failed: %v", r.failures)
	}
	Check(r, "why it matters", "x", []string{"a"}, []string{"b"})
	if len(r.failures) != 1 || !strings.Contains(r.failures[0], "why it matters") {
		t.Errorf("Check of different values = %v, want one failure giving the reason", r.failures)
	}
}
