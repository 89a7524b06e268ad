package exceed

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/lmstest"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/exceedsim"
)

func TestThroughTheSimulatorServerTheHourlyLimitIsRateLimited(t *testing.T) {
	sim := exceedsim.New(exceedsim.Seed{APIKeys: []string{testKey}, Users: seedUsers(2)})
	opts := lmssim.Options{Config: map[string]lmssim.VendorConfig{"exceed": {RequestsPerHour: 2}}}
	srv := httptest.NewServer(lmssim.New(opts, sim))
	defer srv.Close()
	c, err := New(lms.Config{BaseURL: srv.URL + "/exceed/api/v2", Credentials: key(), HTTPClient: &http.Client{}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx := context.Background()
	if err := c.Verify(ctx); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if _, err := c.Users().Lookup(ctx, "u1", ""); err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	_, err = c.Users().List(ctx)
	lmstest.ExpectKind(t, "", err, lms.KindRateLimited)
	lmstest.ExpectNoSecret(t, err, testKey)
	if d, _ := lms.RetryAfter(err); d <= 0 {
		t.Errorf("RetryAfter = %s, want the server's Retry-After", d)
	}
}
