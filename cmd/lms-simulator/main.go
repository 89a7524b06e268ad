// Command lms-simulator serves the eLeaP, Enabley and Exceed simulators of
// package lmssim over HTTP, for demos, benchmarks and manual tests. See
// docs/simulator.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// shutdownTimeout bounds how long the servers wait for requests to finish.
const shutdownTimeout = 10 * time.Second

// maxLogRecords caps each vendor's call log, so that a long run stays small.
const maxLogRecords = 100000

// vendors are the simulated vendors, in flag order.
var vendors = []string{lmssim.ELeaP, lmssim.Enabley, lmssim.Exceed}

// A config is the command line.
type config struct {
	addr            string
	seedPath        string
	printSeed       bool
	requestsPerHour map[string]int
	vendorAddrs     map[string]string
	latency         time.Duration
	errorRate       float64
	timeoutRate     float64
	malformedRate   float64
	dropRate        float64
	timeoutMax      time.Duration
	rateLimitRate   float64
	retryAfter      time.Duration
	noRetryRate     float64
	dropBeforeRate  float64
	slowRate        float64
	slowLatency     time.Duration
	randSeed        int64
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "lms-simulator:", err)
		os.Exit(1)
	}
}

// run parses args and serves until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if cfg.printSeed {
		return printSeed(stdout)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	sim, err := buildServer(cfg, logger)
	if err != nil {
		return err
	}
	servers, err := listen(cfg, sim, logger)
	if err != nil {
		return err
	}
	return serve(ctx, sim, servers, logger)
}

// parseFlags reads the command line; --help prints every flag to output.
func parseFlags(args []string, output io.Writer) (config, error) {
	cfg := config{requestsPerHour: map[string]int{}, vendorAddrs: map[string]string{}}
	fs := flag.NewFlagSet("lms-simulator", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.Usage = func() { usage(fs) }
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8090", "`address` to serve every vendor (under /<vendor>/) and the admin API (under /_sim/) on")
	fs.StringVar(&cfg.seedPath, "seed", "", "YAML `file` with the initial data and credentials of each vendor (default: the built-in demo seed, see --print-seed)")
	fs.BoolVar(&cfg.printSeed, "print-seed", false, "print the built-in demo seed as YAML and exit (a starting point for --seed)")
	var stores []func()
	for _, v := range vendors {
		stores = append(stores, bindVendorFlags(fs, &cfg, v))
	}
	fs.DurationVar(&cfg.latency, "latency", 0, "`duration` added to every request that is not rate limited, such as 50ms")
	fs.Float64Var(&cfg.errorRate, "error-rate", 0, "share (0 to 1) of requests answered 500 or 503 without reaching the vendor")
	fs.Float64Var(&cfg.timeoutRate, "timeout-rate", 0, "share (0 to 1) of requests that hang without reaching the vendor until the client gives up (or --timeout-max)")
	fs.Float64Var(&cfg.malformedRate, "malformed-rate", 0, "share (0 to 1) of requests the vendor handles whose response body is then cut into broken JSON")
	fs.Float64Var(&cfg.dropRate, "drop-after-commit-rate", 0, "share (0 to 1) of write requests the vendor handles after which the connection is closed with no response")
	fs.DurationVar(&cfg.timeoutMax, "timeout-max", 0, "how long a timeout fault hangs before it is answered 504 (0: until the client gives up)")
	bindRateLimitFlags(fs, &cfg)
	fs.Int64Var(&cfg.randSeed, "rand-seed", 1, "seed of the random fault draws: the same seed and requests give the same faults")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q (every option is a flag; see --help)", fs.Args())
	}
	for _, store := range stores {
		store()
	}
	return cfg, nil
}

// bindRateLimitFlags adds the flags of the 429, drop and slow fault rates.
func bindRateLimitFlags(fs *flag.FlagSet, cfg *config) {
	fs.Float64Var(&cfg.rateLimitRate, "rate-limit-rate", 0,
		"share (0 to 1) of requests answered 429 with Retry-After (--retry-after) without reaching the vendor")
	fs.DurationVar(&cfg.retryAfter, "retry-after", 2*time.Second, "Retry-After of the --rate-limit-rate 429s, in whole seconds (at least 1s)")
	fs.Float64Var(&cfg.noRetryRate, "rate-limit-no-retry-after-rate", 0,
		"share (0 to 1) of requests answered 429 without Retry-After (the client picks its backoff) without reaching the vendor")
	fs.Float64Var(&cfg.dropBeforeRate, "drop-rate", 0,
		"share (0 to 1) of requests whose connection is closed with no response before the vendor sees them")
	fs.Float64Var(&cfg.slowRate, "slow-rate", 0,
		"share (0 to 1) of requests the vendor answers --slow-latency late (a client that gives up first changes nothing)")
	fs.DurationVar(&cfg.slowLatency, "slow-latency", 2*time.Second, "delay of a --slow-rate answer")
}

// bindVendorFlags adds --requests-per-hour-<vendor> and --<vendor>-addr;
// the returned function stores their values into cfg after parsing.
func bindVendorFlags(fs *flag.FlagSet, cfg *config, vendor string) func() {
	def := 0
	if vendor == lmssim.ELeaP {
		def = 2500 // the documented eLeaP limit
	}
	rph := fs.Int("requests-per-hour-"+vendor, def,
		"hourly request `limit` of "+vendor+" over a sliding hour; beyond it requests are answered 429 with Retry-After (0: unlimited)")
	addr := fs.String(vendor+"-addr", "",
		"optional `address` to also serve "+vendor+" alone, at the root path (sharing limits, faults and counts with --addr)")
	return func() {
		cfg.requestsPerHour[vendor] = *rph
		if *addr != "" {
			cfg.vendorAddrs[vendor] = *addr
		}
	}
}

