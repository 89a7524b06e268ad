package lmssim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestVendorConfigValidate(t *testing.T) {
	cases := map[string]struct {
		reason  string
		cfg     VendorConfig
		wantErr string
	}{
		"zero": {reason: "no limit and no faults is valid", cfg: VendorConfig{}},
		"every new rate": {
			reason: "the new rates are valid with their durations, together at most 1",
			cfg: VendorConfig{RateLimitRate: 0.2, RetryAfter: 2 * time.Second, RateLimitNoRetryAfterRate: 0.2, DropRate: 0.2,
				SlowRate: 0.2, SlowLatency: time.Second, ErrorRate: 0.2},
		},
		"rate limit without retryAfter": {
			reason:  "a 429 draw needs a Retry-After to send",
			cfg:     VendorConfig{RateLimitRate: 0.1},
			wantErr: "needs a retryAfter of at least 1s",
		},
		"retryAfter below a second": {
			reason:  "Retry-After is whole seconds: below 1s it would be rounded up unseen",
			cfg:     VendorConfig{RateLimitRate: 0.1, RetryAfter: 500 * time.Millisecond},
			wantErr: "needs a retryAfter of at least 1s",
		},
		"slow without latency": {
			reason:  "a slow answer needs a delay",
			cfg:     VendorConfig{SlowRate: 0.1},
			wantErr: "needs a positive slowLatency",
		},
		"negative slowLatency": {
			reason:  "durations must not be negative",
			cfg:     VendorConfig{SlowLatency: -time.Second},
			wantErr: "must not be negative",
		},
		"new rates above 1": {
			reason:  "the new rates count into the sum",
			cfg:     VendorConfig{DropRate: 0.6, RateLimitNoRetryAfterRate: 0.5},
			wantErr: "more than 1",
		},
		"rate out of range": {
			reason:  "each rate is a probability",
			cfg:     VendorConfig{DropRate: -0.1},
			wantErr: "dropRate -0.1 is not in [0, 1]",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.wantErr == "" && err != nil {
				t.Errorf("%s: Validate() = %v, want nil", tc.reason, err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("%s: Validate() = %v, want an error with %q", tc.reason, err, tc.wantErr)
			}
		})
	}
}

func TestVendorConfigJSONRoundTripsTheNewFields(t *testing.T) {
	want := VendorConfig{RequestsPerHour: 5, RateLimitRate: 0.1, RetryAfter: 3 * time.Second, RateLimitNoRetryAfterRate: 0.05,
		DropRate: 0.02, SlowRate: 0.03, SlowLatency: 1500 * time.Millisecond}
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var got VendorConfig
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("unmarshal %s: %v", data, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip through %s (-want +got):\n%s", data, diff)
	}
	for _, field := range []string{`"retryAfter":"3s"`, `"slowLatency":"1.5s"`, `"rateLimitNoRetryAfterRate":0.05`, `"dropRate":0.02`} {
		if !strings.Contains(string(data), field) {
			t.Errorf("JSON %s lacks %s", data, field)
		}
	}
}

func TestAdminConfigSetsTheNewRates(t *testing.T) {
	s, hs := start(t, Options{}, &fakeVendor{name: "alpha"})
	body := `{"rateLimitRate":0.1,"retryAfter":"2s","rateLimitNoRetryAfterRate":0.1,"dropRate":0.1,"slowRate":0.1,"slowLatency":"250ms"}`
	if got := call(t, http.MethodPut, hs.URL+"/_sim/config/alpha", body); got.status != http.StatusOK {
		t.Fatalf("PUT config: status %d body %s", got.status, got.body)
	}
	want := VendorConfig{RateLimitRate: 0.1, RetryAfter: 2 * time.Second, RateLimitNoRetryAfterRate: 0.1, DropRate: 0.1,
		SlowRate: 0.1, SlowLatency: 250 * time.Millisecond}
	if diff := cmp.Diff(want, s.Config("alpha")); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if got := call(t, http.MethodPut, hs.URL+"/_sim/config/alpha", `{"retryAfter":"0s"}`); got.status != http.StatusBadRequest {
		t.Errorf("PUT retryAfter 0s with rateLimitRate set: status %d, want 400", got.status)
	}
}

