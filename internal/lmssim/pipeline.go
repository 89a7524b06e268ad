package lmssim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// An admission is what the server decided for one request on arrival.
type admission struct {
	rec      *CallRecord
	endpoint string
	cfg      VendorConfig
	// fault is the request's fault; Kind is empty when there is none.
	fault Fault
}

// serveVendor serves one request to vs: count it, apply the hourly limit,
// latency and any fault, and record the outcome.
func (s *Server) serveVendor(vs *vendorState, w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	a := s.admit(vs, r)
	rw := &responseWriter{ResponseWriter: w, onStatus: func(status int, h http.Header) {
		vs.setStatus(a.rec, status, h, s.now())
	}}
	s.respond(vs, a, rw, r)
	s.logRequest(vs.vendor.Name(), r, a, rw.status, time.Since(start))
	if rw.aborted {
		panic(http.ErrAbortHandler)
	}
}

// admit counts the request, applies the hourly limit and picks its fault:
// a 429 from the limit, else the first matching injected fault, else a
// random one drawn from the vendor's rates.
func (s *Server) admit(vs *vendorState, r *http.Request) admission {
	endpoint := vs.vendor.Endpoint(r)
	write := vs.vendor.IsWrite(r)
	now := s.now()
	vs.mu.Lock()
	defer vs.mu.Unlock()
	a := admission{rec: vs.record(now, endpoint), endpoint: endpoint, cfg: vs.cfg}
	wait := vs.window.admit(now, vs.cfg.RequestsPerHour)
	if wait > 0 {
		a.fault = Fault{Kind: Fault429, RetryAfter: wait}
	} else if f, ok := vs.faults.take(endpoint, write); ok {
		a.fault = f
	} else {
		a.fault = s.draw(vs.cfg, write)
	}
	if a.fault.Kind == FaultSlow && a.fault.Latency == 0 {
		a.fault.Latency = vs.cfg.SlowLatency
	}
	a.rec.Fault = a.fault.Kind
	vs.countFault(a.fault, wait > 0)
	return a
}

// draw picks a random fault from cfg's rates; Kind is empty for none. A
// drop-after-commit drawn for a request that is not a write is none.
func (s *Server) draw(cfg VendorConfig, write bool) Fault {
	if !cfg.hasRates() {
		return Fault{}
	}
	s.rngMu.Lock()
	u, coin := s.rng.Float64(), s.rng.IntN(2)
	s.rngMu.Unlock()
	acc := 0.0
	for _, rate := range cfg.rates() {
		acc += rate.value
		if u >= acc {
			continue
		}
		switch {
		case rate.fault.Kind == Fault500 && coin == 1:
			return Fault{Kind: Fault503}
		case rate.fault.Kind == FaultDropAfterCommit && !write:
			return Fault{}
		}
		return rate.fault
	}
	return Fault{}
}

// respond writes the answer the admission calls for.
func (s *Server) respond(vs *vendorState, a admission, w *responseWriter, r *http.Request) {
	if a.fault.Kind == Fault429 {
		writeRateLimited(w, a.fault, s.now())
		return
	}
	bufferBody(r)
	if !s.wait(r.Context(), a.cfg.Latency) {
		drop(w)
		return
	}
	switch a.fault.Kind {
	case Fault500:
		writeError(w, http.StatusInternalServerError, "general_error", "simulated internal server error")
	case Fault503:
		writeError(w, http.StatusServiceUnavailable, "service_unavailable", "simulated service outage")
	case FaultTimeout:
		s.hang(w, r, a.cfg.TimeoutMax)
	case FaultDrop:
		drop(w)
	case FaultMalformed:
		serveMalformed(vs.vendor, w, r)
	case FaultOddRecord:
		serveOddRecord(vs.vendor, w, r)
	case FaultDropAfterCommit:
		vs.vendor.ServeHTTP(httptest.NewRecorder(), r)
		drop(w)
	case FaultSlow:
		s.serveSlow(vs.vendor, w, r, a.fault.Latency)
	default:
		vs.vendor.ServeHTTP(w, r)
	}
}

// maxBufferedBody bounds how much of a request body bufferBody reads ahead.
const maxBufferedBody = 1 << 20

