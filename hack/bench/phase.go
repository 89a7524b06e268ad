package main

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// minBudgetTimeout is the least time the budget scenario is given.
const minBudgetTimeout = 2 * time.Minute

// A phaseResult is what one phase measured.
type phaseResult struct {
	name string
	// length is the phase's duration: until convergence (or the timeout)
	// for create, the intervals watched for steady.
	length time.Duration
	// created is how long the bench took to create the objects.
	created   time.Duration
	converged bool
	// doneAt is, by kind, when every object of the kind was first done.
	doneAt    map[string]time.Duration
	doneCount map[string]int
	notDone   []string
	calls     lmssim.VendorCalls
	writes    []writeCount
	events    map[string]int
	requests  []requestDelta
	peakRSS   int64
	rssErr    error
	// holdings are what the simulator holds of the scenario at the end.
	holdings []holding
	// regressions counts objects that stopped being done after convergence.
	regressions int
	// managerExited: the manager ended during the phase.
	managerExited bool
}

// A result is what a scenario measured.
type result struct {
	s      scenario
	floor  floor
	create phaseResult
	steady *phaseResult
	gaps   int
	log    string
}

// A scenarioRun is one scenario in progress: the simulator, the manager and the tracker.
type scenarioRun struct {
	cl  *cluster
	s   scenario
	sim *lmssim.Server
	url string
	m   *managerProcess
	t   *tracker
}

// runScenario measures s on a fresh simulator and a fresh manager.
func runScenario(ctx context.Context, cl *cluster, s scenario, c config) (result, error) {
	cfg := map[string]lmssim.VendorConfig{s.vendor: {RequestsPerHour: s.simRequestsPerHour}}
	sim := lmssim.NewDefault(lmssim.DefaultSeed(), lmssim.Options{Config: cfg})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	defer sim.Close()
	r := &scenarioRun{cl: cl, s: s, sim: sim, url: srv.URL, t: newTracker(s)}
	res := result{s: s, floor: floorOf(s), log: filepath.Join(c.dir, s.name+"-manager.log")}
	if s.budgetBound {
		fd := floorDuration(res.floor.total(), s.requestsPerHour, s.effectiveBurst())
		r.s.timeout = max(time.Duration(c.budgetTimeout*float64(fd)), minBudgetTimeout)
	}
	wctx, stopWatches := context.WithCancel(ctx)
	defer stopWatches()
	if err := r.prepare(wctx, c, res.log); err != nil {
		return res, err
	}
	defer r.m.stop()
	var err error
	if res.create, err = r.createPhase(ctx); err != nil {
		return res, err
	}
	if s.intervals > 0 && res.create.converged {
		steady, err := r.steadyPhase(ctx)
		if err != nil {
			return res, err
		}
		res.steady = &steady
	}
	res.gaps = r.t.restarts()
	return res, nil
}

// prepare creates the namespace, starts the watches and the manager.
func (r *scenarioRun) prepare(ctx context.Context, c config, logPath string) error {
	setup := r.s.setupObjects(r.url)
	if err := r.cl.createAll(ctx, setup[:1]); err != nil {
		return err
	}
	r.t.start(ctx, r.cl.k, r.s.namespace())
	m, err := startManager(c.manager, r.cl.kubeconfig, r.s.namespace(), logPath, c.concurrency, c.managerEnv(), strings.Fields(c.managerArgs)...)
	if err != nil {
		return err
	}
	r.m = m
	return nil
}

// A sample is the counters a phase starts from.
type sample struct {
	start    time.Time
	requests requestCounts
}

// begin resets the counters of a phase.
func (r *scenarioRun) begin(ctx context.Context) (sample, error) {
	reqs, err := scrapeRequests(ctx, r.cl.clientset)
	if err != nil {
		return sample{}, err
	}
	r.sim.ResetCalls()
	r.t.writes()
	if err := r.m.resetPeak(); err != nil {
		return sample{}, err
	}
	return sample{start: time.Now(), requests: reqs}, nil
}

// end collects the counters of a phase started at from.
func (r *scenarioRun) end(ctx context.Context, p *phaseResult, from sample, benchCreates map[string]int) error {
	p.calls = r.sim.Summary(r.s.vendor)
	p.writes, p.events = r.t.writes()
	p.peakRSS, p.rssErr = r.m.peakRSS()
	reqs, err := scrapeRequests(ctx, r.cl.clientset)
	if err != nil {
		return err
	}
	p.requests = delta(from.requests, reqs, benchCreates)
	p.doneCount, p.notDone = r.t.status()
	p.holdings = vendorHoldings(r.sim, r.s)
	return nil
}

// createPhase creates the connection, the group, the Enrollments and the
// Learners, and waits until every object is done.
func (r *scenarioRun) createPhase(ctx context.Context) (phaseResult, error) {
	p := phaseResult{name: "create", doneAt: map[string]time.Duration{}}
	from, err := r.begin(ctx)
	if err != nil {
		return p, err
	}
	objs := append(r.s.setupObjects(r.url)[1:], r.s.memberObjects()...)
	if err := r.cl.createAll(ctx, objs); err != nil {
		return p, err
	}
	if err := r.cl.createLearners(ctx, r.s); err != nil {
		return p, err
	}
	p.created = time.Since(from.start)
	at, ok := r.t.waitConverged(ctx, r.s.timeout-p.created, r.m.done)
	p.managerExited = r.m.exited()
	p.converged, p.length = ok, time.Since(from.start)
	if ok {
		p.length = at.Sub(from.start)
	}
	r.t.mu.Lock()
	for k, t := range r.t.doneAt {
		p.doneAt[k] = t.Sub(from.start)
	}
	r.t.mu.Unlock()
	return p, r.end(ctx, &p, from, benchCreates(objs, r.s.learners))
}

// benchCreates counts the objects the bench created, by API resource.
func benchCreates(objs []client.Object, learners int) map[string]int {
	out := map[string]int{"learners": learners}
	for _, o := range objs {
		out[resourceOf(o)]++
	}
	return out
}

// resourceOf is the API resource of o, such as "learnergroups"; "" for
// kinds the API server's request counts are not read for.
func resourceOf(o client.Object) string {
	switch o.(type) {
	case *v1alpha1.LMSConnection:
		return "lmsconnections"
	case *v1alpha1.LearnerGroup:
		return "learnergroups"
	case *v1alpha1.Enrollment:
		return "enrollments"
	case *v1alpha1.Learner:
		return "learners"
	}
	return ""
}

// steadyPhase watches s.intervals sync intervals with nothing changing.
func (r *scenarioRun) steadyPhase(ctx context.Context) (phaseResult, error) {
	p := phaseResult{name: "steady"}
	from, err := r.begin(ctx)
	if err != nil {
		return p, err
	}
	r.t.mu.Lock()
	before := r.t.regressions
	r.t.mu.Unlock()
	p.length = time.Duration(r.s.intervals) * r.s.sync
	select {
	case <-time.After(p.length):
	case <-ctx.Done():
		return p, ctx.Err()
	}
	r.t.mu.Lock()
	p.regressions = r.t.regressions - before
	r.t.mu.Unlock()
	p.converged = true
	return p, r.end(ctx, &p, from, nil)
}
