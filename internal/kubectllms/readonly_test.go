package kubectllms

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

func TestReadOnlyAllowed(t *testing.T) {
	type args struct {
		provider     lms.Provider
		base         string
		method, path string
	}
	cases := map[string]struct {
		reason string
		args   args
		want   bool
	}{
		"ELeaPList":        {"eLeaP lists users with a POST to users/", args{lms.ProviderELeaP, "http://h/eleap/api", "POST", "/eleap/api/users/"}, true},
		"ELeaPAssigned":    {"assigned_users reads", args{lms.ProviderELeaP, "http://h/eleap/api", "POST", "/eleap/api/courses/assigned_users"}, true},
		"ELeaPAdd":         {"users/add writes", args{lms.ProviderELeaP, "http://h/eleap/api", "POST", "/eleap/api/users/add"}, false},
		"ELeaPEdit":        {"users/edit writes", args{lms.ProviderELeaP, "http://h/api", "POST", "/api/users/edit"}, false},
		"ELeaPDeactivate":  {"users/deactivate writes", args{lms.ProviderELeaP, "http://h/api", "POST", "/api/users/deactivate"}, false},
		"ELeaPAssign":      {"assign_user writes", args{lms.ProviderELeaP, "http://h/api", "POST", "/api/courses/assign_user"}, false},
		"ELeaPOtherBase":   {"a path outside the base URL is refused", args{lms.ProviderELeaP, "http://h/api", "POST", "/other/users/"}, false},
		"EnableyGet":       {"GET reads", args{lms.ProviderEnabley, "http://h/enabley", "GET", "/enabley/api/v3/users"}, true},
		"EnableyToken":     {"the token call is a POST that reads", args{lms.ProviderEnabley, "http://h/enabley", "POST", "/enabley/api/v1/token"}, true},
		"EnableyPut":       {"PUT users writes", args{lms.ProviderEnabley, "http://h/enabley", "PUT", "/enabley/api/v2/users"}, false},
		"EnableyPostGroup": {"a POST other than the token writes", args{lms.ProviderEnabley, "http://h", "POST", "/api/v1/groups/g/users/u"}, false},
		"EnableyDelete":    {"DELETE writes", args{lms.ProviderEnabley, "http://h", "DELETE", "/api/v2/users/u"}, false},
		"ExceedGet":        {"GET reads", args{lms.ProviderExceed, "http://h/api/v2", "GET", "/api/v2/users"}, true},
		"ExceedPost":       {"POST writes", args{lms.ProviderExceed, "http://h/api/v2", "POST", "/api/v2/users"}, false},
		"Unknown":          {"an unknown vendor reads nothing", args{"other", "http://h", "GET", "/x"}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ro, err := NewReadOnly(tc.args.provider, tc.args.base, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, ro.Allowed(tc.args.method, tc.args.path)); diff != "" {
				t.Errorf("%s\nAllowed(%s %s): -want, +got:\n%s", tc.reason, tc.args.method, tc.args.path, diff)
			}
		})
	}
}

// TestReadOnlyRefusesAWriteLocally sends a write and a read through the
// transport: the write never reaches the server and fails; the read does.
func TestReadOnlyRefusesAWriteLocally(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.URL.Path)
		_, _ = io.WriteString(w, "{}")
	}))
	defer srv.Close()
	ro, err := NewReadOnly(lms.ProviderELeaP, srv.URL+"/api", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: ro}
	_, err = c.Post(srv.URL+"/api/users/add", "application/x-www-form-urlencoded", strings.NewReader("email=a@b.c"))
	if err == nil || !strings.Contains(err.Error(), "refused POST /api/users/add") {
		t.Errorf("a write: error %v, want it refused", err)
	}
	resp, err := c.Post(srv.URL+"/api/users/", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatalf("a read: %v", err)
	}
	_ = resp.Body.Close()
	if diff := cmp.Diff([]string{"POST /api/users/"}, got); diff != "" {
		t.Errorf("requests the server saw: -want, +got:\n%s", diff)
	}
	if ro.Sent() != 1 {
		t.Errorf("Sent() = %d, want 1", ro.Sent())
	}
}
