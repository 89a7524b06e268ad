// Command chaos is the operator's fault campaign (make chaos). It runs the
// manager binary against the vendor simulator on a real API server (the
// demo's control plane), and for each vendor creates, changes and deletes
// Learners, LearnerGroups and Enrollments in a random order drawn from a
// seed, while the simulator injects faults and the manager is killed with
// SIGKILL at random points and restarted. At the end, with faults off, it
// waits for convergence and checks the invariants: one vendor user per
// Learner, nothing left beyond the deletion policies, every object Ready,
// no call sent during a 429 pause, and the manager's goroutines and memory
// after the last restart against the first. It exits 1 when an invariant
// fails, 2 when the campaign itself could not run. See docs/chaos.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// A config is the command line.
type config struct {
	restarts        int
	objects         int
	faultRate       float64
	faults          []string
	seed            int64
	vendors         []string
	timeout         time.Duration
	convergeTimeout time.Duration
	killMin         time.Duration
	killMax         time.Duration
	retryAfter      time.Duration
	slowLatency     time.Duration
	vendorTimeout   time.Duration
	syncInterval    time.Duration
	maxGoroutines   float64
	maxRSS          float64
	dir             string
	assets          string
	repo            string
}

// Exit statuses.
const (
	exitFailed = 1 // an invariant failed
	exitError  = 2 // the campaign could not run
)

// main runs the campaign and exits with its status.
func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(exitError)
	}
	// The campaign's own client logs nothing; without a logger
	// controller-runtime complains with a stack trace.
	ctrllog.SetLogger(zap.New(zap.WriteTo(io.Discard)))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	passed, err := run(ctx, cfg, os.Stdout)
	cancel()
	stop()
	switch {
	case err != nil:
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(exitError)
	case !passed:
		os.Exit(exitFailed)
	}
}

// parseFlags reads the command line.
func parseFlags(args []string, output io.Writer) (config, error) {
	cfg := config{}
	fs := flag.NewFlagSet("chaos", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.IntVar(&cfg.restarts, "restarts", 100, "how many times the manager is killed (SIGKILL) and restarted")
	fs.IntVar(&cfg.objects, "objects", 30, "objects (Learners, LearnerGroups, Enrollments) created on each vendor")
	fs.Float64Var(&cfg.faultRate, "fault-rate", 0.1, "share (0 to 1) of vendor requests that get a fault, shared equally among -faults")
	faults := fs.String("faults", strings.Join(faultNames(), ","), "comma-separated fault `kinds` to inject")
	fs.Int64Var(&cfg.seed, "seed", 0, "seed of every random draw (objects, order, kill times, faults); 0 picks one, printed for -seed to replay")
	vendors := fs.String("vendors", strings.Join([]string{lmssim.ELeaP, lmssim.Enabley, lmssim.Exceed}, ","),
		"comma-separated `vendors` to run, all at once against one manager")
	fs.DurationVar(&cfg.timeout, "timeout", time.Hour, "bound of the whole campaign")
	fs.DurationVar(&cfg.convergeTimeout, "converge-timeout", 5*time.Minute, "how long to wait, faults off, for every invariant to hold")
	fs.DurationVar(&cfg.killMin, "kill-min", time.Second, "shortest life of a manager process before it is killed")
	fs.DurationVar(&cfg.killMax, "kill-max", 6*time.Second, "longest life of a manager process before it is killed")
	fs.DurationVar(&cfg.retryAfter, "retry-after", 2*time.Second, "Retry-After of the simulator's 429 faults")
	fs.DurationVar(&cfg.slowLatency, "slow-latency", 2*time.Second, "delay of the simulator's slow answers")
	fs.DurationVar(&cfg.vendorTimeout, "vendor-timeout", 5*time.Second, "the manager's --vendor-timeout: when it gives up on a hanging call")
	fs.DurationVar(&cfg.syncInterval, "sync-interval", 5*time.Second, "spec.syncInterval of the connections")
	fs.Float64Var(&cfg.maxGoroutines, "max-goroutine-growth", 1.5, "largest ratio of the last manager's goroutines to the first's")
	fs.Float64Var(&cfg.maxRSS, "max-rss-growth", 2, "largest ratio of the last manager's resident memory to the first's")
	fs.StringVar(&cfg.dir, "dir", "tmp/chaos", "working `directory`: binaries, logs, kubeconfig, final state (emptied first)")
	fs.StringVar(&cfg.assets, "assets", os.Getenv("KUBEBUILDER_ASSETS"), "`directory` of kube-apiserver and etcd (default $KUBEBUILDER_ASSETS)")
	fs.StringVar(&cfg.repo, "repo", ".", "the repository's root `directory`")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return cfg.complete(*faults, *vendors)
}

// complete parses the list flags, picks a seed if none was given and
// checks cfg.
func (cfg config) complete(faults, vendors string) (config, error) {
	var err error
	if cfg.faults, err = parseFaults(faults); err != nil {
		return config{}, err
	}
	if cfg.vendors, err = parseVendors(vendors); err != nil {
		return config{}, err
	}
	if cfg.seed == 0 {
		cfg.seed = time.Now().UnixNano() % 1_000_000_000
	}
	switch {
	case cfg.assets == "":
		return config{}, errors.New("-assets or $KUBEBUILDER_ASSETS must name the directory of kube-apiserver and etcd (make envtest-assets)")
	case cfg.restarts < 0 || cfg.objects < 1:
		return config{}, fmt.Errorf("-restarts %d must not be negative and -objects %d must be positive", cfg.restarts, cfg.objects)
	case cfg.faultRate < 0 || cfg.faultRate > 1:
		return config{}, fmt.Errorf("-fault-rate %v is not in [0, 1]", cfg.faultRate)
	case cfg.killMin <= 0 || cfg.killMax < cfg.killMin:
		return config{}, fmt.Errorf("-kill-min %s must be positive and at most -kill-max %s", cfg.killMin, cfg.killMax)
	}
	return cfg, nil
}

// parseVendors reads a comma-separated list of vendor names.
func parseVendors(s string) ([]string, error) {
	var out []string
	for _, v := range strings.Split(s, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if _, ok := kits[v]; !ok {
			return nil, fmt.Errorf("unknown vendor %q (known: eleap, enabley, exceed)", v)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errors.New("-vendors names no vendor")
	}
	return out, nil
}

// replayArgs are the flags that replay this campaign's draws.
func (cfg config) replayArgs() string {
	return fmt.Sprintf("-seed %d -restarts %d -objects %d -fault-rate %v -faults %s -vendors %s -kill-min %s -kill-max %s",
		cfg.seed, cfg.restarts, cfg.objects, cfg.faultRate, strings.Join(cfg.faults, ","), strings.Join(cfg.vendors, ","),
		cfg.killMin, cfg.killMax)
}