// bufferBody reads r's body ahead (up to maxBufferedBody) and gives the
// vendor the same bytes. net/http notices a client that went away, and
// cancels r's context, only once the body has been read: without this a
// delayed request would reach the vendor after its client gave up.
func bufferBody(r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, maxBufferedBody))
	rest := r.Body
	if err != nil {
		rest = io.NopCloser(errReader{err})
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(buf), rest), r.Body}
}

// An errReader fails every read with err.
type errReader struct{ err error }

// Read returns the reader's error.
func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// serveSlow waits d, then lets v answer r; if the client or the server gives
// up first, the connection is dropped and v never sees r.
func (s *Server) serveSlow(v Vendor, w *responseWriter, r *http.Request, d time.Duration) {
	if !s.wait(r.Context(), d) {
		drop(w)
		return
	}
	v.ServeHTTP(w, r)
}

// wait sleeps for d; it returns false if the client or the server gave up first.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// hang answers nothing until the client gives up or the server closes (then
// the connection is dropped), or until max passes (then 504).
func (s *Server) hang(w *responseWriter, r *http.Request, max time.Duration) {
	if max > 0 && s.wait(r.Context(), max) {
		writeError(w, http.StatusGatewayTimeout, "service_unavailable", "simulated gateway timeout")
		return
	}
	if max == 0 {
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
	}
	drop(w)
}

// serveMalformed lets v handle r, then sends v's status and headers with the
// body cut short.
func serveMalformed(v Vendor, w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	v.ServeHTTP(rec, r)
	for k, vals := range rec.Header() {
		w.Header()[k] = vals
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(truncate(rec.Body.Bytes()))
}

// truncate cuts a JSON body in half, which leaves an object or array
// unterminated; a body too short to cut is replaced with a broken one.
func truncate(body []byte) []byte {
	body = bytes.TrimSpace(body)
	if len(body) < 4 {
		return []byte(`{"respo`)
	}
	return body[:len(body)/2]
}

// drop closes the connection without a response. Where the connection
// cannot be hijacked (HTTP/2), it marks the response to be aborted.
func drop(w *responseWriter) {
	conn, _, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		w.aborted = true
		return
	}
	_ = conn.Close()
}

// writeRateLimited answers 429 with f's Retry-After, in whole seconds
// rounded up, or as an HTTP date.
func writeRateLimited(w http.ResponseWriter, f Fault, now time.Time) {
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", retryAfter(f, now))
	}
	writeError(w, http.StatusTooManyRequests, "rate_limited", "too many connections: the hourly request limit is reached")
}

// retryAfter formats f.RetryAfter for the Retry-After header.
func retryAfter(f Fault, now time.Time) string {
	secs := int64(math.Ceil(f.RetryAfter.Seconds()))
	if f.RetryAfterDate {
		at := now.Truncate(time.Second).Add(time.Duration(secs+1) * time.Second)
		return at.UTC().Format(http.TimeFormat)
	}
	return strconv.FormatInt(secs, 10)
}

// writeError answers status with a JSON error body in the shape
// {"error": code, "error_description": description}.
func writeError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

// logRequest logs a served request without its query string, which carries
// credentials.
func (s *Server) logRequest(vendor string, r *http.Request, a admission, status int, took time.Duration) {
	if s.opts.Logger == nil {
		return
	}
	s.opts.Logger.Info("Served request", "vendor", vendor, "method", r.Method, "path", r.URL.Path,
		"endpoint", a.endpoint, "status", status, "fault", string(a.fault.Kind), "duration", took)
}

// A responseWriter remembers the status sent through it and reports it, with
// the headers, to onStatus before anything reaches the client.
type responseWriter struct {
	http.ResponseWriter
	onStatus func(status int, h http.Header)
	status   int
	aborted  bool
}

// WriteHeader reports, remembers and sends the status.
func (w *responseWriter) WriteHeader(code int) {
	w.setStatus(code)
	w.ResponseWriter.WriteHeader(code)
}

// Write sends body bytes; a first write without a status means 200.
func (w *responseWriter) Write(b []byte) (int, error) {
	w.setStatus(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

// setStatus remembers and reports the first status only.
func (w *responseWriter) setStatus(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	w.onStatus(code, w.Header())
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *responseWriter) Unwrap() http.ResponseWriter {
	return w.ResponseWriter
}
