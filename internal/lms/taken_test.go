package lms

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTakenMessage(t *testing.T) {
	cases := map[string]struct {
		reason string
		fields []string
		words  string
		want   string
	}{
		"One":   {"one field is named as it is", []string{"email"}, "Email is taken", "email already taken by another user: Email is taken"},
		"Two":   {"two fields are joined with and", []string{"login", "code"}, "x", "login and code already taken by another user: x"},
		"Three": {"three fields are a list", []string{"login", "email", "code"}, "x", "login, email and code already taken by another user: x"},
		"None":  {"no field is a field", nil, "x", "a field already taken by another user: x"},
		"Safe": {"the vendor's words are redacted",
			[]string{"email"}, "GET /?api_key=k", "email already taken by another user: GET /?api_key=[redacted]"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := TakenMessage(tc.fields, tc.words); got != tc.want {
				t.Errorf("%s\nTakenMessage = %q, want %q", tc.reason, got, tc.want)
			}
		})
	}
}

func TestTakenFields(t *testing.T) {
	cases := map[string]struct {
		reason string
		text   string
		want   []string
	}{
		"Named":    {"the fields the text names, in the order known", `Email "a" and Username "a" are used`, []string{"username", "email"}},
		"Case":     {"case does not matter", "LOGIN has already been taken", []string{"login"}},
		"Fallback": {"a text naming no field gives the fallback", "Item exists", []string{"username or email"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := TakenFields(tc.text, "username or email", "username", "email", "login")
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nTakenFields(%q): -want +got:\n%s", tc.reason, tc.text, diff)
			}
		})
	}
}
