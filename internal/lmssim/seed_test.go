package lmssim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
)

const seedYAML = `
eleap:
  apiTokens: [tok-1]
  courses:
    - {id: "7", name: Safety, active: true}
  users:
    - {firstName: Ann, lastName: Lee, email: ann@example.com}
enabley:
  clients:
    - {clientKey: ck, secret: s3}
  groupHierarchy: [Company, Team]
exceed:
  apiKeys: [key-1]
  users:
    - {login: bo, first_name: Bo, last_name: Ek, email: bo@example.com}
`

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatalf("write seed file: %v", err)
	}
	return path
}

func TestLoadSeedReadsEveryVendorFromYAML(t *testing.T) {
	seed, err := LoadSeed(writeFile(t, seedYAML))
	if err != nil {
		t.Fatalf("LoadSeed: %v", err)
	}
	got := map[string]any{
		"eleap tokens":      seed.ELeaP.APITokens,
		"eleap course":      seed.ELeaP.Courses[0].Name,
		"eleap user":        seed.ELeaP.Users[0].Email,
		"enabley clients":   seed.Enabley.Clients,
		"enabley hierarchy": seed.Enabley.GroupHierarchy,
		"exceed keys":       seed.Exceed.APIKeys,
		"exceed user":       seed.Exceed.Users[0].Login,
	}
	want := map[string]any{
		"eleap tokens":      []string{"tok-1"},
		"eleap course":      "Safety",
		"eleap user":        "ann@example.com",
		"enabley clients":   []enableysim.ClientCredential{{ClientKey: "ck", Secret: "s3"}},
		"enabley hierarchy": []string{"Company", "Team"},
		"exceed keys":       []string{"key-1"},
		"exceed user":       "bo",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("loaded seed (-want +got):\n%s", diff)
	}
}

func TestLoadSeedRefusesBadFiles(t *testing.T) {
	cases := map[string]struct {
		path    func(t *testing.T) string
		wantErr string
	}{
		"missing file": {
			path:    func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope.yaml") },
			wantErr: "read seed",
		},
		"misspelt field": {
			path:    func(t *testing.T) string { return writeFile(t, "eleap:\n  apiToken: [x]\n") },
			wantErr: "apiToken",
		},
		"unknown vendor": {
			path:    func(t *testing.T) string { return writeFile(t, "docebo: {}\n") },
			wantErr: "docebo",
		},
		"eLeaP membership of an unknown group": {
			path: func(t *testing.T) string {
				return writeFile(t, "eleap:\n  memberships: [{groupId: '9', email: a@b.c}]\n")
			},
			wantErr: "membership",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := LoadSeed(tc.path(t))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("LoadSeed error = %v, want one mentioning %q", err, tc.wantErr)
			}
		})
	}
}

func TestDefaultSeedRoundTripsThroughYAML(t *testing.T) {
	data, err := yaml.Marshal(DefaultSeed())
	if err != nil {
		t.Fatalf("marshal default seed: %v", err)
	}
	seed, err := ParseSeed(data)
	if err != nil {
		t.Fatalf("parse the marshalled default seed: %v\n%s", err, data)
	}
	if diff := cmp.Diff(DefaultSeed().ELeaP.Courses, seed.ELeaP.Courses); diff != "" {
		t.Errorf("eLeaP courses after a round trip (-want +got):\n%s", diff)
	}
}

