package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A faultKind is a fault the campaign injects, by the simulator
// configuration rate that draws it.
type faultKind struct {
	// name is the kind as given to -faults.
	name string
	// rate is the field of PUT /_sim/config/<vendor> that draws it.
	rate string
}

// faultKinds are every fault the campaign can inject.
var faultKinds = []faultKind{
	{"5xx", "errorRate"},
	{"timeout", "timeoutRate"},
	{"malformed", "malformedRate"},
	{"drop-after-commit", "dropAfterCommitRate"},
	{"drop", "dropRate"},
	{"429", "rateLimitRate"},
	{"429-no-retry-after", "rateLimitNoRetryAfterRate"},
	{"slow", "slowRate"},
}

// faultNames returns the names of every fault kind.
func faultNames() []string {
	names := make([]string, len(faultKinds))
	for i, k := range faultKinds {
		names[i] = k.name
	}
	return names
}

// parseFaults reads a comma-separated list of fault kind names.
func parseFaults(s string) ([]string, error) {
	var out []string
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !slices.Contains(faultNames(), name) {
			return nil, fmt.Errorf("unknown fault kind %q (known: %s)", name, strings.Join(faultNames(), ","))
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out, nil
}

// faultConfig is the simulator configuration that injects the named kinds,
// rate shared equally among them, with the given Retry-After and slow
// latency.
func faultConfig(kinds []string, rate float64, retryAfter, slowLatency time.Duration) map[string]any {
	cfg := faultsOff()
	for _, k := range faultKinds {
		if slices.Contains(kinds, k.name) {
			cfg[k.rate] = rate / float64(len(kinds))
		}
	}
	cfg["retryAfter"] = retryAfter.String()
	cfg["slowLatency"] = slowLatency.String()
	return cfg
}

// faultsOff is the simulator configuration with every fault rate 0.
func faultsOff() map[string]any {
	cfg := map[string]any{}
	for _, k := range faultKinds {
		cfg[k.rate] = 0.0
	}
	return cfg
}
