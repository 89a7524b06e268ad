package lmssim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// A FaultKind is one way a simulated request can go wrong.
type FaultKind string

// The fault kinds.
const (
	// Fault429 answers 429 Too Many Requests without reaching the vendor,
	// with Fault.RetryAfter as the Retry-After header (none when zero).
	Fault429 FaultKind = "429"
	// Fault500 answers 500 Internal Server Error without reaching the vendor.
	Fault500 FaultKind = "500"
	// Fault503 answers 503 Service Unavailable without reaching the vendor.
	Fault503 FaultKind = "503"
	// FaultTimeout hangs without reaching the vendor until the client gives
	// up, the server closes or VendorConfig.TimeoutMax passes (then 504).
	FaultTimeout FaultKind = "timeout"
	// FaultDrop closes the connection with no response, without reaching the
	// vendor: nothing changed.
	FaultDrop FaultKind = "drop"
	// FaultMalformed lets the vendor handle the request (state changes), then
	// sends its status with the body cut short into broken JSON.
	FaultMalformed FaultKind = "malformed"
	// FaultDropAfterCommit lets the vendor handle the request (state
	// changes), then closes the connection with no response. It only
	// applies to write requests (Vendor.IsWrite).
	FaultDropAfterCommit FaultKind = "drop-after-commit"
	// FaultSlow waits Fault.Latency (VendorConfig.SlowLatency when zero),
	// then lets the vendor handle the request and answer; a client that
	// gives up during the wait changes nothing.
	FaultSlow FaultKind = "slow"
	// FaultOddRecord lets the vendor handle the request, then sends its
	// answer with one field of the first record of its list changed into an
	// object (a record no document allows): the client must skip and report
	// that record, and read the others. An answer without a list of records
	// is sent unchanged. It is injected only (Server.Inject, the admin API).
	FaultOddRecord FaultKind = "odd-record"
)

// valid reports whether k is a known fault kind.
func (k FaultKind) valid() bool {
	switch k {
	case Fault429, Fault500, Fault503, FaultTimeout, FaultDrop, FaultMalformed, FaultDropAfterCommit, FaultSlow,
		FaultOddRecord:
		return true
	}
	return false
}

// A Fault is injected into the next matching requests of one vendor with
// Server.Inject. Faults are queued: each request takes the first queued fault
// that matches it.
type Fault struct {
	// Kind is what goes wrong.
	Kind FaultKind
	// RetryAfter is the Retry-After of a Fault429; zero sends no header.
	RetryAfter time.Duration
	// RetryAfterDate sends Retry-After as an HTTP date instead of seconds.
	RetryAfterDate bool
	// Latency is the delay of a FaultSlow; zero means the vendor's
	// VendorConfig.SlowLatency.
	Latency time.Duration
	// Endpoint, if set, limits the fault to requests to that endpoint, as
	// named by Vendor.Endpoint (such as "users/add").
	Endpoint string
	// Times is how many matching requests get the fault; 0 means 1.
	Times int
}

// Validate reports whether f can be injected.
func (f Fault) Validate() error {
	if !f.Kind.valid() {
		return fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	if f.RetryAfter < 0 || f.Latency < 0 || f.Times < 0 {
		return fmt.Errorf("fault %s: retryAfter %s, latency %s and times %d must not be negative",
			f.Kind, f.RetryAfter, f.Latency, f.Times)
	}
	return nil
}

// matches reports whether the request to endpoint (a write or not) may take f.
func (f Fault) matches(endpoint string, write bool) bool {
	if f.Endpoint != "" && f.Endpoint != endpoint {
		return false
	}
	return f.Kind != FaultDropAfterCommit || write
}

// faultJSON is the admin API's form of a Fault.
type faultJSON struct {
	Kind           FaultKind `json:"kind"`
	RetryAfter     string    `json:"retryAfter,omitempty"`
	RetryAfterDate bool      `json:"retryAfterDate,omitempty"`
	Latency        string    `json:"latency,omitempty"`
	Endpoint       string    `json:"endpoint,omitempty"`
	Times          int       `json:"times,omitempty"`
}

// MarshalJSON writes f with RetryAfter and Latency as strings such as "30s".
func (f Fault) MarshalJSON() ([]byte, error) {
	w := faultJSON{Kind: f.Kind, RetryAfterDate: f.RetryAfterDate, Endpoint: f.Endpoint, Times: f.Times}
	if f.RetryAfter != 0 {
		w.RetryAfter = f.RetryAfter.String()
	}
	if f.Latency != 0 {
		w.Latency = f.Latency.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads f; unknown fields are an error.
func (f *Fault) UnmarshalJSON(data []byte) error {
	var w faultJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("decode fault: %w", err)
	}
	retryAfter, err := optionalDuration(w.RetryAfter)
	if err != nil {
		return fmt.Errorf("decode fault: retryAfter: %w", err)
	}
	latency, err := optionalDuration(w.Latency)
	if err != nil {
		return fmt.Errorf("decode fault: latency: %w", err)
	}
	*f = Fault{Kind: w.Kind, RetryAfter: retryAfter, RetryAfterDate: w.RetryAfterDate, Latency: latency,
		Endpoint: w.Endpoint, Times: w.Times}
	return nil
}

// optionalDuration parses s, where an empty string means zero.
func optionalDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	return time.ParseDuration(s)
}

// A faultQueue holds the injected faults of one vendor, first in first out.
type faultQueue struct {
	faults []Fault
}

// push queues f, with Times normalised to at least 1.
func (q *faultQueue) push(f Fault) {
	if f.Times == 0 {
		f.Times = 1
	}
	q.faults = append(q.faults, f)
}

// take removes one use of the first fault that matches the request and
// returns it.
func (q *faultQueue) take(endpoint string, write bool) (Fault, bool) {
	for i := range q.faults {
		f := &q.faults[i]
		if !f.matches(endpoint, write) {
			continue
		}
		taken := *f
		taken.Times = 1
		f.Times--
		if f.Times == 0 {
			q.faults = append(q.faults[:i], q.faults[i+1:]...)
		}
		return taken, true
	}
	return Fault{}, false
}

// pending returns a copy of the queued faults.
func (q *faultQueue) pending() []Fault {
	return append([]Fault{}, q.faults...)
}