func TestDefaultSeedAnswersEachVendorWithDemoCredentials(t *testing.T) {
	ts := NewTestServer(t, DefaultSeed(), Options{})
	cases := map[string]struct {
		method, url, body string
		contentType       string
		wantInBody        string
	}{
		"eLeaP users list": {
			method: http.MethodPost, url: ts.BaseURL(ELeaP) + "/users/",
			body: url.Values{"api_token": {DemoELeaPToken}}.Encode(), contentType: "application/x-www-form-urlencoded",
			wantInBody: "ada@example.com",
		},
		"Enabley token": {
			method: http.MethodPost,
			url: ts.BaseURL(Enabley) + "/api/v1/token?" +
				url.Values{"clientKey": {DemoEnableyClient}, "secret": {DemoEnableySecret}}.Encode(),
			wantInBody: "access_token",
		},
		"Exceed users list": {
			method: http.MethodGet, url: ts.BaseURL(Exceed) + "/users?api_key=" + DemoExceedAPIKey,
			wantInBody: "margaret@example.com",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, tc.url, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			got := doRequest(t, req)
			if got.status != http.StatusOK || !strings.Contains(got.body, tc.wantInBody) {
				t.Errorf("%s %s: status %d body %s; want 200 with %q", tc.method, req.URL.Path, got.status, got.body, tc.wantInBody)
			}
		})
	}
	for _, v := range []string{ELeaP, Enabley, Exceed} {
		if ts.Total(v) != 1 {
			t.Errorf("%s total calls = %d, want 1 (calls %v)", v, ts.Total(v), ts.Calls(v))
		}
	}
}

func TestDropAfterCommitOnELeaPAddLeavesTheUserCreated(t *testing.T) {
	ts := NewTestServer(t, DefaultSeed(), Options{})
	ts.Inject(ELeaP, Fault{Kind: FaultDropAfterCommit, Endpoint: "users/add"})
	form := url.Values{"api_token": {DemoELeaPToken}, "first_name": {"Kay"}, "last_name": {"Em"},
		"email": {"kay@example.com"}, "silent": {"1"}}
	req, _ := http.NewRequest(http.MethodPost, ts.BaseURL(ELeaP)+"/users/add", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")

	if got := doRequest(t, req); got.err == nil {
		t.Fatalf("client got status %d, want a transport error", got.status)
	}
	if _, ok := ts.ELeaP.UserByEmail("kay@example.com"); !ok {
		t.Errorf("user kay@example.com is missing: the vendor must have committed before the drop")
	}
	if diff := cmp.Diff(map[string]int{"users/add": 1}, ts.Calls(ELeaP)); diff != "" {
		t.Errorf("eLeaP calls (-want +got):\n%s", diff)
	}
}

func TestMalformedFaultOnExceedCreateBreaksTheJSON(t *testing.T) {
	ts := NewTestServer(t, DefaultSeed(), Options{})
	ts.Inject(Exceed, Fault{Kind: FaultMalformed})
	body := `{"user": {"first_name": "tim", "last_name": "tim", "login": "tim", "password": "tim"}}`
	req, _ := http.NewRequest(http.MethodPost, ts.BaseURL(Exceed)+"/users?api_key="+DemoExceedAPIKey, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")

	got := doRequest(t, req)
	if got.err != nil || json.Valid([]byte(got.body)) {
		t.Errorf("status %d body %q err %v: want a broken JSON body", got.status, got.body, got.err)
	}
	if len(ts.Exceed.Users()) != len(DefaultSeed().Exceed.Users)+1 {
		t.Errorf("Exceed holds %d users, want the created one added", len(ts.Exceed.Users()))
	}
}

// doRequest sends req without connection reuse and reads the whole answer.
func doRequest(t *testing.T, req *http.Request) reply {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	return callWithRequest(c, req)
}

func TestCount429IncludesA429FromTheVendorItself(t *testing.T) {
	ts := NewTestServer(t, DefaultSeed(), Options{})
	ts.Enabley.InjectFault(enableysim.Fault{Status: http.StatusTooManyRequests, RetryAfter: "60"})
	req, _ := http.NewRequest(http.MethodGet, ts.BaseURL(Enabley)+"/api/v1/groups/hierarchy", nil)

	if got := doRequest(t, req); got.status != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429 from the vendor's own fault", got.status)
	}
	if got := ts.Count429(Enabley); got != 1 {
		t.Errorf("Count429 = %d, want 1", got)
	}
}
