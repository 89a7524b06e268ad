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
	// RateLimitRate is the share of requests answered 429 with RetryAfter as
	// the Retry-After header, without reaching the vendor.
	RateLimitRate float64
	// RetryAfter is the Retry-After of the RateLimitRate draws, sent in
	// whole seconds rounded up; it must be at least 1s when RateLimitRate is
	// set.
	RetryAfter time.Duration
	// RateLimitNoRetryAfterRate is the share of requests answered 429 with
	// no Retry-After header (the client picks its own backoff), without
	// reaching the vendor.
	RateLimitNoRetryAfterRate float64
	// DropRate is the share of requests whose connection is closed with no
	// response before the vendor sees them: nothing changes.
	DropRate float64
	// SlowRate is the share of requests answered SlowLatency late (on top
	// of Latency); the vendor handles them after the delay, so that a client
	// that gives up first changes nothing.
	SlowRate float64
	// SlowLatency is the delay of a slow answer; it must be positive when
	// SlowRate is set.
	SlowLatency time.Duration
}

// Validate reports whether c is usable.
func (c VendorConfig) Validate() error {
	if c.RequestsPerHour < 0 {
		return fmt.Errorf("requestsPerHour %d is negative", c.RequestsPerHour)
	}
	if c.Latency < 0 || c.TimeoutMax < 0 || c.RetryAfter < 0 || c.SlowLatency < 0 {
		return fmt.Errorf("latency %s, timeoutMax %s, retryAfter %s and slowLatency %s must not be negative",
			c.Latency, c.TimeoutMax, c.RetryAfter, c.SlowLatency)
	}
	if c.RateLimitRate > 0 && c.RetryAfter < time.Second {
		return fmt.Errorf("rateLimitRate %v needs a retryAfter of at least 1s, not %s", c.RateLimitRate, c.RetryAfter)
	}
	if c.SlowRate > 0 && c.SlowLatency == 0 {
		return fmt.Errorf("slowRate %v needs a positive slowLatency", c.SlowRate)
	}
	return c.validateRates()
}

// validateRates reports whether every rate is in [0, 1] and they add up to
// at most 1.
func (c VendorConfig) validateRates() error {
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

// A namedRate is one fault rate of a VendorConfig and the fault it draws.
type namedRate struct {
	name  string
	value float64
	fault Fault
}

// rates lists the fault rates in the order random draws test them.
func (c VendorConfig) rates() []namedRate {
	return []namedRate{
		{"errorRate", c.ErrorRate, Fault{Kind: Fault500}},
		{"timeoutRate", c.TimeoutRate, Fault{Kind: FaultTimeout}},
		{"malformedRate", c.MalformedRate, Fault{Kind: FaultMalformed}},
		{"dropAfterCommitRate", c.DropAfterCommitRate, Fault{Kind: FaultDropAfterCommit}},
		{"rateLimitRate", c.RateLimitRate, Fault{Kind: Fault429, RetryAfter: c.RetryAfter}},
		{"rateLimitNoRetryAfterRate", c.RateLimitNoRetryAfterRate, Fault{Kind: Fault429}},
		{"dropRate", c.DropRate, Fault{Kind: FaultDrop}},
		{"slowRate", c.SlowRate, Fault{Kind: FaultSlow, Latency: c.SlowLatency}},
	}
}

// hasRates reports whether any fault rate is set.
func (c VendorConfig) hasRates() bool {
	for _, r := range c.rates() {
		if r.value > 0 {
			return true
		}
	}
	return false
}

// vendorConfigJSON is the admin API's form of a VendorConfig: durations are
// strings such as "250ms".
type vendorConfigJSON struct {
	RequestsPerHour           int     `json:"requestsPerHour"`
	Latency                   string  `json:"latency"`
	ErrorRate                 float64 `json:"errorRate"`
	TimeoutRate               float64 `json:"timeoutRate"`
	MalformedRate             float64 `json:"malformedRate"`
	DropAfterCommitRate       float64 `json:"dropAfterCommitRate"`
	TimeoutMax                string  `json:"timeoutMax"`
	RateLimitRate             float64 `json:"rateLimitRate"`
	RetryAfter                string  `json:"retryAfter"`
	RateLimitNoRetryAfterRate float64 `json:"rateLimitNoRetryAfterRate"`
	DropRate                  float64 `json:"dropRate"`
	SlowRate                  float64 `json:"slowRate"`
	SlowLatency               string  `json:"slowLatency"`
}

// toJSON returns the admin API's form of c.
func (c VendorConfig) toJSON() vendorConfigJSON {
	return vendorConfigJSON{
		RequestsPerHour:           c.RequestsPerHour,
		Latency:                   c.Latency.String(),
		ErrorRate:                 c.ErrorRate,
		TimeoutRate:               c.TimeoutRate,
		MalformedRate:             c.MalformedRate,
		DropAfterCommitRate:       c.DropAfterCommitRate,
		TimeoutMax:                c.TimeoutMax.String(),
		RateLimitRate:             c.RateLimitRate,
		RetryAfter:                c.RetryAfter.String(),
		RateLimitNoRetryAfterRate: c.RateLimitNoRetryAfterRate,
		DropRate:                  c.DropRate,
		SlowRate:                  c.SlowRate,
		SlowLatency:               c.SlowLatency.String(),
	}
}

// MarshalJSON writes c with durations as strings such as "250ms".
func (c VendorConfig) MarshalJSON() ([]byte, error) {
	return json.Marshal(c.toJSON())
}

// UnmarshalJSON reads the fields present in data over c: fields left out
// keep their value. Unknown fields are an error.
func (c *VendorConfig) UnmarshalJSON(data []byte) error {
	w := c.toJSON()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("decode vendor config: %w", err)
	}
	cfg, err := w.config()
	if err != nil {
		return fmt.Errorf("decode vendor config: %w", err)
	}
	*c = cfg
	return nil
}

// config returns the VendorConfig w stands for.
func (w vendorConfigJSON) config() (VendorConfig, error) {
	var durations [4]time.Duration
	for i, f := range []struct{ name, value string }{
		{"latency", w.Latency}, {"timeoutMax", w.TimeoutMax}, {"retryAfter", w.RetryAfter}, {"slowLatency", w.SlowLatency},
	} {
		d, err := time.ParseDuration(f.value)
		if err != nil {
			return VendorConfig{}, fmt.Errorf("%s: %w", f.name, err)
		}
		durations[i] = d
	}
	return VendorConfig{
		RequestsPerHour:           w.RequestsPerHour,
		Latency:                   durations[0],
		ErrorRate:                 w.ErrorRate,
		TimeoutRate:               w.TimeoutRate,
		MalformedRate:             w.MalformedRate,
		DropAfterCommitRate:       w.DropAfterCommitRate,
		TimeoutMax:                durations[1],
		RateLimitRate:             w.RateLimitRate,
		RetryAfter:                durations[2],
		RateLimitNoRetryAfterRate: w.RateLimitNoRetryAfterRate,
		DropRate:                  w.DropRate,
		SlowRate:                  w.SlowRate,
		SlowLatency:               durations[3],
	}, nil
}
