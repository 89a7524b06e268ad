package lmssim

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// PauseGrace is how long after a 429 a request may still arrive without
// counting as sent during the pause: a client with several workers can have
// requests in flight that it sent before it read the 429.
const PauseGrace = 250 * time.Millisecond

// NoRetryAfterPause is the pause the simulator counts after a 429 without
// Retry-After. Such a 429 leaves the backoff to the client (the operator
// pauses at least a minute); the simulator counts the requests that arrive
// between PauseGrace and NoRetryAfterPause after it as sent during a pause,
// which no sensible backoff allows.
const NoRetryAfterPause = time.Second

// A Pause is a pause the simulator asked a client for: a 429, whichever part
// of the simulator answered it (the hourly limit, a fault or the vendor
// itself).
type Pause struct {
	// Start is when the 429 was answered, by the server's clock.
	Start time.Time `json:"start"`
	// Until is when the pause ends: the time Retry-After names (seconds
	// after Start, or the HTTP date), or Start plus NoRetryAfterPause when
	// the 429 had no Retry-After.
	Until time.Time `json:"until"`
	// RetryAfter is the Retry-After header sent, empty when none was.
	RetryAfter string `json:"retryAfter,omitempty"`
	// Endpoint is the endpoint that was answered 429.
	Endpoint string `json:"endpoint"`
	// Calls counts the requests that arrived during the pause: at or after
	// Start plus PauseGrace, and before Until.
	Calls int `json:"calls"`
}

// covers reports whether a request arriving at t is sent during p.
func (p *Pause) covers(t time.Time) bool {
	return !t.Before(p.Start.Add(PauseGrace)) && t.Before(p.Until)
}

// newPause returns the pause that a 429 to endpoint answered at now with
// the header h asks for. A Retry-After that is neither seconds nor an HTTP
// date counts as none.
func newPause(now time.Time, endpoint string, h http.Header) *Pause {
	p := &Pause{Start: now, Until: now.Add(NoRetryAfterPause), Endpoint: endpoint}
	ra := strings.TrimSpace(h.Get("Retry-After"))
	if ra == "" {
		return p
	}
	p.RetryAfter = ra
	if secs, err := strconv.ParseInt(ra, 10, 64); err == nil && secs >= 0 {
		p.Until = now.Add(time.Duration(secs) * time.Second)
	} else if at, err := http.ParseTime(ra); err == nil {
		p.Until = at
	}
	return p
}

// A pauseBook records the pauses of one vendor and counts the requests sent
// during them. Its caller holds the vendor's lock.
type pauseBook struct {
	// pauses are the pauses since the last reset, oldest first, capped
	// like the call log.
	pauses []*Pause
	// open are the pauses that may still cover a request; they survive a
	// reset, as the hourly window does.
	open []*Pause
	// during counts the requests sent during a pause since the last reset.
	during int
	max    int
}

// add records p.
func (b *pauseBook) add(p *Pause) {
	b.pauses = append(b.pauses, p)
	if b.max > 0 && len(b.pauses) > b.max {
		b.pauses = append([]*Pause(nil), b.pauses[len(b.pauses)-b.max:]...)
	}
	b.open = append(b.open, p)
}

// arrive reports whether a request arriving at now is sent during a pause,
// and counts it into every pause that covers it.
func (b *pauseBook) arrive(now time.Time) bool {
	kept, inside := b.open[:0], false
	for _, p := range b.open {
		if !now.Before(p.Until) {
			continue
		}
		kept = append(kept, p)
		if p.covers(now) {
			p.Calls++
			inside = true
		}
	}
	clear(b.open[len(kept):])
	b.open = kept
	if inside {
		b.during++
	}
	return inside
}

// list returns copies of the recorded pauses, oldest first.
func (b *pauseBook) list() []Pause {
	out := make([]Pause, len(b.pauses))
	for i, p := range b.pauses {
		out[i] = *p
	}
	return out
}

// reset forgets the recorded pauses and the count; pauses still open keep
// covering the requests that arrive during them.
func (b *pauseBook) reset() {
	b.pauses, b.during = nil, 0
}
