package exceedsim_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/exceedsim"
)

// The simulator is an lmssim.Vendor without importing lmssim.
var _ lmssim.Vendor = (*exceedsim.Sim)(nil)

func TestServedByTheSimulatorServer(t *testing.T) {
	srv := httptest.NewServer(lmssim.New(lmssim.Options{}, exceedsim.New(exceedsim.Seed{APIKeys: []string{"k"}})))
	defer srv.Close()
	for path, want := range map[string]int{
		"/exceed/api/v2/users?api_key=k":           http.StatusOK,
		"/exceed/api/v2/users/deletions?api_key=k": http.StatusOK,
		"/exceed/api/v2/users":                     http.StatusUnauthorized,
		"/exceed/api/v2/users/1?api_key=k":         http.StatusNotFound,
		"/_sim/exceed/state":                       http.StatusOK,
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: status %d, want %d", path, resp.StatusCode, want)
		}
	}
}
