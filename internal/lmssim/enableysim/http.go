package enableysim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// The document's ErrorResponse error values.
const (
	errInvalidRequest     = "invalid_request"
	errInvalidClient      = "invalid_client"
	errNotFound           = "not_found"
	errAccessDenied       = "access_denied"
	errGeneral            = "general_error"
	errItemExists         = "item_exists"
	errItemNotExists      = "item_not_exists"
	errServiceUnavailable = "service_unavailable"
)

// errorStatus is the HTTP status of each error value.
var errorStatus = map[string]int{
	errInvalidRequest:     http.StatusBadRequest,
	errInvalidClient:      http.StatusUnauthorized,
	errNotFound:           http.StatusNotFound,
	errAccessDenied:       http.StatusForbidden,
	errGeneral:            http.StatusInternalServerError,
	errItemExists:         http.StatusBadRequest,
	errItemNotExists:      http.StatusBadRequest,
	errServiceUnavailable: http.StatusServiceUnavailable,
}

// apiError is a failure the API reports as an ErrorResponse.
type apiError struct {
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

// Error implements error.
func (e *apiError) Error() string { return e.Code + ": " + e.Description }

// fail returns an apiError with a formatted description.
func fail(code, format string, args ...any) *apiError {
	return &apiError{Code: code, Description: fmt.Sprintf(format, args...)}
}

// writeJSON writes v with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes err as an ErrorResponse, or as a general_error when it
// is not an apiError.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = fail(errGeneral, "%v", err)
	}
	status, ok := errorStatus[ae.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, ae)
}

// decodeBody reads r's JSON body into v, answering invalid_request on failure.
func decodeBody(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return fail(errInvalidRequest, "read body: %v", err)
	}
	if len(b) == 0 {
		return fail(errInvalidRequest, "request body is required")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fail(errInvalidRequest, "malformed JSON body: %v", err)
	}
	return nil
}

// boolParam reads an optional boolean query parameter.
func boolParam(r *http.Request, name string, def bool) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fail(errInvalidRequest, "%s must be true or false, not %q", name, v)
	}
	return b, nil
}

// intParam reads an optional non-negative integer query parameter.
func intParam(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fail(errInvalidRequest, "%s must be a non-negative integer, not %q", name, v)
	}
	return n, nil
}

// A Fault makes calls fail before they are served.
type Fault struct {
	// Endpoint is the endpoint to fail, as Endpoint names it ("GET /api/v3/users");
	// empty fails every endpoint.
	Endpoint string `json:"endpoint,omitempty"`
	// Error is the ErrorResponse error value (default general_error).
	Error string `json:"error,omitempty"`
	// Description is the error_description.
	Description string `json:"description,omitempty"`
	// Status overrides the HTTP status (such as 429).
	Status int `json:"status,omitempty"`
	// RetryAfter is sent as the Retry-After header when set ("120" or an HTTP date).
	RetryAfter string `json:"retryAfter,omitempty"`
	// Times is how many calls fail (default 1).
	Times int `json:"times,omitempty"`
}

// InjectFault makes the next f.Times calls to f.Endpoint fail with f.
func (s *Sim) InjectFault(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	if f.Error == "" {
		f.Error = errGeneral
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.faults = append(s.st.faults, f)
}

// injectFault answers with the first fault matching endpoint, if any.
func (s *Sim) injectFault(w http.ResponseWriter, endpoint string) bool {
	f, ok := s.takeFault(endpoint)
	if !ok {
		return false
	}
	status := f.Status
	if status == 0 {
		status = errorStatus[f.Error]
	}
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	desc := f.Description
	if desc == "" {
		desc = "injected fault"
	}
	writeJSON(w, status, apiError{Code: f.Error, Description: desc})
	return true
}

// takeFault consumes one call of the first fault matching endpoint.
func (s *Sim) takeFault(endpoint string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.st.faults {
		f := &s.st.faults[i]
		if f.Endpoint != "" && f.Endpoint != endpoint {
			continue
		}
		out := *f
		f.Times--
		if f.Times <= 0 {
			s.st.faults = append(s.st.faults[:i], s.st.faults[i+1:]...)
		}
		return out, true
	}
	return Fault{}, false
}
