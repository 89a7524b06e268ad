package eleap

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/lmstest"
)

func TestDecodeResponseClassifies(t *testing.T) {
	type args struct {
		status     int
		retryAfter string
		body       string
	}
	cases := map[string]struct {
		reason string
		args   args
		want   *lms.Error
	}{
		"Success": {"a success envelope is no error",
			args{http.StatusOK, "", docSuccess}, nil},
		"InvalidKeyIn200": {"4011 in a 200 body is InvalidCredentials, with eLeaP's words",
			args{http.StatusOK, "", docInvalidKey},
			&lms.Error{Kind: lms.KindInvalidCredentials, Op: "eleap users/", Code: "4011", Message: "Invalid API Key"}},
		"CustomMessage": {"4040 is InvalidRequest with eLeaP's message",
			args{http.StatusOK, "", docCustomError},
			&lms.Error{Kind: lms.KindInvalidRequest, Op: "eleap users/", Code: "4040", Message: "Cannot add users. Account limits reached"}},
		"AlreadyAssigned": {"a 4040 saying the assignment exists is AlreadyExists",
			args{http.StatusOK, "", `{"response":{"status":"fail","message":"The user is already assigned to this course","code":4040}}`},
			&lms.Error{Kind: lms.KindAlreadyExists, Op: "eleap users/", Code: "4040", Message: "The user is already assigned to this course"}},
		"InvalidCall": {"404 Invalid API call is a wrong URL: InvalidRequest sending the user to spec.endpoint, never NotFound",
			args{http.StatusOK, "", `{"response":{"status":"fail","message":"Invalid API call","code":404}}`},
			&lms.Error{Kind: lms.KindInvalidRequest, Op: "eleap users/", Code: "404", Message: fmt.Sprintf(msgWrongURL, "Invalid API call")}},
		"NoData": {"4041 is NotFound with its code, which lists take as none",
			args{http.StatusOK, "", `{"response":{"status":"fail","message":"Requested item(s) not found","code":4041}}`},
			&lms.Error{Kind: lms.KindNotFound, Op: "eleap users/", Code: "4041", Message: "Requested item(s) not found"}},
		"HTTP429": {"an HTTP 429 is RateLimited with its Retry-After",
			args{http.StatusTooManyRequests, "30", ""},
			&lms.Error{Kind: lms.KindRateLimited, Op: "eleap users/", Code: "429", Message: msgRateLimited, RetryAfter: 30 * time.Second}},
		"ServerError": {"a 5xx is Transient whatever its body",
			args{http.StatusBadGateway, "", docSuccess},
			&lms.Error{Kind: lms.KindTransient, Op: "eleap users/", Code: "502", Message: "eLeaP answered HTTP 502"}},
		"HTMLErrorPage": {"an error status without envelope is classified by the status",
			args{http.StatusForbidden, "", "<html>no</html>"},
			&lms.Error{Kind: lms.KindForbidden, Op: "eleap users/", Code: "403", Message: "Forbidden"}},
		"FailWithoutCode": {"a fail envelope without a code takes the HTTP status as its code",
			args{http.StatusUnauthorized, "", `{"response":{"status":"fail","message":"nope"}}`},
			&lms.Error{Kind: lms.KindInvalidCredentials, Op: "eleap users/", Code: "401", Message: "nope"}},
		"UndocumentedCode": {"an undocumented code is Transient and says so",
			args{http.StatusOK, "", `{"response":{"status":"fail","message":"boom","code":4999}}`},
			&lms.Error{Kind: lms.KindTransient, Op: "eleap users/", Code: "4999", Message: msgUnknownCode + ": boom"}},
		"NoEnvelope": {"JSON without the response object is Transient",
			args{http.StatusOK, "", `{"users":[]}`},
			&lms.Error{Kind: lms.KindTransient, Op: "eleap users/", Message: msgNoEnvelope}},
		"OddStatus": {"a status that is neither success nor fail is Transient",
			args{http.StatusOK, "", `{"response":{"status":"maybe"}}`},
			&lms.Error{Kind: lms.KindTransient, Op: "eleap users/", Message: `eLeaP's answer has status "maybe", neither success nor fail`}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := answer{status: tc.args.status, header: http.Header{"Retry-After": {tc.args.retryAfter}}, body: []byte(tc.args.body)}
			got := lmstest.AsError(decodeResponse("users/", a, testNow, nil))
			if diff := cmp.Diff(tc.want, got, lmstest.IgnoreCause); diff != "" {
				t.Errorf("%s\ndecodeResponse: -want +got:\n%s", tc.reason, diff)
			}
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
