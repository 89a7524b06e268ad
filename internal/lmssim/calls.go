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
	// InPause is true when the request arrived during a pause the
	// simulator had asked for with a 429 (see Pause).
	InPause bool `json:"inPause,omitempty"`
}

// The keys of VendorCalls.Faults that are not fault kinds.
const (
	// FaultCount429NoRetryAfter counts the 429 faults sent without
	// Retry-After (the key "429" counts those with one).
	FaultCount429NoRetryAfter = "429-no-retry-after"
	// FaultCountHourlyLimit counts the 429s of the hourly limit.
	FaultCountHourlyLimit = "hourly-limit"
)

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
	// Faults counts the requests that got a fault, by fault kind; a 429
	// counts under "429" with Retry-After, FaultCount429NoRetryAfter
	// without, and FaultCountHourlyLimit when the hourly limit sent it. The
	// vendors' own failures are not counted here.
	Faults map[string]int `json:"faults"`
	// CallsDuringPause counts the requests that arrived during a pause
	// (each 429 in RateLimited asks for one, see Pause): at least PauseGrace
	// after a 429 and before the end of its Retry-After (NoRetryAfterPause
	// after a 429 without one). A client that honours every 429 sends none.
	CallsDuringPause int `json:"callsDuringPause"`
}

// A vendorState is the server's bookkeeping for one vendor.
type vendorState struct {
	vendor Vendor

	mu      sync.Mutex
	cfg     VendorConfig
	window  slidingWindow
	faults  faultQueue
	calls   map[string]int
	faulted map[string]int
	total   int
	limited int
	log     []*CallRecord
	maxLog  int
	pauses  pauseBook
}

// newVendorState returns the bookkeeping of v, keeping at most maxLog call
// records and pauses (0: no cap).
func newVendorState(v Vendor, cfg VendorConfig, maxLog int) *vendorState {
	return &vendorState{vendor: v, cfg: cfg, calls: map[string]int{}, faulted: map[string]int{}, maxLog: maxLog,
		pauses: pauseBook{max: maxLog}}
}

// record counts a request to endpoint arriving at now, notes whether it
// arrived during a pause, and adds it to the log. The caller holds vs.mu.
func (vs *vendorState) record(now time.Time, endpoint string) *CallRecord {
	vs.calls[endpoint]++
	vs.total++
	rec := &CallRecord{Time: now, Endpoint: endpoint, InPause: vs.pauses.arrive(now)}
	vs.log = append(vs.log, rec)
	if vs.maxLog > 0 && len(vs.log) > vs.maxLog {
		vs.log = append([]*CallRecord(nil), vs.log[len(vs.log)-vs.maxLog:]...)
	}
	return rec
}

// countFault counts the fault f of an admitted request; fromLimit is true
// for a 429 of the hourly limit. The caller holds vs.mu.
func (vs *vendorState) countFault(f Fault, fromLimit bool) {
	switch {
	case f.Kind == "":
		return
	case fromLimit:
		vs.faulted[FaultCountHourlyLimit]++
	case f.Kind == Fault429 && f.RetryAfter == 0:
		vs.faulted[FaultCount429NoRetryAfter]++
	default:
		vs.faulted[string(f.Kind)]++
	}
}

// setStatus sets the status answered at now to a recorded request with the
// header h. A 429, whether the limit, a fault or the vendor itself sent it,
// is counted and recorded as a pause.
func (vs *vendorState) setStatus(rec *CallRecord, status int, h http.Header, now time.Time) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	rec.Status = status
	if status == http.StatusTooManyRequests {
		vs.limited++
		vs.pauses.add(newPause(now, rec.Endpoint, h))
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
		Faults:           maps.Clone(vs.faulted),
		CallsDuringPause: vs.pauses.during,
	}
}

// pauseList returns the recorded pauses, oldest first.
func (vs *vendorState) pauseList() []Pause {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return vs.pauses.list()
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

// resetCalls forgets the counts, the log and the recorded pauses; the
// hourly window and the pauses still running stay.
func (vs *vendorState) resetCalls() {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	vs.calls, vs.faulted = map[string]int{}, map[string]int{}
	vs.total, vs.limited = 0, 0
	vs.log = nil
	vs.pauses.reset()
}
