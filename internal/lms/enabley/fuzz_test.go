package enabley

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// The seed corpora are the document's schemas (TokenResponse, ErrorResponse,
// PaginationResponse, UserInfo, GroupInfo, ChannelInfo, "External user
// channel performance") filled with example values, plus edge cases.
// `go test` runs the seeds; `go test -fuzz FuzzX` explores further.

const (
	docToken = `{"access_token":"eyJhbGciOiJIUzI1NiJ9.e30.sig","expires_in":3600000,"token_type":"bearer"}`
	docError = `{"error":"item_not_exists","error_description":"User with identifier \"u1\" does not exist"}`
	docUser  = `{"address":"1 Main St","created":"2017-12-13T13:14:28.317Z","customAttributes":{"age":42,"site":"Lyon","x":null},` +
		`"email":"Ann@Example.com","firstName":"Ann","identifier":"ann","isActive":true,"lastName":"Lee",` +
		`"modified":"2017-12-13T13:14:28.317Z","phone":"555","possibleRoles":["LEARNER","SITE_ADMIN"],` +
		`"userSubAccountNames":["emea"],"username":"ann"}`
	docGroup   = `{"created":"2017-12-13T13:14:28.317Z","identifier":"sales","modified":"2017-12-13T13:14:28.317Z","name":"Sales","parentIdentifier":"acme","subAccountName":"emea","type":"Department"}`
	docChannel = `{"availability":{"status":"ACTIVE"},"categories":["Safety"],"created":"2017-12-13T13:14:28.317Z","directLink":"https://x","duration":3600,` +
		`"identifier":"c1","masterChannelId":null,"masterChannelInstance":false,"name":"Safety","subAccountName":"emea","type":"COURSE"}`
	docPerf = `{"channelName":"Safety","completionDate":"2017-12-13T13:14:28.317Z","externalChannelId":"c1","externalUserId":"ann","progress":100,"score":87}`
)

func pageOf(item, key string) string {
	return `{"items":[` + item + `],"pageSize":100,"currentPage":1,"totalPages":2,"paginationKey":` + key + `}`
}

func addAll(f *testing.F, seeds ...string) {
	for _, s := range append(seeds, "", "null", "{}", "[]", `"x"`, "{", `{"items":null}`) {
		f.Add([]byte(s))
	}
}

func FuzzDecodeToken(f *testing.F) {
	addAll(f, docToken, `{"access_token":"","expires_in":-5}`, `{"access_token":"t","expires_in":2147483647}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := decodeToken(b)
		if err == nil && tok.AccessToken == "" {
			t.Error("decodeToken accepted a token answer without access_token")
		}
		if err != nil && tok.AccessToken != "" && strings.Contains(err.Error(), tok.AccessToken) {
			t.Error("decode error quotes the token")
		}
	})
}

func FuzzDecodeError(f *testing.F) {
	addAll(f, docError, `{"error":"invalid_client","error_description":"Bad client credentials"}`, `{"error":5}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		e, ok := decodeError(b)
		if ok && e.Error == "" {
			t.Error("decodeError reported an error response without error")
		}
	})
}

func FuzzHTTPError(f *testing.F) {
	for _, s := range []int{400, 401, 403, 404, 409, 429, 500, 503, 302, 200} {
		f.Add(s, []byte(docError), "120")
	}
	f.Add(429, []byte(`{"error":"item_exists"}`), "Sat, 01 Mar 2025 09:05:00 GMT")
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string) {
		h := http.Header{"Retry-After": {retryAfter}}
		e := httpError(opGetUser, status, h, body, time.Unix(1700000000, 0), redactor(func() string { return testSecret }))
		if e.Kind == "" || e.Op == "" || e.Code == "" || e.Message == "" {
			t.Errorf("incomplete error %+v", e)
		}
		if e.RetryAfter < 0 || e.RetryAfter > lms.MaxRetryAfter {
			t.Errorf("RetryAfter %v out of range", e.RetryAfter)
		}
		if strings.Contains(e.Message, testSecret) {
			t.Error("message leaks the secret")
		}
	})
}

