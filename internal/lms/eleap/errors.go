package eleap

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// The client's own messages (vendor messages are passed on as sent).
const (
	msgMalformed    = "eLeaP sent an answer that is not the documented JSON"
	msgNoEnvelope   = "eLeaP's answer has no \"response\" object"
	msgOddStatus    = "eLeaP's answer has status %q, neither success nor fail"
	msgServerStatus = "eLeaP answered HTTP %d"
	msgRateLimited  = "eLeaP's hourly request limit is reached"
	msgUnknownCode  = "eLeaP failed with an undocumented code"
	msgWrongURL     = "%s: eLeaP has no such API call, the URL is wrong; check spec.endpoint (eLeaP's is https://<subdomain>.2leap.com/api)"
)

// The eLeaP fail codes (document v2, "Error codes").
const (
	codeMissingToken = 401
	codeInvalidToken = 4011
	codeForbidden    = 403
	codeInvalidCall  = 404
	codeCustom       = 4040
	codeNoData       = 4041
)

// opName is the lms.Error Op of an endpoint: "eleap users/add".
func opName(endpoint string) string { return "eleap " + endpoint }

// classifyAnswer returns nil for a success answer, else the classified
// *lms.Error. Failures are read from the body as well as from the HTTP
// status, since eLeaP sends them with HTTP 200 too.
func classifyAnswer(op string, a answer, env envelope, envErr error, now time.Time) error {
	switch {
	case a.status == http.StatusTooManyRequests:
		return rateLimited(op, "", "", a.header.Get("Retry-After"), now)
	case a.status >= 500:
		return &lms.Error{Kind: lms.KindTransient, Op: op, Code: strconv.Itoa(a.status), Message: fmt.Sprintf(msgServerStatus, a.status)}
	case envErr != nil || env.Response == nil:
		return undecodable(op, a, envErr, now)
	}
	r := env.Response
	if r.Status == "fail" || a.status >= 400 {
		return failure(op, a, r, now)
	}
	if r.Status != "success" {
		return &lms.Error{Kind: lms.KindTransient, Op: op, Message: fmt.Sprintf(msgOddStatus, r.Status)}
	}
	return nil
}

// undecodable classifies an answer without a JSON envelope: by its HTTP
// status when that is an error, else as a malformed (Transient) answer.
func undecodable(op string, a answer, err error, now time.Time) error {
	if a.status >= 400 {
		return classify(op, a.status, http.StatusText(a.status), a, now)
	}
	if err == nil {
		return &lms.Error{Kind: lms.KindTransient, Op: op, Message: msgNoEnvelope}
	}
	return &lms.Error{Kind: lms.KindTransient, Op: op, Message: msgMalformed, Err: err}
}

// failure classifies a fail envelope by its code, or by the HTTP status
// when the body carries no numeric code.
func failure(op string, a answer, r *status, now time.Time) error {
	code, err := strconv.Atoi(strings.TrimSpace(string(r.Code)))
	if err != nil || code == 0 || code == http.StatusOK {
		code = a.status
	}
	return classify(op, code, string(r.Message), a, now)
}

// classify maps an eLeaP code (or HTTP status) to an *lms.Error.
func classify(op string, code int, message string, a answer, now time.Time) error {
	kind := lms.KindTransient
	switch code {
	case codeMissingToken, codeInvalidToken:
		kind = lms.KindInvalidCredentials
	case codeForbidden:
		kind = lms.KindForbidden
	case codeInvalidCall:
		// "Invalid API call: the URL is incorrect": not an item that is
		// missing, but a connection that points at the wrong place.
		kind, message = lms.KindInvalidRequest, fmt.Sprintf(msgWrongURL, message)
	case codeNoData:
		kind = lms.KindNotFound
	case codeCustom, http.StatusBadRequest, http.StatusUnprocessableEntity:
		kind = lms.KindInvalidRequest
		if alreadyDone(message) {
			kind = lms.KindAlreadyExists
		}
	case http.StatusTooManyRequests:
		return rateLimited(op, strconv.Itoa(code), message, a.header.Get("Retry-After"), now)
	default:
		message = strings.TrimSpace(msgUnknownCode + ": " + message)
	}
	return &lms.Error{Kind: kind, Op: op, Code: strconv.Itoa(code), Message: message}
}

// alreadyDone recognises eLeaP's 4040 messages that say the object exists
// or the assignment is made already ("... already exists", "already assigned").
func alreadyDone(message string) bool {
	m := strings.ToLower(message)
	if strings.Contains(m, "duplicate") {
		return true
	}
	if !strings.Contains(m, "already") {
		return false
	}
	for _, w := range []string{"exist", "registered", "in use", "taken", "assigned", "member"} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// rateLimited is the error of an HTTP 429.
func rateLimited(op, code, message, retryAfter string, now time.Time) error {
	if code == "" {
		code = strconv.Itoa(http.StatusTooManyRequests)
	}
	if message == "" {
		message = msgRateLimited
	}
	d, _ := lms.ParseRetryAfter(retryAfter, now)
	return &lms.Error{Kind: lms.KindRateLimited, Op: op, Code: code, Message: message, RetryAfter: d}
}

// doError classifies an error of http.Client.Do: an *lms.Error inside (the
// budget transport's RateLimited) keeps its kind; anything else is Transient.
func doError(endpoint string, err error) error {
	var le *lms.Error
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", opName(endpoint), err)
	}
	return &lms.Error{Kind: lms.KindTransient, Op: opName(endpoint), Err: err}
}

// safe bounds and redacts the message of an error built from eLeaP's
// answer (lms.SafeMessage), should eLeaP ever echo the token or a URL.
func safe(err error, token string) error {
	var le *lms.Error
	if errors.As(err, &le) {
		le.Message = lms.SafeMessage(le.Message, token)
	}
	return err
}

// isNoData reports whether err is eLeaP's 4041 "Requested item(s) not
// found": the answer eLeaP gives for an empty list or a missing item. A 404
// (a wrong URL) is not.
func isNoData(err error) bool {
	var le *lms.Error
	return errors.As(err, &le) && le.Kind == lms.KindNotFound && le.Code == strconv.Itoa(codeNoData)
}

// ignoreNoData returns nil for eLeaP's 4041, err otherwise: an empty list,
// or a delete or unassignment of what is not there.
func ignoreNoData(err error) error {
	if isNoData(err) {
		return nil
	}
	return err
}
