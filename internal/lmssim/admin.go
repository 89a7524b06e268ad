package lmssim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// maxAdminBody bounds the size of an admin request body.
const maxAdminBody = 1 << 20

// A CallsReport is the answer of GET /_sim/calls.
type CallsReport struct {
	// Total counts every request to every vendor, 429s included.
	Total int `json:"total"`
	// RateLimited counts the requests answered 429.
	RateLimited int `json:"rateLimited"`
	// CallsDuringPause counts the requests that arrived during a pause a
	// 429 had asked for (see VendorCalls.CallsDuringPause).
	CallsDuringPause int `json:"callsDuringPause"`
	// Vendors holds the counts of each vendor by name.
	Vendors map[string]VendorCalls `json:"vendors"`
}

// CallsReport returns the call counts of every vendor since the last reset.
func (s *Server) CallsReport() CallsReport {
	rep := CallsReport{Vendors: map[string]VendorCalls{}}
	for _, name := range s.names {
		vc := s.Summary(name)
		rep.Vendors[name] = vc
		rep.Total += vc.Total
		rep.RateLimited += vc.RateLimited
		rep.CallsDuringPause += vc.CallsDuringPause
	}
	return rep
}

// adminRoutes registers the core admin API on mux.
func (s *Server) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+adminPrefix+"/healthz", s.getHealthz)
	mux.HandleFunc("GET "+adminPrefix+"/calls", s.getCalls)
	mux.HandleFunc("POST "+adminPrefix+"/calls/reset", s.resetCalls)
	mux.HandleFunc("GET "+adminPrefix+"/config/{vendor}", s.withVendor(s.getConfig))
	mux.HandleFunc("PUT "+adminPrefix+"/config/{vendor}", s.withVendor(s.putConfig))
	mux.HandleFunc("GET "+adminPrefix+"/faults/{vendor}", s.withVendor(s.getFaults))
	mux.HandleFunc("POST "+adminPrefix+"/faults/{vendor}", s.withVendor(s.postFault))
	mux.HandleFunc("DELETE "+adminPrefix+"/faults/{vendor}", s.withVendor(s.deleteFaults))
	mux.HandleFunc("GET "+adminPrefix+"/log/{vendor}", s.withVendor(s.getLog))
	mux.HandleFunc("GET "+adminPrefix+"/pauses/{vendor}", s.withVendor(s.getPauses))
}

// withVendor answers 404 unless the {vendor} path value names a vendor, and
// otherwise calls h with that name.
func (s *Server) withVendor(h func(w http.ResponseWriter, r *http.Request, vendor string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("vendor")
		if _, ok := s.vendors[name]; !ok {
			writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no vendor is named %q", name))
			return
		}
		h(w, r, name)
	}
}

// getHealthz serves GET /_sim/healthz: the server is up, with its vendors.
func (s *Server) getHealthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "vendors": s.Names()})
}

// getCalls serves GET /_sim/calls: the CallsReport.
func (s *Server) getCalls(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.CallsReport())
}

// resetCalls serves POST /_sim/calls/reset.
func (s *Server) resetCalls(w http.ResponseWriter, _ *http.Request) {
	s.ResetCalls()
	w.WriteHeader(http.StatusNoContent)
}

// getConfig serves GET /_sim/config/<vendor>.
func (s *Server) getConfig(w http.ResponseWriter, _ *http.Request, vendor string) {
	writeJSON(w, http.StatusOK, s.Config(vendor))
}

// putConfig reads the fields present in the body over the current
// configuration: fields left out keep their value.
func (s *Server) putConfig(w http.ResponseWriter, r *http.Request, vendor string) {
	cfg := s.Config(vendor)
	if err := readJSON(r, &cfg); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if err := s.SetConfig(vendor, cfg); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, cfg)
}

// getFaults serves GET /_sim/faults/<vendor>: the injected faults not yet used.
func (s *Server) getFaults(w http.ResponseWriter, _ *http.Request, vendor string) {
	writeJSON(w, http.StatusOK, s.PendingFaults(vendor))
}

// postFault serves POST /_sim/faults/<vendor>: it queues a fault and answers the queue.
func (s *Server) postFault(w http.ResponseWriter, r *http.Request, vendor string) {
	var f Fault
	if err := readJSON(r, &f); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if err := f.Validate(); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	s.Inject(vendor, f)
	writeJSON(w, http.StatusOK, s.PendingFaults(vendor))
}

// deleteFaults serves DELETE /_sim/faults/<vendor>.
func (s *Server) deleteFaults(w http.ResponseWriter, _ *http.Request, vendor string) {
	s.ClearFaults(vendor)
	w.WriteHeader(http.StatusNoContent)
}

// getLog serves GET /_sim/log/<vendor>: the call log.
func (s *Server) getLog(w http.ResponseWriter, _ *http.Request, vendor string) {
	writeJSON(w, http.StatusOK, s.Log(vendor))
}

// getPauses serves GET /_sim/pauses/<vendor>: the pauses 429s asked for.
func (s *Server) getPauses(w http.ResponseWriter, _ *http.Request, vendor string) {
	writeJSON(w, http.StatusOK, s.Pauses(vendor))
}

// readJSON decodes the request body into v.
func readJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxAdminBody))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode body: %w", err)
	}
	return nil
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
