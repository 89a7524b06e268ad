package lms

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaxMessage is the most characters of a vendor's message an Error carries
// into a condition or an event.
const MaxMessage = 256

// Redacted stands where a secret was.
const Redacted = "[redacted]"

// minSecret is the length under which a secret is not looked for: a
// shorter one would mangle every message, and is no credential anyway.
const minSecret = 4

// credentialQuery matches a URL query value of a credential parameter, such
// as "api_key=..." in an echoed request URL.
var credentialQuery = regexp.MustCompile(`(?i)\b(api_token|api_key|clientKey|secret|access_token|token)=[^&\s"'<>#;,]*`)

// SafeMessage returns a vendor's message as an Error may carry it: every
// secret (as it is, query-escaped or path-escaped) and every URL query value
// of a credential parameter (api_token, api_key, clientKey, secret,
// access_token, token) replaced with Redacted, then cut to MaxMessage
// characters, on a character boundary and ending in "…" when cut.
func SafeMessage(msg string, secrets ...string) string {
	for _, s := range secrets {
		if len(s) < minSecret {
			continue
		}
		for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
			msg = strings.ReplaceAll(msg, form, Redacted)
		}
	}
	msg = credentialQuery.ReplaceAllString(msg, "${1}="+Redacted)
	return cut(msg, MaxMessage)
}

// cut returns s cut to at most n characters, the last being "…" when cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
