package exceedsim

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	clocktesting "k8s.io/utils/clock/testing"
)

// xmlAnswer is the parse of an XML answer: its root and its elements, in order.
type xmlAnswer struct {
	root     string
	elements []string
}

// parseXML reads an XML answer as "name[type=...][nil=...]=text" lines.
func parseXML(t *testing.T, body string) xmlAnswer {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(body))
	var out xmlAnswer
	var current string
	for {
		tok, err := d.Token()
		if err != nil {
			return out
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if out.root == "" {
				out.root = tok.Name.Local
				continue
			}
			current = tok.Name.Local
			for _, a := range tok.Attr {
				current += "[" + a.Name.Local + "=" + a.Value + "]"
			}
			out.elements = append(out.elements, current+"=")
		case xml.CharData:
			if n := len(out.elements); n > 0 && current != "" {
				out.elements[n-1] += string(tok)
			}
		case xml.EndElement:
			current = ""
		}
	}
}

// containsAll returns the elements of want that got lacks.
func containsAll(got, want []string) []string {
	var missing []string
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			missing = append(missing, w)
		}
	}
	return missing
}

func TestXMLAnswersAsDocumented(t *testing.T) {
	cases := map[string]struct {
		reason      string
		method      string
		target      string
		body        string
		wantStatus  int
		wantRoot    string
		wantElement []string
	}{
		"Create": {"create answers the document's <user> with typed and nil attributes",
			http.MethodPost, "/api/v2/users?api_key=" + testKey, `{"user": {"first_name": "tim", "last_name": "tim", "login": "tim", "password": "tim"}}`,
			http.StatusCreated, "user",
			[]string{"id[type=integer]=2", "first-name=tim", "full-name=tim tim", "code[nil=true]=", "custom-a[nil=true]=",
				"is-active[type=boolean]=true", "authority=student", "account-id[type=integer]=1", "hired-on[type=date][nil=true]="}},
		"Read": {"read answers the document's <user>",
			http.MethodGet, "/api/v2/users/1?api_key=" + testKey, "", http.StatusOK, "user",
			[]string{"id[type=integer]=1", "code=c1", "email=a&b@example.com", "is-active[type=boolean]=true"}},
		"Taken": {"a refused create lists its reasons in XML",
			http.MethodPost, "/api/v2/users?api_key=" + testKey, `{"user": {"first_name": "a", "last_name": "b", "login": "a&b@example.com", "password": "p"}}`,
			http.StatusUnprocessableEntity, "errors", []string{"error=Login has already been taken"}},
		"NotFound": {"every error answer is XML",
			http.MethodGet, "/api/v2/users/99?api_key=" + testKey, "", http.StatusNotFound, "errors", []string{"error=User not found"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := New(Seed{APIKeys: []string{testKey}, XMLAnswers: true, Users: []User{seedUser(1, "c1", "a&b@example.com")}})
			s.SetClock(clocktesting.NewFakePassiveClock(t0))
			r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			r.Header.Set("Content-Type", jsonType)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			got := parseXML(t, w.Body.String())
			if w.Code != tc.wantStatus || got.root != tc.wantRoot || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/xml") {
				t.Fatalf("%s\n%s %s = %d %s (%s), want %d <%s>", tc.reason, tc.method, tc.target, w.Code, w.Header().Get("Content-Type"),
					w.Body.String(), tc.wantStatus, tc.wantRoot)
			}
			if missing := containsAll(got.elements, tc.wantElement); len(missing) > 0 {
				t.Errorf("%s\nanswer %s lacks %q", tc.reason, w.Body.String(), missing)
			}
		})
	}
}

func TestListsStayJSONWithXMLAnswers(t *testing.T) {
	s := New(Seed{APIKeys: []string{testKey}, XMLAnswers: true, Users: []User{seedUser(1, "c1", "a@example.com")}})
	status, body := call(t, s, http.MethodGet, "/api/v2/users?fields=id&api_key="+testKey, "", "")
	if diff := cmp.Diff([]int64{1}, listIDs(t, body)); status != http.StatusOK || diff != "" {
		t.Errorf("list = %d %s: want the document's JSON list (-want +got):\n%s", status, body, diff)
	}
}
