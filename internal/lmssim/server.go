package lmssim

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/utils/clock"
)

// adminPrefix is the path under which the admin API is served.
const adminPrefix = "/_sim"

// reservedNames cannot be vendor names: they are core admin paths.
var reservedNames = []string{"", "_sim", "calls", "config", "faults", "healthz", "log", "pauses"}

// A Server is the simulator: an http.Handler that serves each vendor under
// "/<name>/" and the admin API under "/_sim/". Between the client and each
// vendor it counts calls, enforces the vendor's hourly request limit, adds
// latency and injects faults.
type Server struct {
	clock   clock.PassiveClock
	opts    Options
	vendors map[string]*vendorState
	names   []string
	mux     *http.ServeMux

	rngMu sync.Mutex
	rng   *rand.Rand

	done      chan struct{}
	closeOnce sync.Once
}

// New returns a Server over vendors. It panics if two vendors share a name,
// a name is reserved by the admin API or is not one path segment, or a
// configuration in opts.Config is invalid or names no vendor: these are
// programming errors.
func New(opts Options, vendors ...Vendor) *Server {
	s := &Server{
		clock:   opts.Clock,
		opts:    opts,
		vendors: map[string]*vendorState{},
		rng:     rand.New(rand.NewPCG(uint64(opts.RandSeed), 0x6c6d7373696d)),
		done:    make(chan struct{}),
	}
	if s.clock == nil {
		s.clock = clock.RealClock{}
	}
	for _, v := range vendors {
		s.addVendor(v)
	}
	s.checkConfigNames()
	s.mux = s.routes()
	return s
}

// addVendor registers v, or panics if its name cannot be used.
func (s *Server) addVendor(v Vendor) {
	name := v.Name()
	if slices.Contains(reservedNames, name) || strings.ContainsAny(name, "/?#%") {
		panic(fmt.Sprintf("lmssim: vendor name %q is reserved or not a path segment", name))
	}
	if _, dup := s.vendors[name]; dup {
		panic(fmt.Sprintf("lmssim: two vendors are named %q", name))
	}
	cfg := s.opts.Config[name]
	if err := cfg.Validate(); err != nil {
		panic(fmt.Sprintf("lmssim: config of vendor %q: %v", name, err))
	}
	s.vendors[name] = newVendorState(v, cfg, s.opts.MaxLogRecords)
	s.names = append(s.names, name)
}

// checkConfigNames panics if opts.Config configures a vendor that is absent.
func (s *Server) checkConfigNames() {
	for name := range s.opts.Config {
		if _, ok := s.vendors[name]; !ok {
			panic(fmt.Sprintf("lmssim: Options.Config names vendor %q, which is not served", name))
		}
	}
}

// routes builds the mux of vendor and admin paths.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	s.adminRoutes(mux)
	for _, name := range s.names {
		mux.Handle("/"+name+"/", http.StripPrefix("/"+name, s.VendorHandler(name)))
		mux.Handle(adminPrefix+"/"+name+"/", http.StripPrefix(adminPrefix+"/"+name, s.vendors[name].vendor.Admin()))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no simulated vendor or admin endpoint at this path")
	})
	return mux
}

// ServeHTTP serves the vendors under "/<name>/" and the admin API under "/_sim/".
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// VendorHandler serves the named vendor at the root path, with call
// counting, the request limit, latency and faults; it is what the server
// mounts under "/<name>/". It panics if no vendor has that name.
func (s *Server) VendorHandler(name string) http.Handler {
	vs := s.mustVendor(name)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serveVendor(vs, w, r)
	})
}

// Names returns the names of the served vendors, in the order given to New.
func (s *Server) Names() []string {
	return slices.Clone(s.names)
}

// Vendor returns the named vendor, or nil. Tests type-assert it to reach the
// vendor's state.
func (s *Server) Vendor(name string) Vendor {
	if vs, ok := s.vendors[name]; ok {
		return vs.vendor
	}
	return nil
}

// Close ends the requests that hang in a timeout fault or in latency, so that
// an http.Server can shut down. The Server must not serve afterwards.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
}

// mustVendor returns the state of the named vendor or panics.
func (s *Server) mustVendor(name string) *vendorState {
	vs, ok := s.vendors[name]
	if !ok {
		panic(fmt.Sprintf("lmssim: no vendor is named %q (served: %v)", name, s.names))
	}
	return vs
}

