package eleapsim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// The eLeaP error codes.
const (
	codeMissingToken = 401
	codeInvalidToken = 4011
	codeForbidden    = 403
	codeInvalidCall  = 404
	codeCustom       = 4040
	codeNotFound     = 4041
	codeTooMany      = 429
)

// The document's messages, and the simulator's own for 4040 and 4041.
const (
	msgMissingToken  = "Request missing api token"
	msgInvalidToken  = "Invalid API Key"
	msgForbidden     = "You don't have permission for this resource"
	msgInvalidCall   = "Invalid API call"
	msgNotFound      = "Requested item(s) not found"
	msgTooMany       = "Too many connections"
	msgServerError   = "Internal server error"
	msgValidation    = "Sent data failed validation"
	msgBadBody       = "Malformed request body"
	msgMissingArg    = "Missing required argument '%s'"
	msgBadArg        = "Invalid value for argument '%s': %s"
	msgDuplicate     = "A user with the email address '%s' already exists"
	msgUserNotFound  = "User not found"
	msgGroupNotFound = "User group not found"
	msgItemNotFound  = "The %s was not found"
	msgNoData        = "No %s found"
	msgAlready       = "The %s is already assigned to this %s"
	msgNotAssigned   = "The %s is not assigned to this %s"
	msgUnknownField  = "Unknown custom field '%s'"
	msgCompanyFields = "The company has no custom fields"
	msgNoCompletions = "No courses completed in the last 24 hours"
	msgNoActivity    = "The user is not assigned to this course"
)

// An apiError is a failure answered with a fail envelope.
type apiError struct {
	code    int
	message string
}

// fail returns an apiError.
func fail(code int, message string) *apiError { return &apiError{code: code, message: message} }

// okEnvelope is the success "response" object; code is a string, as documented.
type okEnvelope struct {
	Status  string `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// failEnvelope is the fail "response" object; code is a number, as documented.
type failEnvelope struct {
	Status  string `json:"status"`
	Message string `json:"message"`
	Code    int    `json:"code"`
}

// writeSuccess answers payload with the success envelope.
func writeSuccess(w http.ResponseWriter, payload map[string]any) {
	if payload == nil {
		payload = map[string]any{}
	}
	payload["response"] = okEnvelope{Status: "success", Code: "200", Message: "OK"}
	writeJSON(w, http.StatusOK, payload)
}

// writeFail answers e with the fail envelope and the mode's HTTP status.
func (s *Sim) writeFail(w http.ResponseWriter, e *apiError) {
	status := http.StatusOK
	if s.httpErrorStatus {
		status = httpStatusFor(e.code)
	}
	writeJSON(w, status, map[string]any{"response": failEnvelope{Status: "fail", Message: e.message, Code: e.code}})
}

// httpStatusFor maps an eLeaP code to the HTTP status sent with it in
// HTTPErrorStatus mode.
func httpStatusFor(code int) int {
	switch code {
	case codeMissingToken, codeInvalidToken:
		return http.StatusUnauthorized
	case codeForbidden:
		return http.StatusForbidden
	case codeInvalidCall, codeNotFound:
		return http.StatusNotFound
	case codeCustom:
		return http.StatusBadRequest
	}
	if code >= 400 && code < 600 {
		return code
	}
	return http.StatusInternalServerError
}

// writeJSON writes v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// FailNext queues f: the next API call matching f.Endpoint gets f's answer
// instead of being served. Failures are used in the order queued.
func (s *Sim) FailNext(f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, f)
}

// takeFailure removes and returns the first queued failure matching ep.
func (s *Sim) takeFailure(ep string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.failures {
		if f.Endpoint == "" || f.Endpoint == ep {
			s.failures = append(s.failures[:i], s.failures[i+1:]...)
			return f, true
		}
	}
	return Failure{}, false
}

// writeFailure answers a forced failure.
func (s *Sim) writeFailure(w http.ResponseWriter, f Failure) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(cmp.Or(f.HTTPStatus, http.StatusOK))
		_, _ = w.Write([]byte(f.Body))
		return
	}
	code := cmp.Or(f.Code, f.HTTPStatus, codeCustom)
	e := fail(code, cmp.Or(f.Message, defaultMessage(code)))
	if f.HTTPStatus == 0 {
		s.writeFail(w, e)
		return
	}
	writeJSON(w, f.HTTPStatus, map[string]any{"response": failEnvelope{Status: "fail", Message: e.message, Code: e.code}})
}

// defaultMessage is the document's wording for code.
func defaultMessage(code int) string {
	switch code {
	case codeMissingToken:
		return msgMissingToken
	case codeInvalidToken:
		return msgInvalidToken
	case codeForbidden:
		return msgForbidden
	case codeInvalidCall:
		return msgInvalidCall
	case codeNotFound:
		return msgNotFound
	case codeTooMany:
		return msgTooMany
	case codeCustom:
		return msgValidation
	}
	return msgServerError
}

// A form is a call's arguments, from the query and the form-encoded body.
type form struct{ values map[string][]string }

// get returns the argument name, trimmed.
func (f form) get(name string) string {
	if v := f.values[name]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// has reports whether the argument name was sent (possibly empty).
func (f form) has(name string) bool { return len(f.values[name]) > 0 }

// require fails with 4040 naming the first missing or empty argument.
func (f form) require(names ...string) *apiError {
	for _, n := range names {
		if f.get(n) == "" {
			return failf(codeCustom, msgMissingArg, n)
		}
	}
	return nil
}

// flag reads a 1/0 argument; def applies when it is absent.
func (f form) flag(name string, def bool) (bool, *apiError) {
	switch f.get(name) {
	case "":
		return def, nil
	case "1":
		return true, nil
	case "0":
		return false, nil
	}
	return false, failf(codeCustom, msgBadArg, name, "must be 1 or 0")
}

// order reads the optional order argument as a sign: 1 asc, -1 desc.
func (f form) order() (int, *apiError) {
	switch strings.ToLower(f.get("order")) {
	case "", "asc":
		return 1, nil
	case "desc":
		return -1, nil
	}
	return 0, failf(codeCustom, msgBadArg, "order", "must be 'asc' or 'desc'")
}

// failf returns an apiError with a formatted message.
func failf(code int, format string, args ...any) *apiError {
	return fail(code, fmt.Sprintf(format, args...))
}
