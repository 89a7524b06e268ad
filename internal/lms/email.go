package lms

import "strings"

// NormalizeEmail returns an email as the operator stores and sends it:
// trimmed and lower-cased. eLeaP's SAML SSO needs emails in lower case that
// match exactly, and every vendor matches them without regard to case, so
// one rule holds wherever an email enters (a spec, a vendor's answer) or
// leaves (a request) the operator.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}
