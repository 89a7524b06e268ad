// Command bench measures what the operator costs the vendor and the API
// server in the shape users run it. It starts a real kube-apiserver and etcd
// (envtest) with the CRDs, the vendor simulator (in this process, over
// HTTP), and the built manager binary as its own process against the API
// server, one manager per scenario. Each scenario creates a connection, N
// Learners, a selector LearnerGroup and selector Enrollments, and prints,
// per phase (create, then the steady state over a few sync intervals with
// nothing changing): the vendor calls by endpoint and per member against the
// fewest calls the scenario needs, the time until every object is Ready for
// its generation, the API-server writes per object, and the manager's peak
// RSS (VmHWM of its process alone).
//
// Scenarios:
//
//	unlimited  on each vendor of -vendors, -learners Learners with a selector
//	           LearnerGroup and selector Enrollments (eLeaP: a course and a
//	           learning path; Enabley: a channel; Exceed: Learners alone), on a
//	           connection with an unlimited budget (1,000,000 requests an hour)
//	budget     eLeaP at its documented limit: the connection at
//	           requestsPerHour 2500 and the default burst, the simulator
//	           limited to 2,500 an hour too, -budget-learners Learners with a
//	           group and a course Enrollment (about ten minutes of budget):
//	           time to converge against the floor, and the 429s
//
// Usage (make bench builds the manager and sets KUBEBUILDER_ASSETS):
//
//	go run ./hack/bench -manager tmp/bench/manager [-scenarios unlimited,budget]
//	    [-vendors eleap,enabley,exceed] [-learners 1000] [-sync 30s] [-intervals 3]
//	    [-pages-per-sync 0]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/memlimit"
)

// The scenario names of -scenarios.
const (
	scenarioUnlimited = "unlimited"
	scenarioBudget    = "budget"
)

// A config is the command line.
type config struct {
	scenarios      []string
	vendors        []string
	learners       int
	sync           time.Duration
	intervals      int
	eleapTargets   []string
	budgetLearners int
	// pagesPerSync is the unlimited connections' pagesPerSync; 0 leaves it
	// unset (the manager's default).
	pagesPerSync  int
	budgetSync    time.Duration
	budgetTimeout float64
	manager       string
	dir           string
	concurrency   int
	timeout       time.Duration
	managerArgs   string
	// memoryLimit is the container memory limit the manager is run as if
	// under (bytes, 0: none): it gets the soft limit memlimit would set.
	memoryLimit int64
}

