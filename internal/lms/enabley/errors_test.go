package enabley

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/lmstest"
)

func TestHTTPErrorClassifies(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
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
		"ErrorValueWins": {"the document's error value classifies, whatever the status",
			args{http.StatusBadRequest, "", `{"error":"item_not_exists","error_description":"User u1 does not exist"}`},
			&lms.Error{Kind: lms.KindNotFound, Op: "enabley " + opGetUser, Code: "item_not_exists", Message: "User u1 does not exist"}},
		"ItemExists": {"item_exists is AlreadyExists",
			args{http.StatusBadRequest, "", `{"error":"item_exists","error_description":"Username taken"}`},
			&lms.Error{Kind: lms.KindAlreadyExists, Op: "enabley " + opGetUser, Code: "item_exists", Message: "Username taken"}},
		"UnknownValue": {"an error value the document does not list is classified by the status",
			args{http.StatusConflict, "", `{"error":"weird","error_description":"Huh"}`},
			&lms.Error{Kind: lms.KindAlreadyExists, Op: "enabley " + opGetUser, Code: "weird", Message: "Huh"}},
		"RateLimited": {"429 is RateLimited whatever the body says, with its Retry-After",
			args{http.StatusTooManyRequests, "120", `{"error":"invalid_request","error_description":"slow down"}`},
			&lms.Error{Kind: lms.KindRateLimited, Op: "enabley " + opGetUser, Code: "invalid_request", Message: "slow down", RetryAfter: 2 * time.Minute}},
		"EmptyBody": {"an empty body gets the status as code and its text as message",
			args{http.StatusServiceUnavailable, "", ""},
			&lms.Error{Kind: lms.KindTransient, Op: "enabley " + opGetUser, Code: "503", Message: "HTTP 503 Service Unavailable"}},
		"Redacted": {"the secret is redacted from the vendor's words",
			args{http.StatusUnauthorized, "", `{"error":"invalid_client","error_description":"secret ` + testSecret + ` refused"}`},
			&lms.Error{Kind: lms.KindInvalidCredentials, Op: "enabley " + opGetUser, Code: "invalid_client", Message: "secret [redacted] refused"}},
	}
	redact := redactor(func() string { return testSecret })
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := http.Header{"Retry-After": {tc.args.retryAfter}}
			got := httpError(opGetUser, tc.args.status, h, []byte(tc.args.body), now, redact)
			if diff := cmp.Diff(tc.want, got, lmstest.IgnoreCause); diff != "" {
				t.Errorf("%s\nhttpError: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
