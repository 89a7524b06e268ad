package lms

import (
	"fmt"
	"sort"
)

// A Registry maps spec.provider to a vendor factory. It is built in
// cmd/main.go and injected into the reconcilers, so that tests can swap a
// factory for a fake.
type Registry map[Provider]Factory

// New builds a client for provider p.
func (r Registry) New(p Provider, cfg Config) (Client, error) {
	f, ok := r[p]
	if !ok {
		return nil, NewError(KindUnsupported, "registry", "", fmt.Sprintf("provider %q is not registered (known: %v)", p, r.Providers()))
	}
	if cfg.HTTPClient == nil {
		return nil, fmt.Errorf("registry: provider %q: Config.HTTPClient is required", p)
	}
	return f(cfg)
}

// Providers returns the registered providers, sorted.
func (r Registry) Providers() []Provider {
	out := make([]Provider, 0, len(r))
	for p := range r {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