// Config returns the current configuration of the named vendor (zero if
// there is no such vendor).
func (s *Server) Config(vendor string) VendorConfig {
	vs, ok := s.vendors[vendor]
	if !ok {
		return VendorConfig{}
	}
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return vs.cfg
}

// SetConfig replaces the configuration of the named vendor. It takes effect
// from the next request; the hourly window keeps the requests already in it.
func (s *Server) SetConfig(vendor string, cfg VendorConfig) error {
	vs, ok := s.vendors[vendor]
	if !ok {
		return fmt.Errorf("set config: no vendor is named %q", vendor)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("set config of %s: %w", vendor, err)
	}
	vs.mu.Lock()
	defer vs.mu.Unlock()
	vs.cfg = cfg
	return nil
}

// Inject queues f for the next requests of the named vendor that match it
// (see Fault). Injected faults come before the random fault rates; a request
// refused by the hourly limit takes none. It panics if no vendor has that
// name or f is invalid.
func (s *Server) Inject(vendor string, f Fault) {
	vs := s.mustVendor(vendor)
	if err := f.Validate(); err != nil {
		panic(fmt.Sprintf("lmssim: inject into %s: %v", vendor, err))
	}
	vs.mu.Lock()
	defer vs.mu.Unlock()
	vs.faults.push(f)
}

// PendingFaults returns the injected faults of the named vendor not yet used.
func (s *Server) PendingFaults(vendor string) []Fault {
	vs, ok := s.vendors[vendor]
	if !ok {
		return nil
	}
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return vs.faults.pending()
}

// ClearFaults drops the injected faults of the named vendor not yet used.
func (s *Server) ClearFaults(vendor string) {
	if vs, ok := s.vendors[vendor]; ok {
		vs.mu.Lock()
		defer vs.mu.Unlock()
		vs.faults = faultQueue{}
	}
}

// Summary returns the call counts of the named vendor since the last reset.
func (s *Server) Summary(vendor string) VendorCalls {
	vs, ok := s.vendors[vendor]
	if !ok {
		return VendorCalls{Endpoints: map[string]int{}, Faults: map[string]int{}}
	}
	return vs.summary(s.clock.Now())
}

// Calls returns the number of requests to the named vendor by endpoint,
// 429s included, since the last reset.
func (s *Server) Calls(vendor string) map[string]int {
	return s.Summary(vendor).Endpoints
}

// Total returns the number of requests to the named vendor, 429s included,
// since the last reset.
func (s *Server) Total(vendor string) int {
	return s.Summary(vendor).Total
}

// Count429 returns the number of requests to the named vendor answered 429
// (by the hourly limit, an injected fault or a failure the vendor itself was
// told to answer), since the last reset.
func (s *Server) Count429(vendor string) int {
	return s.Summary(vendor).RateLimited
}

// RequestsLastHour returns the number of requests of the named vendor in the
// sliding hourly window, as the limit counts them (429s excluded).
func (s *Server) RequestsLastHour(vendor string) int {
	return s.Summary(vendor).RequestsLastHour
}

// Pauses returns the pauses the named vendor asked for with a 429 since the
// last reset, oldest first, each with the number of requests that arrived
// during it.
func (s *Server) Pauses(vendor string) []Pause {
	vs, ok := s.vendors[vendor]
	if !ok {
		return nil
	}
	return vs.pauseList()
}

// CallsDuringPause returns the number of requests to the named vendor that
// arrived during a pause it had asked for with a 429, since the last reset.
func (s *Server) CallsDuringPause(vendor string) int {
	return s.Summary(vendor).CallsDuringPause
}

// Log returns every request to the named vendor since the last reset, in
// order of arrival. A request still being served has Status 0.
func (s *Server) Log(vendor string) []CallRecord {
	vs, ok := s.vendors[vendor]
	if !ok {
		return nil
	}
	return vs.records()
}

// ResetCalls forgets the call counts, logs and recorded pauses of every
// vendor. The hourly windows, the pauses still running, configurations and
// injected faults stay.
func (s *Server) ResetCalls() {
	for _, vs := range s.vendors {
		vs.resetCalls()
	}
}

// now returns the server clock's time.
func (s *Server) now() time.Time {
	return s.clock.Now()
}
