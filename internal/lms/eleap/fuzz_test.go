package eleap

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// The document's examples (eleap-api-v1.txt and eleap-api-v2.txt), verbatim
// apart from line breaks, plus the simulator's shapes of undocumented answers.
const (
	docSuccess       = `{"response":{"status":"success","code":"200","message":"OK"}}`
	docSuccessBroken = `"response":{"status":"success","code":"200","message":"OK"}}`
	docInvalidKey    = `{"response":{"status":"fail","message":"Invalid API Key","code":4011}}`
	docCustomError   = `{"response":{"status":"fail","message":"Cannot add users. Account limits reached","code":4040}}`
	docUserList      = `{"response":{"status":"success","code":"200","message":"OK"},"users":[{"access_level":0, "first_name":"John", "middle_name":"", "last_name":"Doe", "email":"jojn.doe@example.com", "description":"Lorem ipsum dolor sit amet", "created":"2011-01-31 09:41:30"}, {"access_level":1, "first_name":"Lorem", "middle_name":"Ipsum", "last_name":"Dolor", "email":"lorem@example.com", "description":"test", "created":"2010-11-11 00:00:00"}]}`
	docSingleUser    = `{"response":{"status":"success","code":"200","message":"OK"},"user":[{"access_level":1, "first_name":"Lorem", "middle_name":"Ipsum", "last_name":"Dolor", "email":"victoras@gmail.com", "description":"TEST", "created":"2010-11-11 00:00:00"}]}`
	docCourses       = `{"response":{"status":"success","code":"200","message":"OK"},"courses":{"id":"1","name":"Course Name","description":"Course Description","active":"yes","created":"2023-08-21 10:45:08","deadline":"date","deadline_date":"2024-01-01","deadline_relative":"0","deadline_relative_unit":""}}`
	keyedUsers       = `{"response":{"status":"success","code":"200","message":"OK"},"users":{"2":{"id":2,"email":"B@x.io","active":"no"},"1":{"id":"1","email":"a@x.io","custom_fields":[{"name":"Department","value":"Sales"}]}}}`
	simPaths         = `{"response":{"status":"success","code":"200","message":"OK"},"learning_paths":[{"id":20,"name":"Onboarding","active":"no"}]}`
	simUser          = `{"response":{"status":"success","code":"200","message":"OK"},"user":[{"id":"2","access_level":0,"first_name":"John","middle_name":"","last_name":"Roe","email":"john@example.com","description":"","active":0,"custom_fields":[],"created":""}]}`
	simGroups        = `{"response":{"status":"success","code":"200","message":"OK"},"usergroups":[{"id":"1","name":"Sales","description":"","active":1,"created":""}]}`
	simGroupAdd      = `{"id":"5","response":{"status":"success","code":"200","message":"OK"}}`
	simCompletions   = `{"response":{"status":"success","code":"200","message":"OK"},"completions":[{"id_user":"1","email":"Jane.Doe@example.com","first_name":"Jane","last_name":"Doe","id_course":"10","course_name":"Safety","completed":"2025-03-01 12:00:00","score":"92.5"}]}`
	simActivity      = `{"response":{"status":"success","code":"200","message":"OK"},"activity":[{"id_user":"2","id_course":"11","course_name":"Privacy","status":"in progress","progress":40,"score":"","completed":""}]}`
)

// addSeeds adds each body with status 200 and no Retry-After.
func addSeeds(f *testing.F, bodies ...string) {
	for _, b := range bodies {
		f.Add(http.StatusOK, "", []byte(b))
	}
}

// checkDecode decodes body into out and checks the invariants every answer
// keeps: no panic, a classified error, no success for an HTTP error status.
func checkDecode(t *testing.T, status int, retryAfter string, body []byte, out any) error {
	a := answer{status: status, header: http.Header{"Retry-After": {retryAfter}}, body: body}
	err := decodeResponse("users/", a, testNow, out)
	if err == nil && (status >= 400 || status == http.StatusTooManyRequests) {
		t.Fatalf("HTTP %d decoded as success", status)
	}
	if err != nil && lms.KindOf(err) == "" {
		t.Fatalf("error %v is not an *lms.Error", err)
	}
	if d, ok := lms.RetryAfter(err); ok && (d < 0 || d > 24*time.Hour) {
		t.Fatalf("retry after %s is out of range", d)
	}
	return err
}

