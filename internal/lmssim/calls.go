package lmssim

import (
	"maps"
	"net/http"
	"sync"
	"time"
)

// A CallRecord is one request to a simulated vendor, in the call log.
type CallRecord struct {
	// Time is when the request arrived, by the server's clock.
	Time time.Time `json:"time"`
	// Endpoint is the endpoint called, as named by Vendor.Endpoint.
	Endpoint string `json:"endpoint"`
	// Status is the HTTP status answered, or 0 when no response was sent
	// (dropped connection, a hang the client gave up on, or still running).
	Status int `json:"status"`
	// Fault is the fault the request got, if any. A 429 from the hourly
	// limit is recorded as Fault429.
	Fault FaultKind `json:"fault,omitempty"`
}

// A VendorCalls sums up the requests to one vendor since the last reset.
type VendorCalls struct {
	// Total counts every request that reached the server, 429s included.
	Total int `json:"total"`
	// RateLimited counts the requests answered 429.
	RateLimited int `json:"rateLimited"`
	// RequestsLastHour counts the requests in the sliding hourly window.
	RequestsLastHour int `json:"requestsLastHour"`
	// Endpoints counts the requests by endpoint.
	Endpoints map[string]int `json:"endpoints"`
}

// A vendorState is the server's bookkeeping for one vendor.
type vendorState struct {
	vendor Vendor

	mu      sync.Mutex
	cfg     VendorConfig
	window  slidingWindow
	faults  faultQueue
	calls   map[string]int
	total   int
	limited int
	log     []*CallRecord
	maxLog  int
}

func newVendorState(v Vendor, cfg VendorConfig, maxLog int) *vendorState {
	return &vendorState{vendor: v, cfg: cfg, calls: map[string]int{}, maxLog: maxLog}
}

// record counts a request to endpoint arriving at now and adds it to the log.
// The caller holds vs.mu.
func (vs *vendorState) record(now time.Time, endpoint string) *CallRecord {
	vs.calls[endpoint]++
	vs.total++
	rec := &CallRecord{Time: now, Endpoint: endpoint}
	vs.log = append(vs.log, rec)
	if vs.maxLog > 0 && len(vs.log) > vs.maxLog {
		vs.log = append([]*CallRecord(nil), vs.log[len(vs.log)-vs.maxLog:]...)
	}
	return rec
}

// setStatus sets the status answered to a recorded request and counts a
// 429, whether the limit, an injected fault or the vendor itself sent it.
func (vs *vendorState) setStatus(rec *CallRecord, status int) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	rec.Status = status
	if status == http.StatusTooManyRequests {
		vs.limited++
	}
}

// summary returns the vendor's call counts at now.
func (vs *vendorState) summary(now time.Time) VendorCalls {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return VendorCalls{
		Total:            vs.total,
		RateLimited:      vs.limited,
		RequestsLastHour: vs.window.count(now),
		Endpoints:        maps.Clone(vs.calls),
	}
}

// records returns a copy of the call log, oldest first.
func (vs *vendorState) records() []CallRecord {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	out := make([]CallRecord, len(vs.log))
	for i, rec := range vs.log {
		out[i] = *rec
	}
	return out
}

// resetCalls forgets the counts and the log; the hourly window stays.
func (vs *vendorState) resetCalls() {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	vs.calls = map[string]int{}
	vs.total, vs.limited = 0, 0
	vs.log = nil
}
