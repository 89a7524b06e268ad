package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

func TestParseFlagsDefaultsAndOverrides(t *testing.T) {
	cases := map[string]struct {
		args []string
		want config
	}{
		"defaults": {
			want: config{addr: "127.0.0.1:8090", randSeed: 1, vendorAddrs: map[string]string{},
				retryAfter: 2 * time.Second, slowLatency: 2 * time.Second,
				requestsPerHour: map[string]int{"eleap": 2500, "enabley": 0, "exceed": 0}},
		},
		"every flag": {
			args: []string{"--addr=:9000", "--seed=s.yaml", "--requests-per-hour-eleap=10", "--requests-per-hour-enabley=20",
				"--requests-per-hour-exceed=30", "--latency=5ms", "--error-rate=0.1", "--timeout-rate=0.2", "--malformed-rate=0.05",
				"--drop-after-commit-rate=0.01", "--timeout-max=3s", "--rand-seed=7", "--eleap-addr=:9001", "--exceed-addr=:9003",
				"--rate-limit-rate=0.02", "--retry-after=5s", "--rate-limit-no-retry-after-rate=0.03", "--drop-rate=0.04",
				"--slow-rate=0.06", "--slow-latency=1500ms"},
			want: config{addr: ":9000", seedPath: "s.yaml", latency: 5 * time.Millisecond, errorRate: 0.1, timeoutRate: 0.2,
				malformedRate: 0.05, dropRate: 0.01, timeoutMax: 3 * time.Second, randSeed: 7,
				rateLimitRate: 0.02, retryAfter: 5 * time.Second, noRetryRate: 0.03, dropBeforeRate: 0.04,
				slowRate: 0.06, slowLatency: 1500 * time.Millisecond,
				requestsPerHour: map[string]int{"eleap": 10, "enabley": 20, "exceed": 30},
				vendorAddrs:     map[string]string{"eleap": ":9001", "exceed": ":9003"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := parseFlags(tc.args, io.Discard)
			if err != nil {
				t.Fatalf("parseFlags: %v", err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(config{})); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	var out bytes.Buffer
	if _, err := parseFlags([]string{"--help"}, &out); err != flag.ErrHelp {
		t.Fatalf("parseFlags(--help) error = %v, want flag.ErrHelp", err)
	}
	for _, name := range []string{"addr", "seed", "print-seed", "requests-per-hour-eleap", "requests-per-hour-enabley",
		"requests-per-hour-exceed", "latency", "error-rate", "timeout-rate", "malformed-rate", "drop-after-commit-rate",
		"timeout-max", "rand-seed", "eleap-addr", "enabley-addr", "exceed-addr", "rate-limit-rate", "retry-after",
		"rate-limit-no-retry-after-rate", "drop-rate", "slow-rate", "slow-latency"} {
		if !strings.Contains(out.String(), "-"+name+" ") && !strings.Contains(out.String(), "-"+name+"\n") {
			t.Errorf("--help does not document --%s:\n%s", name, out.String())
		}
	}
}

func TestBuildServerRefusesRatesAboveOne(t *testing.T) {
	cfg, err := parseFlags([]string{"--error-rate=0.8", "--timeout-rate=0.5"}, io.Discard)
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	if _, err := buildServer(cfg, slog.New(slog.DiscardHandler)); err == nil {
		t.Errorf("buildServer accepted fault rates adding up to 1.3")
	}
}

func TestBuildServerGivesEveryVendorTheFaultFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"--rate-limit-rate=0.1", "--retry-after=3s", "--rate-limit-no-retry-after-rate=0.05",
		"--drop-rate=0.02", "--slow-rate=0.04", "--slow-latency=750ms"}, io.Discard)
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	sim, err := buildServer(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("buildServer: %v", err)
	}
	for _, v := range vendors {
		got := sim.Config(v)
		want := lmssim.VendorConfig{RequestsPerHour: got.RequestsPerHour, RateLimitRate: 0.1, RetryAfter: 3 * time.Second,
			RateLimitNoRetryAfterRate: 0.05, DropRate: 0.02, SlowRate: 0.04, SlowLatency: 750 * time.Millisecond}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("config of %s (-want +got):\n%s", v, diff)
		}
	}
}

func TestBuildServerRefusesARetryAfterBelowASecond(t *testing.T) {
	cfg, err := parseFlags([]string{"--rate-limit-rate=0.1", "--retry-after=500ms"}, io.Discard)
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	if _, err := buildServer(cfg, slog.New(slog.DiscardHandler)); err == nil {
		t.Errorf("buildServer accepted --retry-after=500ms, which Retry-After's whole seconds cannot carry")
	}
}

func TestServeAnswersVendorsAndAdminThenStopsOnCancel(t *testing.T) {
	cfg, err := parseFlags([]string{"--addr=127.0.0.1:0", "--eleap-addr=127.0.0.1:0", "--requests-per-hour-exceed=1"}, io.Discard)
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	sim, err := buildServer(cfg, logger)
	if err != nil {
		t.Fatalf("buildServer: %v", err)
	}
	servers, err := listen(cfg, sim, logger)
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, sim, servers, logger) }()

	all := "http://" + servers[0].ln.Addr().String()
	alone := "http://" + servers[1].ln.Addr().String()
	token := url.Values{"api_token": {lmssim.DemoELeaPToken}}.Encode()
	checks := []struct {
		name, url  string
		wantStatus int
	}{
		{"healthz", all + "/_sim/healthz", 200},
		{"eLeaP under its prefix", all + "/eleap/api/courses/?" + token, 200},
		{"eLeaP alone at the root", alone + "/api/courses/?" + token, 200},
		{"Exceed first call", all + "/exceed/api/v2/users?api_key=" + lmssim.DemoExceedAPIKey, 200},
		{"Exceed over its limit", all + "/exceed/api/v2/users?api_key=" + lmssim.DemoExceedAPIKey, 429},
	}
	for _, c := range checks {
		resp, err := http.Get(c.url)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != c.wantStatus {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.wantStatus)
		}
	}
	if got := sim.Total(lmssim.ELeaP); got != 2 {
		t.Errorf("eLeaP total = %d, want 2: the alone port shares the counts", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v after cancel, want nil", err)
	}
	if strings.Contains(logs.String(), lmssim.DemoELeaPToken) || strings.Contains(logs.String(), lmssim.DemoExceedAPIKey) {
		t.Errorf("the log carries a credential:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "path=/api/courses/") {
		t.Errorf("the log does not show the vendor request path:\n%s", logs.String())
	}
}

func TestPrintSeedWritesLoadableYAML(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--print-seed"}, &out, io.Discard); err != nil {
		t.Fatalf("run --print-seed: %v", err)
	}
	if _, err := lmssim.ParseSeed(out.Bytes()); err != nil {
		t.Errorf("printed seed does not parse: %v\n%s", err, out.String())
	}
}
