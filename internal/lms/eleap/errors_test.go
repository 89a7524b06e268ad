package eleap

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/lmstest"
)

func TestDecodeResponseClassifies(t *testing.T) {
	const op = "eleap users/"
	cases := map[string]struct {
		reason string
		args   lmstest.Answer
		want   *lms.Error
	}{
		"Success": {"a success envelope is no error",
			lmstest.Answer{Status: http.StatusOK, Body: docSuccess}, nil},
		"InvalidKeyIn200": {"4011 in a 200 body is InvalidCredentials, with eLeaP's words",
			lmstest.Answer{Status: http.StatusOK, Body: docInvalidKey},
			&lms.Error{Kind: lms.KindInvalidCredentials, Op: op, Code: "4011", Message: "Invalid API Key"}},
		"CustomMessage": {"4040 is InvalidRequest with eLeaP's message",
			lmstest.Answer{Status: http.StatusOK, Body: docCustomError},
			&lms.Error{Kind: lms.KindInvalidRequest, Op: op, Code: "4040", Message: "Cannot add users. Account limits reached"}},
		"AlreadyAssigned": {"a 4040 saying the assignment exists is AlreadyExists",
			lmstest.Answer{Status: http.StatusOK, Body: `{"response":{"status":"fail","message":"The user is already assigned to this course","code":4040}}`},
			&lms.Error{Kind: lms.KindAlreadyExists, Op: op, Code: "4040", Message: "The user is already assigned to this course"}},
		"InvalidCall": {"404 Invalid API call is a wrong URL: InvalidRequest sending the user to spec.endpoint, never NotFound",
			lmstest.Answer{Status: http.StatusOK, Body: `{"response":{"status":"fail","message":"Invalid API call","code":404}}`},
			&lms.Error{Kind: lms.KindInvalidRequest, Op: op, Code: "404", Message: fmt.Sprintf(msgWrongURL, "Invalid API call")}},
		"NoData": {"4041 is NotFound with its code, which lists take as none",
			lmstest.Answer{Status: http.StatusOK, Body: `{"response":{"status":"fail","message":"Requested item(s) not found","code":4041}}`},
			&lms.Error{Kind: lms.KindNotFound, Op: op, Code: "4041", Message: "Requested item(s) not found"}},
		"HTTP429": {"an HTTP 429 is RateLimited with its Retry-After",
			lmstest.Answer{Status: http.StatusTooManyRequests, RetryAfter: "30", Body: ""},
			&lms.Error{Kind: lms.KindRateLimited, Op: op, Code: "429", Message: msgRateLimited, RetryAfter: 30 * time.Second}},
		"ServerError": {"a 5xx is Transient whatever its body",
			lmstest.Answer{Status: http.StatusBadGateway, Body: docSuccess},
			&lms.Error{Kind: lms.KindTransient, Op: op, Code: "502", Message: "eLeaP answered HTTP 502"}},
		"HTMLErrorPage": {"an error status without envelope is classified by the status",
			lmstest.Answer{Status: http.StatusForbidden, Body: "<html>no</html>"},
			&lms.Error{Kind: lms.KindForbidden, Op: op, Code: "403", Message: "Forbidden"}},
		"FailWithoutCode": {"a fail envelope without a code takes the HTTP status as its code",
			lmstest.Answer{Status: http.StatusUnauthorized, Body: `{"response":{"status":"fail","message":"nope"}}`},
			&lms.Error{Kind: lms.KindInvalidCredentials, Op: op, Code: "401", Message: "nope"}},
		"UndocumentedCode": {"an undocumented code is Transient and says so",
			lmstest.Answer{Status: http.StatusOK, Body: `{"response":{"status":"fail","message":"boom","code":4999}}`},
			&lms.Error{Kind: lms.KindTransient, Op: op, Code: "4999", Message: msgUnknownCode + ": boom"}},
		"NoEnvelope": {"JSON without the response object is Transient",
			lmstest.Answer{Status: http.StatusOK, Body: `{"users":[]}`},
			&lms.Error{Kind: lms.KindTransient, Op: op, Message: msgNoEnvelope}},
		"OddStatus": {"a status that is neither success nor fail is Transient",
			lmstest.Answer{Status: http.StatusOK, Body: `{"response":{"status":"maybe"}}`},
			&lms.Error{Kind: lms.KindTransient, Op: op, Message: `eLeaP's answer has status "maybe", neither success nor fail`}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := answer{status: tc.args.Status, header: tc.args.Header(), body: []byte(tc.args.Body)}
			got := lmstest.AsError(decodeResponse("users/", a, testNow, nil))
			lmstest.Check(t, tc.reason, "decodeResponse", tc.want, got, lmstest.IgnoreCause)
		})
	}
}

func TestIsNoData(t *testing.T) {
	cases := map[string]struct {
		reason string
		err    error
		want   bool
	}{
		"NoData":      {"4041 is eLeaP's no data", &lms.Error{Kind: lms.KindNotFound, Code: "4041"}, true},
		"Wrapped":     {"a wrapped 4041 is no data too", errors.Join(errors.New("x"), &lms.Error{Kind: lms.KindNotFound, Code: "4041"}), true},
		"InvalidCall": {"404 (a wrong URL) is not no data", &lms.Error{Kind: lms.KindNotFound, Code: "404"}, false},
		"Other":       {"another kind is not no data", &lms.Error{Kind: lms.KindTransient, Code: "4041"}, false},
		"Nil":         {"no error is not no data", nil, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := isNoData(tc.err); got != tc.want {
				t.Errorf("%s\nisNoData(%v) = %v, want %v", tc.reason, tc.err, got, tc.want)
			}
		})
	}
}
