package lmssim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"k8s.io/utils/clock"
)

// Options configure a Server.
type Options struct {
	// Clock gives the time of the hourly request window and of Retry-After.
	// Nil means the real clock. Tests pass a fake clock
	// (k8s.io/utils/clock/testing) so that they never sleep for an hour.
	Clock clock.PassiveClock
	// RandSeed seeds the random draws of the fault rates, so that a run with
	// the same requests in the same order gets the same faults.
	RandSeed int64
	// Config is the starting configuration of each vendor, by vendor name.
	// A vendor without an entry has no limit, no latency and no faults.
	Config map[string]VendorConfig
	// Logger, if set, logs every vendor request: method, path without the
	// query string (it carries credentials), endpoint, status and fault.
	Logger *slog.Logger
	// MaxLogRecords caps the per-vendor call log (oldest records go first).
	// 0 means no cap.
	MaxLogRecords int
}

// A VendorConfig is the behaviour of one simulated vendor that is not part of
// its API: its request limit, its latency and its faults. It can be changed
// at runtime with Server.SetConfig or PUT /_sim/config/<vendor>.
//
// Every rate is a probability in [0, 1], drawn per request; the rates
// together must not exceed 1. A request gets at most one fault.
type VendorConfig struct {
	// RequestsPerHour is the vendor's hourly limit over a sliding one-hour
	// window of accepted requests; 0 means no limit. Requests answered 429
	// do not count into the window.
	RequestsPerHour int
	// Latency is added to every request that is not rate limited.
	Latency time.Duration
	// ErrorRate is the share of requests answered 500 or 503 without
	// reaching the vendor.
	ErrorRate float64
	// TimeoutRate is the share of requests that hang without reaching the
	// vendor until the client gives up (or TimeoutMax passes).
	TimeoutRate float64
	// MalformedRate is the share of requests the vendor handles (state
	// changes) whose response body is then cut short into broken JSON.
	MalformedRate float64
	// DropAfterCommitRate is the share of write requests the vendor handles
	// (state changes) after which the connection is closed with no response.
	DropAfterCommitRate float64
	// TimeoutMax bounds how long a timeout fault hangs before it is answered
	// 504; 0 means until the client gives up or the server closes.
	TimeoutMax time.Duration
}

// Validate reports whether c is usable.
func (c VendorConfig) Validate() error {
	if c.RequestsPerHour < 0 {
		return fmt.Errorf("requestsPerHour %d is negative", c.RequestsPerHour)
	}
	if c.Latency < 0 || c.TimeoutMax < 0 {
		return fmt.Errorf("latency %s and timeoutMax %s must not be negative", c.Latency, c.TimeoutMax)
	}
	sum := 0.0
	for _, r := range c.rates() {
		if r.value < 0 || r.value > 1 {
			return fmt.Errorf("%s %v is not in [0, 1]", r.name, r.value)
		}
		sum += r.value
	}
	if sum > 1 {
		return fmt.Errorf("fault rates add up to %v, more than 1", sum)
	}
	return nil
}

type namedRate struct {
	name  string
	value float64
	kind  FaultKind
}

// rates lists the fault rates in the order random draws test them.
func (c VendorConfig) rates() []namedRate {
	return []namedRate{
		{"errorRate", c.ErrorRate, Fault500},
		{"timeoutRate", c.TimeoutRate, FaultTimeout},
		{"malformedRate", c.MalformedRate, FaultMalformed},
		{"dropAfterCommitRate", c.DropAfterCommitRate, FaultDropAfterCommit},
	}
}

// vendorConfigJSON is the admin API's form of a VendorConfig: durations are
// strings such as "250ms".
type vendorConfigJSON struct {
	RequestsPerHour     int     `json:"requestsPerHour"`
	Latency             string  `json:"latency"`
	ErrorRate           float64 `json:"errorRate"`
	TimeoutRate         float64 `json:"timeoutRate"`
	MalformedRate       float64 `json:"malformedRate"`
	DropAfterCommitRate float64 `json:"dropAfterCommitRate"`
	TimeoutMax          string  `json:"timeoutMax"`
}

// MarshalJSON writes c with durations as strings such as "250ms".
func (c VendorConfig) MarshalJSON() ([]byte, error) {
	return json.Marshal(vendorConfigJSON{
		RequestsPerHour:     c.RequestsPerHour,
		Latency:             c.Latency.String(),
		ErrorRate:           c.ErrorRate,
		TimeoutRate:         c.TimeoutRate,
		MalformedRate:       c.MalformedRate,
		DropAfterCommitRate: c.DropAfterCommitRate,
		TimeoutMax:          c.TimeoutMax.String(),
	})
}

// UnmarshalJSON reads the fields present in data over c: fields left out
// keep their value. Unknown fields are an error.
func (c *VendorConfig) UnmarshalJSON(data []byte) error {
	w := vendorConfigJSON{
		RequestsPerHour:     c.RequestsPerHour,
		Latency:             c.Latency.String(),
		ErrorRate:           c.ErrorRate,
		TimeoutRate:         c.TimeoutRate,
		MalformedRate:       c.MalformedRate,
		DropAfterCommitRate: c.DropAfterCommitRate,
		TimeoutMax:          c.TimeoutMax.String(),
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("decode vendor config: %w", err)
	}
	latency, err := time.ParseDuration(w.Latency)
	if err != nil {
		return fmt.Errorf("decode vendor config: latency: %w", err)
	}
	timeoutMax, err := time.ParseDuration(w.TimeoutMax)
	if err != nil {
		return fmt.Errorf("decode vendor config: timeoutMax: %w", err)
	}
	*c = VendorConfig{
		RequestsPerHour:     w.RequestsPerHour,
		Latency:             latency,
		ErrorRate:           w.ErrorRate,
		TimeoutRate:         w.TimeoutRate,
		MalformedRate:       w.MalformedRate,
		DropAfterCommitRate: w.DropAfterCommitRate,
		TimeoutMax:          timeoutMax,
	}
	return nil
}