func FuzzDecodeResponse(f *testing.F) {
	addSeeds(f, docSuccess, docSuccessBroken, docInvalidKey, docCustomError, docUserList, docCourses, "", "null", "{}")
	f.Add(http.StatusTooManyRequests, "120", []byte("too many connections"))
	f.Add(http.StatusTooManyRequests, "Mon, 02 Jun 2025 09:31:30 GMT", []byte(""))
	f.Add(http.StatusUnauthorized, "", []byte(docInvalidKey))
	f.Add(http.StatusBadGateway, "", []byte("<html>"))
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		if status < 100 || status > 599 {
			t.Skip()
		}
		// checkDecode asserts the invariants; an error is a valid outcome for fuzzed input.
		_ = checkDecode(t, status, retryAfter, body, nil)
	})
}

func FuzzDecodeUsers(f *testing.F) {
	addSeeds(f, docUserList, keyedUsers, `{"response":{"status":"success"},"users":false}`)
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		var ans usersAnswer
		if checkDecode(t, status, retryAfter, body, &ans) == nil {
			for _, u := range toUsers(ans.Users) {
				if u.Email != lms.NormalizeEmail(u.Email) {
					t.Fatalf("email %q is not normalized", u.Email)
				}
			}
		}
	})
}

func FuzzDecodeUser(f *testing.F) {
	addSeeds(f, docSingleUser, simUser, strings.Replace(simUser, `"custom_fields":[]`, `"custom_fields":{"Department":"Sales","Age":42}`, 1))
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		var ans userAnswer
		if checkDecode(t, status, retryAfter, body, &ans) == nil {
			toUsers(ans.User)
		}
	})
}

func FuzzDecodeGroups(f *testing.F) {
	addSeeds(f, simGroups, strings.Replace(simGroups, `"usergroups"`, `"usergroup"`, 1), simGroupAdd)
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		var list groupsAnswer
		var one groupAnswer
		var add addAnswer
		for _, out := range []any{&list, &one, &add} {
			// checkDecode asserts the invariants; an error is a valid outcome for fuzzed input.
			_ = checkDecode(t, status, retryAfter, body, out)
		}
		for _, d := range append(list.UserGroups, one.UserGroup...) {
			if g := toGroup(d); g.ID != strings.TrimSpace(g.ID) {
				t.Fatalf("group ID %q is not trimmed", g.ID)
			}
		}
	})
}

func FuzzDecodeTargets(f *testing.F) {
	addSeeds(f, docCourses, simPaths)
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		var ans struct {
			coursesAnswer
			pathsAnswer
		}
		if checkDecode(t, status, retryAfter, body, &ans) == nil {
			toTargets(lms.TargetCourse, ans.Courses)
			toTargets(lms.TargetLearningPath, ans.LearningPaths)
		}
	})
}

func FuzzDecodeCompletions(f *testing.F) {
	addSeeds(f, simCompletions, strings.Replace(simCompletions, `"score":"92.5"`, `"score":92.5`, 1))
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		var ans completionsAnswer
		if checkDecode(t, status, retryAfter, body, &ans) == nil {
			for _, c := range ans.Completions {
				parseTime(string(c.Completed))
				c.Score.ptr()
			}
		}
	})
}

func FuzzDecodeActivity(f *testing.F) {
	addSeeds(f, simActivity, strings.Replace(simActivity, `"status":"in progress","progress":40`, `"status":"completed","progress":"100%"`, 1))
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		var ans activityAnswer
		if checkDecode(t, status, retryAfter, body, &ans) == nil {
			p := fromActivity(ans.Activity, "11")
			if p.Percent < 0 || p.Percent > 100 {
				t.Fatalf("percent %d is out of range", p.Percent)
			}
		}
	})
}