// main parses the flags and runs the scenarios until done or interrupted.
func main() {
	c, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err == nil {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err = run(ctx, c)
		stop()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line.
func parseFlags(args []string) (config, error) {
	var c config
	var scenarios, vendors, targets string
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&scenarios, "scenarios", "unlimited,budget", "Comma-separated scenarios: unlimited, budget.")
	fs.StringVar(&vendors, "vendors", "eleap,enabley,exceed", "Vendors of the unlimited scenario.")
	fs.IntVar(&c.learners, "learners", 1000, "Learners of the unlimited scenario.")
	fs.DurationVar(&c.sync, "sync", 30*time.Second, "syncInterval of the unlimited scenario's connection.")
	fs.IntVar(&c.intervals, "intervals", 3, "Sync intervals the steady state is watched for.")
	fs.StringVar(&targets, "eleap-targets", "course,learningPath", "Enrollment targets of the unlimited eLeaP scenario.")
	fs.IntVar(&c.budgetLearners, "budget-learners", 140, "Learners of the budget scenario (140: about ten minutes at 2,500/h).")
	fs.DurationVar(&c.budgetSync, "budget-sync", 0, "syncInterval of the budget scenario's connection (0: the default, 10m).")
	fs.Float64Var(&c.budgetTimeout, "budget-timeout", 1.3, "The budget scenario gives up after this many times its floor (the target is 1.2).")
	fs.IntVar(&c.pagesPerSync, "pages-per-sync", 0, "spec.rateLimit.pagesPerSync of the unlimited scenario's connection (0: unset, the default a quarter of an interval's requests).")
	fs.StringVar(&c.manager, "manager", "bin/manager", "The manager binary (make bench builds ./cmd into tmp/bench/manager).")
	fs.StringVar(&c.dir, "dir", "tmp/bench", "Directory for the kubeconfig and the manager's logs.")
	fs.IntVar(&c.concurrency, "concurrency", 4, "The manager's --max-concurrent-reconciles (the chart's default is 4).")
	fs.DurationVar(&c.timeout, "timeout", 45*time.Minute, "How long the unlimited scenario may take to converge.")
	fs.StringVar(&c.managerArgs, "manager-args", "", "More flags for the manager, space-separated (such as --pprof-bind-address=127.0.0.1:6060).")
	fs.Func("memory-limit", "The container memory limit the manager runs as if under (default the chart's 256Mi): "+
		"it gets the soft memory limit (GOMEMLIMIT) that internal/memlimit sets in such a container; 0 for none.", c.setMemoryLimit)
	c.memoryLimit = chartMemoryLimit
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	c.scenarios, c.vendors, c.eleapTargets = splitList(scenarios), splitList(vendors), splitList(targets)
	return c, c.validate()
}

// chartMemoryLimit is the manager's memory limit in the chart's values.yaml.
const chartMemoryLimit = 256 << 20

// setMemoryLimit reads -memory-limit, a Kubernetes quantity.
func (c *config) setMemoryLimit(v string) error {
	q, err := resource.ParseQuantity(v)
	if err != nil {
		return err
	}
	c.memoryLimit = q.Value()
	return nil
}

// managerEnv is what the manager's environment adds to the bench's: the
// soft memory limit a container limited to c.memoryLimit gets.
func (c config) managerEnv() []string {
	if c.memoryLimit <= 0 {
		return nil
	}
	return []string{"GOMEMLIMIT=" + strconv.FormatInt(memlimit.Soft(c.memoryLimit), 10)}
}

// validate reports whether the flags name known scenarios, vendors and targets.
func (c config) validate() error {
	if err := oneOf("scenario", c.scenarios, scenarioUnlimited, scenarioBudget); err != nil {
		return err
	}
	if err := oneOf("vendor", c.vendors, lmssim.ELeaP, lmssim.Enabley, lmssim.Exceed); err != nil {
		return err
	}
	if err := oneOf("eLeaP target", c.eleapTargets, targetCourse, targetLearningPath); err != nil {
		return err
	}
	if c.learners < 1 || c.budgetLearners < 1 || c.intervals < 0 || c.sync < time.Second || c.pagesPerSync < 0 {
		return fmt.Errorf("-learners and -budget-learners must be at least 1, -intervals and -pages-per-sync at least 0, -sync at least 1s")
	}
	return nil
}

// oneOf reports an error naming the first of values that is not in allowed.
func oneOf(what string, values []string, allowed ...string) error {
	for _, v := range values {
		found := false
		for _, a := range allowed {
			found = found || v == a
		}
		if !found {
			return fmt.Errorf("unknown %s %q (one of %s)", what, v, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// run starts the API server and runs every scenario the flags select.
func run(ctx context.Context, c config) error {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return errors.New("KUBEBUILDER_ASSETS is not set: run `make bench`")
	}
	if _, err := os.Stat(c.manager); err != nil {
		return fmt.Errorf("the manager binary: %w (build it: make bench, or go build -o %s ./cmd)", err, c.manager)
	}
	cl, err := startCluster(c.dir)
	if err != nil {
		return err
	}
	defer cl.stop()
	printHeader(os.Stdout, c)
	var results []result
	for _, s := range scenarios(c) {
		r, err := runScenario(ctx, cl, s, c)
		if err != nil {
			return fmt.Errorf("scenario %s: %w", s.name, err)
		}
		printResult(os.Stdout, r)
		results = append(results, r)
	}
	printTargets(os.Stdout, results)
	return nil
}
