package main

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

func TestPauseCallsTellsRestartedProcessesFromTheOneThatGotThe429(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	pauses := []lmssim.Pause{{Start: t0, Until: t0.Add(2 * time.Second), RetryAfter: "2", Endpoint: "users/add"}}
	log := []lmssim.CallRecord{
		{Time: t0, Endpoint: "users/add", Status: 429},
		{Time: t0.Add(500 * time.Millisecond), Endpoint: "users/", InPause: true},
		{Time: t0.Add(1500 * time.Millisecond), Endpoint: "users/get", InPause: true},
		{Time: t0.Add(3 * time.Second), Endpoint: "users/add"},
	}
	restarts := []time.Time{t0.Add(time.Second)}

	got := pauseCalls(log, pauses, restarts)
	want := []pauseCall{
		{rec: log[1], pause: pauses[0], afterRestart: false},
		{rec: log[2], pause: pauses[0], afterRestart: true, killedAfter: time.Second},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(pauseCall{})); diff != "" {
		t.Errorf("pauseCalls (-want +got):\n%s", diff)
	}
	c := pauseCheck(lmssim.ELeaP, 2, 1, got)
	if c.ok() || !strings.Contains(c.bad[0], "1 by a manager process started after the 429, 1 by the process that got it") {
		t.Errorf("pauseCheck bad %v, want the two calls split by process", c.bad)
	}
}

func TestPauseCheckPassesWithoutCallsDuringPauses(t *testing.T) {
	c := pauseCheck(lmssim.Exceed, 0, 4, nil)
	if !c.ok() || c.figure != "0 calls in 4 pauses" {
		t.Errorf("pauseCheck = %+v, want a pass with figure %q", c, "0 calls in 4 pauses")
	}
}

func TestParseMetricsReadsUnlabelledSamples(t *testing.T) {
	text := `# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 187
go_gc_duration_seconds{quantile="0"} 1.2e-05
process_resident_memory_bytes 5.2289536e+07
`
	got, err := parseMetrics(strings.NewReader(text), metricGoroutines, metricRSS)
	if err != nil {
		t.Fatalf("parseMetrics: %v", err)
	}
	if diff := cmp.Diff(map[string]float64{metricGoroutines: 187, metricRSS: 52289536}, got); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
	if _, err := parseMetrics(strings.NewReader("go_goroutines 3\n"), metricGoroutines, metricRSS); err == nil {
		t.Errorf("parseMetrics without %s succeeded, want an error: a missing figure must not compare as 0", metricRSS)
	}
}

func TestGrowthCheck(t *testing.T) {
	cases := map[string]struct {
		reason      string
		first, last float64
		wantOK      bool
	}{
		"same":    {reason: "no growth passes", first: 100, last: 100, wantOK: true},
		"within":  {reason: "growth up to the ratio passes", first: 100, last: 150, wantOK: true},
		"beyond":  {reason: "growth beyond the ratio fails", first: 100, last: 151},
		"no base": {reason: "a first figure of 0 cannot be compared", first: 0, last: 10},
	}
	for name, tc := range cases {
		if got := growthCheck("g", tc.first, tc.last, 1.5, "%.0f", nil); got.ok() != tc.wantOK {
			t.Errorf("%s: %s: ok = %v (%+v), want %v", name, tc.reason, got.ok(), got, tc.wantOK)
		}
	}
}

func TestFaultConfigSharesTheRateAmongTheChosenKinds(t *testing.T) {
	kinds, err := parseFaults("5xx, 429 ,slow,5xx")
	if err != nil {
		t.Fatalf("parseFaults: %v", err)
	}
	got := faultConfig(kinds, 0.3, 2*time.Second, time.Second)
	want := faultsOff()
	want["errorRate"], want["rateLimitRate"], want["slowRate"] = 0.1, 0.1, 0.1
	want["retryAfter"], want["slowLatency"] = "2s", "1s"
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 })); diff != "" {
		t.Errorf("faultConfig (-want +got):\n%s", diff)
	}
	if _, err := parseFaults("5xx,boom"); err == nil {
		t.Errorf("parseFaults accepted an unknown kind")
	}
}

func TestFaultKindsCoverEveryRateOfTheSimulator(t *testing.T) {
	data, err := json.Marshal(lmssim.VendorConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	var simRates []string
	for f := range fields {
		if strings.HasSuffix(f, "Rate") {
			simRates = append(simRates, f)
		}
	}
	campaign := slices.Sorted(maps.Keys(faultsOff()))
	if diff := cmp.Diff(slices.Sorted(slices.Values(simRates)), campaign); diff != "" {
		t.Errorf("the simulator's fault rates and the campaign's kinds differ (-simulator +campaign):\n%s", diff)
	}
}

func TestChaosSeedLoadsInTheSimulator(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed.yaml")
	if err := writeSeed(path, chaosSeed(5)); err != nil {
		t.Fatal(err)
	}
	seed, err := lmssim.LoadSeed(path)
	if err != nil {
		t.Fatalf("the simulator refuses the chaos seed: %v", err)
	}
	def := lmssim.DefaultSeed()
	if got, want := len(seed.ELeaP.Courses)+len(seed.ELeaP.LearningPaths), len(def.ELeaP.Courses)+len(def.ELeaP.LearningPaths)+10; got != want {
		t.Errorf("eLeaP has %d courses and learning paths, want %d (the demo's and 5 of each)", got, want)
	}
	if got, want := len(seed.Enabley.Channels), len(def.Enabley.Channels)+5; got != want {
		t.Errorf("Enabley has %d channels, want %d", got, want)
	}
}