func FuzzDecodeUserPage(f *testing.F) {
	addAll(f, pageOf(docUser, `"k2"`), pageOf(docUser, "null"), pageOf("", "null"), pageOf(`{"isActive":"yes"}`, "null"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodeUserPage(b)
		if err != nil {
			return
		}
		for _, in := range p.Items {
			checkRecord(t, in)
		}
	})
}

func FuzzDecodeUsers(f *testing.F) {
	addAll(f, "["+docUser+"]", `[{"identifier":"a"},{"identifier":"b","isActive":false}]`)
	f.Fuzz(func(t *testing.T, b []byte) {
		users, _ := decodeUsers(b) // nil on an error, a valid outcome for fuzzed input
		for _, in := range users {
			checkRecord(t, in)
		}
	})
}

func FuzzDecodeUser(f *testing.F) {
	addAll(f, docUser, `{"identifier":"a","customAttributes":{"n":[1,2],"o":{"p":true}}}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		if in, err := decodeUser(b); err == nil {
			checkUser(t, in)
		}
	})
}

// checkRecord decodes one list item on its own and checks the user read,
// or that a record refused has a reason.
func checkRecord(t *testing.T, raw json.RawMessage) {
	t.Helper()
	in, err := lms.DecodeRecord[userInfo](raw)
	if err != nil {
		if lms.RecordReason(raw, err) == "" {
			t.Errorf("record %s refused without a reason", raw)
		}
		return
	}
	checkUser(t, in)
}

// checkUser converts in and checks the result's invariants.
func checkUser(t *testing.T, in userInfo) {
	t.Helper()
	u := toUser(in)
	if u.ID != in.Identifier || u.Email != lms.NormalizeEmail(u.Email) {
		t.Errorf("toUser(%+v) = %+v", in, u)
	}
	if u.Role != "" {
		if _, err := enableyRole(u.Role); err != nil {
			t.Errorf("read a role the client cannot write: %q", u.Role)
		}
	}
}

func FuzzDecodeGroups(f *testing.F) {
	addAll(f, "["+docGroup+"]", `[{"identifier":"acme","type":"Company"}]`)
	f.Fuzz(func(t *testing.T, b []byte) {
		groups, err := decodeGroups(b)
		if err != nil {
			return
		}
		for _, in := range groups {
			if g := toGroup(in); g.ID != in.Identifier || !g.Active {
				t.Errorf("toGroup(%+v) = %+v", in, g)
			}
		}
	})
}

func FuzzDecodeGroup(f *testing.F) {
	addAll(f, docGroup)
	f.Fuzz(func(t *testing.T, b []byte) {
		if in, err := decodeGroup(b); err == nil && toGroup(in).Type != in.Type {
			t.Errorf("toGroup lost the type of %+v", in)
		}
	})
}

func FuzzDecodeHierarchy(f *testing.F) {
	addAll(f, `["Company","Department","Team"]`)
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = decodeHierarchy(b) })
}

func FuzzDecodeChannelPage(f *testing.F) {
	addAll(f, pageOf(docChannel, `"k"`), pageOf(docChannel, "null"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = decodeChannelPage(b) })
}

func FuzzDecodeChannels(f *testing.F) {
	addAll(f, "["+docChannel+"]")
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = decodeChannels(b) })
}

func FuzzDecodePerformancePage(f *testing.F) {
	addAll(f, pageOf(docPerf, "null"), pageOf(docPerf, `"k"`),
		pageOf(`{"externalUserId":"a","progress":250,"score":12.5,"completionDate":"yesterday"}`, "null"),
		pageOf(`{"externalUserId":"b","progress":-3,"completionDate":null}`, "null"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodePerformancePage(b)
		if err != nil {
			return
		}
		for _, it := range p.Items {
			pr := toProgress(it)
			if pr.Percent < 0 || pr.Percent > 100 {
				t.Errorf("percent %d out of range for %+v", pr.Percent, it)
			}
			if pr.CompletedAt != nil && !pr.Completed {
				t.Errorf("completion date without Completed for %+v", it)
			}
		}
	})
}