// usage prints the command's synopsis and every flag.
func usage(fs *flag.FlagSet) {
	out := fs.Output()
	_, _ = fmt.Fprintln(out, "Usage: lms-simulator [flags]")
	_, _ = fmt.Fprintln(out)
	_, _ = fmt.Fprintln(out, "Serves simulated eLeaP, Enabley and Exceed APIs on one address, under /eleap/, /enabley/ and /exceed/,")
	_, _ = fmt.Fprintln(out, "with an admin API under /_sim/ (call counts, runtime configuration, fault injection). See docs/simulator.md.")
	_, _ = fmt.Fprintln(out)
	_, _ = fmt.Fprintln(out, "Flags:")
	fs.PrintDefaults()
}

// printSeed writes the built-in demo seed as YAML.
func printSeed(w io.Writer) error {
	data, err := yaml.Marshal(lmssim.DefaultSeed())
	if err != nil {
		return fmt.Errorf("marshal demo seed: %w", err)
	}
	_, err = w.Write(data)
	return err
}

// buildServer loads the seed and builds the simulator with the flags'
// limits, latency and faults.
func buildServer(cfg config, logger *slog.Logger) (*lmssim.Server, error) {
	seed := lmssim.DefaultSeed()
	if cfg.seedPath != "" {
		var err error
		if seed, err = lmssim.LoadSeed(cfg.seedPath); err != nil {
			return nil, err
		}
	}
	opts := lmssim.Options{RandSeed: cfg.randSeed, Logger: logger, MaxLogRecords: maxLogRecords, Config: map[string]lmssim.VendorConfig{}}
	for _, v := range vendors {
		vc := vendorConfig(cfg, v)
		if err := vc.Validate(); err != nil {
			return nil, fmt.Errorf("flags for %s: %w", v, err)
		}
		opts.Config[v] = vc
	}
	return lmssim.NewDefault(seed, opts), nil
}

// vendorConfig is the VendorConfig the flags give vendor.
func vendorConfig(cfg config, vendor string) lmssim.VendorConfig {
	return lmssim.VendorConfig{
		RequestsPerHour:           cfg.requestsPerHour[vendor],
		Latency:                   cfg.latency,
		ErrorRate:                 cfg.errorRate,
		TimeoutRate:               cfg.timeoutRate,
		MalformedRate:             cfg.malformedRate,
		DropAfterCommitRate:       cfg.dropRate,
		TimeoutMax:                cfg.timeoutMax,
		RateLimitRate:             cfg.rateLimitRate,
		RetryAfter:                cfg.retryAfter,
		RateLimitNoRetryAfterRate: cfg.noRetryRate,
		DropRate:                  cfg.dropBeforeRate,
		SlowRate:                  cfg.slowRate,
		SlowLatency:               cfg.slowLatency,
	}
}

// A boundServer is an http.Server with its listener.
type boundServer struct {
	srv *http.Server
	ln  net.Listener
}

// listen opens --addr and every --<vendor>-addr, so that a taken port fails
// at once.
func listen(cfg config, sim *lmssim.Server, logger *slog.Logger) ([]boundServer, error) {
	all, err := bind(cfg.addr, logAdmin(sim, logger))
	if err != nil {
		return nil, fmt.Errorf("listen for all vendors: %w", err)
	}
	out := []boundServer{all}
	root := "http://" + all.ln.Addr().String()
	for _, v := range vendors {
		logger.Info("Serving vendor", "vendor", v, "baseURL", lmssim.VendorBaseURL(root, v))
	}
	logger.Info("Serving admin API", "url", root+"/_sim/")
	for _, v := range vendors {
		addr, ok := cfg.vendorAddrs[v]
		if !ok {
			continue
		}
		b, err := bind(addr, sim.VendorHandler(v))
		if err != nil {
			closeAll(out)
			return nil, fmt.Errorf("listen for %s alone: %w", v, err)
		}
		out = append(out, b)
		logger.Info("Serving vendor alone", "vendor", v, "baseURL", aloneBaseURL("http://"+b.ln.Addr().String(), v))
	}
	return out, nil
}

// bind listens on addr for h.
func bind(addr string, h http.Handler) (boundServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return boundServer{}, err
	}
	return boundServer{srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}, ln: ln}, nil
}

// aloneBaseURL is the operator base URL of vendor served alone at root: the
// usual base URL without the "/<vendor>" prefix.
func aloneBaseURL(root, vendor string) string {
	return root + strings.TrimPrefix(lmssim.VendorBaseURL("", vendor), "/"+vendor)
}

// logAdmin logs admin requests (vendor requests are logged by the Server)
// by path only: queries can carry credentials.
func logAdmin(h http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if strings.HasPrefix(r.URL.Path, "/_sim/") {
			logger.Info("Served admin request", "method", r.Method, "path", r.URL.Path)
		}
	})
}

// serve serves until ctx is done or a server fails, then shuts every server
// down, ending hanging fault requests first.
func serve(ctx context.Context, sim *lmssim.Server, servers []boundServer, logger *slog.Logger) error {
	errc := make(chan error, len(servers))
	for _, b := range servers {
		go func() { errc <- b.srv.Serve(b.ln) }()
	}
	var err error
	select {
	case <-ctx.Done():
		logger.Info("Shutting down")
	case err = <-errc:
		err = fmt.Errorf("serve: %w", err)
	}
	sim.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	for _, b := range servers {
		if serr := b.srv.Shutdown(shutdownCtx); serr != nil && err == nil {
			err = fmt.Errorf("shut down: %w", serr)
		}
	}
	return err
}

// closeAll closes the listeners of servers not yet serving.
func closeAll(servers []boundServer) {
	for _, b := range servers {
		_ = b.ln.Close()
	}
}