func TestEachNewRateDrawsItsFault(t *testing.T) {
	cases := map[string]struct {
		reason         string
		cfg            VendorConfig
		wantStatus     int // 0: the client gets an error
		wantRetryAfter string
		wantItems      int
		wantFault      FaultKind
		wantCount      string
	}{
		"429 with Retry-After": {
			reason: "the configured Retry-After is sent, and the vendor is not reached",
			cfg:    VendorConfig{RateLimitRate: 1, RetryAfter: 2 * time.Second}, wantStatus: 429, wantRetryAfter: "2",
			wantFault: Fault429, wantCount: "429",
		},
		"429 without Retry-After": {
			reason: "no Retry-After header, and the vendor is not reached",
			cfg:    VendorConfig{RateLimitNoRetryAfterRate: 1}, wantStatus: 429,
			wantFault: Fault429, wantCount: FaultCount429NoRetryAfter,
		},
		"drop before the vendor": {
			reason: "the connection closes and nothing changes",
			cfg:    VendorConfig{DropRate: 1}, wantStatus: 0, wantFault: FaultDrop, wantCount: "drop",
		},
		"slow answer": {
			reason: "the vendor handles the request and answers late",
			cfg:    VendorConfig{SlowRate: 1, SlowLatency: 10 * time.Millisecond}, wantStatus: 200, wantItems: 1,
			wantFault: FaultSlow, wantCount: "slow",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			alpha := &fakeVendor{name: "alpha"}
			s, hs := start(t, Options{Config: map[string]VendorConfig{"alpha": tc.cfg}}, alpha)

			got := call(t, http.MethodPost, hs.URL+"/alpha/api/items", "x")
			if tc.wantStatus == 0 && got.err == nil {
				t.Fatalf("%s: client got status %d, want a transport error", tc.reason, got.status)
			}
			if got.status != tc.wantStatus || got.retryAfter != tc.wantRetryAfter {
				t.Errorf("%s: status %d Retry-After %q, want %d %q", tc.reason, got.status, got.retryAfter, tc.wantStatus, tc.wantRetryAfter)
			}
			if n := alpha.itemCount(); n != tc.wantItems {
				t.Errorf("%s: vendor holds %d items, want %d", tc.reason, n, tc.wantItems)
			}
			assertLastLog(t, s, "alpha", tc.wantStatus, tc.wantFault)
			if diff := cmp.Diff(map[string]int{tc.wantCount: 1}, s.Summary("alpha").Faults); diff != "" {
				t.Errorf("%s: fault counts (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSlowAnswerTakesItsLatencyAndChangesNothingWhenTheClientGivesUp(t *testing.T) {
	const slow = 150 * time.Millisecond
	alpha := &fakeVendor{name: "alpha"}
	_, hs := start(t, Options{Config: map[string]VendorConfig{"alpha": {SlowRate: 1, SlowLatency: slow}}}, alpha)

	began := time.Now()
	if got := call(t, http.MethodPost, hs.URL+"/alpha/api/items", "x"); got.status != http.StatusOK {
		t.Fatalf("patient client: status %d err %v, want 200", got.status, got.err)
	}
	if took := time.Since(began); took < slow {
		t.Errorf("the slow answer came after %s, want at least %s", took, slow)
	}
	impatient := &http.Client{Timeout: 30 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	if got := callWith(t, impatient, http.MethodPost, hs.URL+"/alpha/api/items", "y"); got.err == nil {
		t.Errorf("impatient client: status %d, want a timeout", got.status)
	}
	time.Sleep(slow + 50*time.Millisecond)
	if n := alpha.itemCount(); n != 1 {
		t.Errorf("vendor holds %d items, want 1: a request whose client gave up during the delay must not reach it", n)
	}
}

func TestInjectedSlowFaultUsesItsOwnLatency(t *testing.T) {
	alpha := &fakeVendor{name: "alpha"}
	s, hs := start(t, Options{}, alpha)
	if got := call(t, http.MethodPost, hs.URL+"/_sim/faults/alpha", `{"kind":"slow","latency":"120ms"}`); got.status != 200 {
		t.Fatalf("inject slow: status %d body %s", got.status, got.body)
	}
	if diff := cmp.Diff([]Fault{{Kind: FaultSlow, Latency: 120 * time.Millisecond, Times: 1}}, s.PendingFaults("alpha")); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
	began := time.Now()
	if got := call(t, http.MethodGet, hs.URL+"/alpha/api/items", ""); got.status != 200 {
		t.Errorf("slow request: status %d err %v, want 200", got.status, got.err)
	}
	if took := time.Since(began); took < 120*time.Millisecond {
		t.Errorf("the injected slow answer came after %s, want at least 120ms", took)
	}
}

func TestRandomDrawsSpreadOverEveryRate(t *testing.T) {
	cfg := VendorConfig{ErrorRate: 0.2, RateLimitRate: 0.2, RetryAfter: time.Second, RateLimitNoRetryAfterRate: 0.2,
		SlowRate: 0.2, SlowLatency: time.Millisecond}
	s, hs := start(t, Options{RandSeed: 3, Config: map[string]VendorConfig{"alpha": cfg}}, &fakeVendor{name: "alpha"})
	for range 200 {
		call(t, http.MethodGet, hs.URL+"/alpha/api/items", "")
	}
	counts := s.Summary("alpha").Faults
	errors := counts["500"] + counts["503"]
	for _, c := range []struct {
		name string
		n    int
	}{{"5xx", errors}, {"429", counts["429"]}, {"429 without Retry-After", counts[FaultCount429NoRetryAfter]}, {"slow", counts["slow"]}} {
		if c.n < 15 || c.n > 65 {
			t.Errorf("%s drawn %d times in 200 requests at rate 0.2, want about 40 (counts %v)", c.name, c.n, counts)
		}
	}
}
