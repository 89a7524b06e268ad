package lms

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)
	type want struct {
		d  time.Duration
		ok bool
	}
	cases := map[string]struct {
		reason string
		header string
		want   want
	}{
		"Seconds":        {"delay seconds are read as they are", "120", want{2 * time.Minute, true}},
		"Spaces":         {"spaces around the value are ignored", " 5 ", want{5 * time.Second, true}},
		"Zero":           {"zero is a valid header: retry now", "0", want{0, true}},
		"Negative":       {"a negative delay is no header", "-3", want{0, false}},
		"Absurd":         {"a delay over a day is capped at a day", "999999999999", want{MaxRetryAfter, true}},
		"Overflow":       {"a delay beyond int64 is unreadable", "99999999999999999999", want{0, false}},
		"HTTPDate":       {"an HTTP date is a delay from now", now.Add(90 * time.Second).Format(http.TimeFormat), want{90 * time.Second, true}},
		"PastDate":       {"a date in the past is no delay", now.Add(-time.Hour).Format(http.TimeFormat), want{0, true}},
		"FarDate":        {"a date more than a day off is capped at a day", now.Add(100 * 365 * 24 * time.Hour).Format(http.TimeFormat), want{MaxRetryAfter, true}},
		"RFC850Date":     {"the obsolete RFC 850 date form is an HTTP date too", "Monday, 02-Jun-25 09:31:30 GMT", want{90 * time.Second, true}},
		"Garbage":        {"words are unreadable", "soon", want{0, false}},
		"Absent":         {"no header is no delay", "", want{0, false}},
		"FractionalSecs": {"fractions of seconds are not in the header's grammar", "1.5", want{0, false}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d, ok := ParseRetryAfter(tc.header, now)
			if diff := cmp.Diff(tc.want, want{d, ok}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nParseRetryAfter(%q): -want +got:\n%s", tc.reason, tc.header, diff)
			}
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "0", "-1", "Mon, 02 Jun 2025 09:31:30 GMT", "Monday, 02-Jun-25 09:31:30 GMT",
		"Mon Jun  2 09:31:30 2025", "soon", "", "9223372036854775807"} {
		f.Add(s)
	}
	now := time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		if d, ok := ParseRetryAfter(v, now); d < 0 || d > MaxRetryAfter || (!ok && d != 0) {
			t.Fatalf("ParseRetryAfter(%q) = %s, %v: outside [0, %s], or a delay without a header", v, d, ok, MaxRetryAfter)
		}
	})
}
