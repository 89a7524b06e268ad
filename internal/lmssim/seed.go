package lmssim

import (
	"fmt"
	"os"

	"k8s.io/utils/clock"
	"sigs.k8s.io/yaml"

	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/exceedsim"
)

// The provider names of the three simulated vendors.
const (
	ELeaP   = "eleap"
	Enabley = "enabley"
	Exceed  = "exceed"
)

// A Seed is the initial data of the three simulated vendors, credentials
// included. It reads from YAML (see LoadSeed); a vendor whose section is left
// out starts empty.
type Seed struct {
	// ELeaP is the eLeaP company account.
	ELeaP eleapsim.Seed `json:"eleap"`
	// Enabley is the Enabley account.
	Enabley enableysim.Seed `json:"enabley"`
	// Exceed is the Exceed account.
	Exceed exceedsim.Seed `json:"exceed"`
}

// LoadSeed reads a Seed from the YAML (or JSON) file at path. Unknown fields
// are an error, so that a misspelt field does not silently drop data.
func LoadSeed(path string) (Seed, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Seed{}, fmt.Errorf("read seed: %w", err)
	}
	seed, err := ParseSeed(data)
	if err != nil {
		return Seed{}, fmt.Errorf("seed %s: %w", path, err)
	}
	return seed, nil
}

// ParseSeed reads a Seed from YAML or JSON and checks the eLeaP part's
// references (see eleapsim.Seed.Validate).
func ParseSeed(data []byte) (Seed, error) {
	var seed Seed
	if err := yaml.UnmarshalStrict(data, &seed); err != nil {
		return Seed{}, fmt.Errorf("parse seed: %w", err)
	}
	if err := seed.ELeaP.Validate(); err != nil {
		return Seed{}, fmt.Errorf("parse seed: %w", err)
	}
	return seed, nil
}

// Sims are the three vendor simulators of a default Server, for tests that
// reach into a vendor's state.
type Sims struct {
	ELeaP   *eleapsim.Sim
	Enabley *enableysim.Sim
	Exceed  *exceedsim.Sim
}

// NewSims builds the three vendor simulators from seed, on clk (nil means
// the real clock), so that the vendors' timestamps, token expiry and recent
// completions follow the same clock as the hourly limit.
func NewSims(seed Seed, clk clock.PassiveClock) Sims {
	if clk == nil {
		clk = clock.RealClock{}
	}
	sims := Sims{
		ELeaP:   eleapsim.New(seed.ELeaP),
		Enabley: enableysim.New(seed.Enabley),
		Exceed:  exceedsim.New(seed.Exceed),
	}
	sims.ELeaP.Now = clk.Now
	sims.Enabley.Now = clk.Now
	sims.Exceed.SetClock(clk)
	return sims
}

// Vendors returns the simulators as Vendors, in the order eleap, enabley, exceed.
func (s Sims) Vendors() []Vendor {
	return []Vendor{s.ELeaP, s.Enabley, s.Exceed}
}

// NewDefault returns a Server over the three vendors built from seed.
func NewDefault(seed Seed, opts Options) *Server {
	return New(opts, NewSims(seed, opts.Clock).Vendors()...)
}
