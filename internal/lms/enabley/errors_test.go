package enabley

import (
	"net/http"
	"testing"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/lmstest"
)

func TestHTTPErrorClassifies(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		reason string
		args   lmstest.Answer
		want   *lms.Error
	}{
		"ErrorValueWins": {"the document's error value classifies, whatever the status",
			lmstest.Answer{Status: http.StatusBadRequest, Body: `{"error":"item_not_exists","error_description":"User u1 does not exist"}`},
			&lms.Error{Kind: lms.KindNotFound, Op: "enabley " + opGetUser, Code: "item_not_exists", Message: "User u1 does not exist"}},
		"ItemExists": {"item_exists is AlreadyExists",
			lmstest.Answer{Status: http.StatusBadRequest, Body: `{"error":"item_exists","error_description":"Username taken"}`},
			&lms.Error{Kind: lms.KindAlreadyExists, Op: "enabley " + opGetUser, Code: "item_exists", Message: "Username taken"}},
		"UnknownValue": {"an error value the document does not list is classified by the status",
			lmstest.Answer{Status: http.StatusConflict, Body: `{"error":"weird","error_description":"Huh"}`},
			&lms.Error{Kind: lms.KindAlreadyExists, Op: "enabley " + opGetUser, Code: "weird", Message: "Huh"}},
		"RateLimited": {"429 is RateLimited whatever the body says, with its Retry-After",
			lmstest.Answer{Status: http.StatusTooManyRequests, RetryAfter: "120", Body: `{"error":"invalid_request","error_description":"slow down"}`},
			&lms.Error{Kind: lms.KindRateLimited, Op: "enabley " + opGetUser, Code: "invalid_request", Message: "slow down", RetryAfter: 2 * time.Minute}},
		"EmptyBody": {"an empty body gets the status as code and its text as message",
			lmstest.Answer{Status: http.StatusServiceUnavailable, Body: ""},
			&lms.Error{Kind: lms.KindTransient, Op: "enabley " + opGetUser, Code: "503", Message: "HTTP 503 Service Unavailable"}},
		"Redacted": {"the secret is redacted from the vendor's words",
			lmstest.Answer{Status: http.StatusUnauthorized, Body: `{"error":"invalid_client","error_description":"secret ` + testSecret + ` refused"}`},
			&lms.Error{Kind: lms.KindInvalidCredentials, Op: "enabley " + opGetUser, Code: "invalid_client", Message: "secret [redacted] refused"}},
	}
	redact := redactor(func() string { return testSecret })
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := tc.args.Header()
			got := httpError(opGetUser, tc.args.Status, h, []byte(tc.args.Body), now, redact)
			lmstest.Check(t, tc.reason, "httpError", tc.want, got, lmstest.IgnoreCause)
		})
	}
}
