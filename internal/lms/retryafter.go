package lms

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps the Retry-After a vendor client reads: a day, so that a
// silly value cannot pause a connection for years.
const MaxRetryAfter = 24 * time.Hour

// ParseRetryAfter reads a Retry-After header, in delay seconds or as an HTTP
// date relative to now, capped at MaxRetryAfter; a date in the past is no
// delay. It reports false when the header is absent, negative or unreadable
// (and returns 0).
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(min(n, int64(MaxRetryAfter/time.Second))) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), MaxRetryAfter), true
}
