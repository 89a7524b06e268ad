package lms

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeMessage(t *testing.T) {
	const key = "s3cr3t/KEY+v@lue=="
	long := strings.Repeat("é", 300)
	cases := map[string]struct {
		reason  string
		msg     string
		secrets []string
		want    string
	}{
		"Plain": {"a message without secrets is left alone",
			"Cannot add users. Account limits reached", []string{key}, "Cannot add users. Account limits reached"},
		"Secret": {"a secret is redacted",
			"bad key " + key + " sent", []string{key}, "bad key [redacted] sent"},
		"QueryEscaped": {"a secret in its query-escaped form is redacted",
			"bad key s3cr3t%2FKEY%2Bv%40lue%3D%3D sent", []string{key}, "bad key [redacted] sent"},
		"PathEscaped": {"a secret in its path-escaped form is redacted",
			"GET /users/s3cr3t%2FKEY+v@lue== failed", []string{key}, "GET /users/[redacted] failed"},
		"ShortSecret": {"secrets shorter than 4 characters are not looked for",
			"abc is fine", []string{"abc", ""}, "abc is fine"},
		"CredentialQuery": {"credential query values are redacted whatever their value",
			"POST https://acme.2leap.com/api/users/add?api_token=zz9&email=a@b.c failed",
			nil, "POST https://acme.2leap.com/api/users/add?api_token=[redacted]&email=a@b.c failed"},
		"EveryParameter": {"every credential parameter counts, in any case",
			"?api_key=1&clientKey=2&SECRET=3&access_token=4&token=5&code=6",
			nil, "?api_key=[redacted]&clientKey=[redacted]&SECRET=[redacted]&access_token=[redacted]&token=[redacted]&code=6"},
		"NotAParameter": {"a word ending in token is no parameter",
			"csrf_token=abc and tokens=2 stay", nil, "csrf_token=abc and tokens=2 stay"},
		"Long": {"a long message is cut to 256 characters, the last an ellipsis",
			long, nil, strings.Repeat("é", 255) + "…"},
		"RedactThenCut": {"a secret is redacted before the cut, so no part of it is left at the edge",
			strings.Repeat("x", 250) + key, []string{key}, strings.Repeat("x", 250) + "[reda…"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := SafeMessage(tc.msg, tc.secrets...)
			if got != tc.want {
				t.Errorf("%s\nSafeMessage(%q) = %q, want %q", tc.reason, tc.msg, got, tc.want)
			}
			if n := utf8.RuneCountInString(got); n > MaxMessage {
				t.Errorf("SafeMessage returned %d characters, more than %d", n, MaxMessage)
			}
		})
	}
}

func FuzzSafeMessage(f *testing.F) {
	for _, s := range []string{"", "plain", "?api_key=abc&x=1", strings.Repeat("ü", 400), "key s3cr3t here"} {
		f.Add(s, "s3cr3t")
	}
	f.Fuzz(func(t *testing.T, msg, secret string) {
		got := SafeMessage(msg, secret)
		if utf8.RuneCountInString(got) > MaxMessage {
			t.Fatalf("SafeMessage(%q) has %d characters", msg, utf8.RuneCountInString(got))
		}
		if !utf8.ValidString(msg) || utf8.ValidString(got) {
			return
		}
		t.Fatalf("SafeMessage(%q) = %q is not valid UTF-8", msg, got)
	})
}
