package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/lmsoperator/lms-operator/internal/memlimit"
)

// mib is a mebibyte.
const mib = 1 << 20

// The targets of issue 9, as printed.
const (
	targetInitialRatio = 1.05
	targetSteadyCalls  = 10
	targetBudgetRatio  = 1.2
	targetPeakRSSMiB   = 150
	// targetRSSLearners is the size the RSS target speaks of.
	targetRSSLearners = 10000
	// progressShare is the design's cap of progress reads: 10 % of requestsPerHour.
	progressShare = 0.10
	// progressRefresh is the design's default spec.progress.refreshInterval.
	progressRefresh = 24 * time.Hour
)

// printHeader says what runs where.
func printHeader(w io.Writer, c config) {
	host, _ := os.Hostname()
	printf(w, "lms-operator bench, %s, host %s, %d CPUs (GOMAXPROCS %d), manager %s, %d workers per controller\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), host, runtime.NumCPU(), runtime.GOMAXPROCS(0), c.manager, c.concurrency)
	printf(w, "scenarios %s; vendors %s; unlimited: %d Learners, syncInterval %s, steady state %d intervals; budget: %d Learners\n",
		strings.Join(c.scenarios, ","), strings.Join(c.vendors, ","), c.learners, c.sync, c.intervals, c.budgetLearners)
	if c.memoryLimit > 0 {
		printf(w, "manager memory: as in a container limited to %.0f MiB, soft limit GOMEMLIMIT %.1f MiB (internal/memlimit)\n",
			float64(c.memoryLimit)/mib, float64(memlimit.Soft(c.memoryLimit))/mib)
	} else {
		printf(w, "manager memory: no container limit, no soft limit\n")
	}
}

// printResult prints what one scenario measured.
func printResult(w io.Writer, r result) {
	printf(w, "\n== %s: %s\n", r.s.name, describe(r.s))
	printCreate(w, r)
	if r.s.budgetBound {
		printBudget(w, r)
	}
	if r.steady != nil {
		printSteady(w, r, *r.steady)
	} else if r.s.intervals > 0 {
		printLine(w, "-- steady: not measured (the create phase did not converge)")
	}
	if r.gaps > 0 {
		printf(w, "   WARNING: %d watches restarted from the current state; change counts may miss events\n", r.gaps)
	}
	printf(w, "   manager log: %s\n", r.log)
}

// describe says what a scenario declares.
func describe(s scenario) string {
	parts := []string{fmt.Sprintf("%s, %d Learners", s.vendor, s.learners)}
	if s.group {
		parts = append(parts, "a selector LearnerGroup")
	}
	for _, t := range s.targets {
		parts = append(parts, fmt.Sprintf("a selector Enrollment of %s %s", t.kind, t.id))
	}
	budget := "the default budget"
	if s.requestsPerHour > 0 {
		budget = fmt.Sprintf("requestsPerHour %d, burst %d", s.requestsPerHour, s.effectiveBurst())
	}
	if s.pagesPerSync > 0 {
		budget += fmt.Sprintf(", pagesPerSync %d", s.pagesPerSync)
	} else {
		budget += fmt.Sprintf(", pagesPerSync unset (%d by default)", s.effectivePagesPerSync())
	}
	sync := "syncInterval 10m (default)"
	if s.sync > 0 {
		sync = "syncInterval " + s.sync.String()
	}
	sim := "simulator unlimited"
	if s.simRequestsPerHour > 0 {
		sim = fmt.Sprintf("simulator limited to %d/h", s.simRequestsPerHour)
	}
	return strings.Join(parts, ", ") + "; " + budget + ", " + sync + ", " + sim
}

// printCreate prints the create phase.
func printCreate(w io.Writer, r result) {
	p := r.create
	state := fmt.Sprintf("all Ready for their generation after %s (%s)", round(p.length), kindTimes(p.doneAt))
	if !p.converged {
		state = fmt.Sprintf("NOT converged after %s; done: %s", round(p.length), doneCounts(p, r.s))
	}
	if p.managerExited {
		state += "; THE MANAGER EXITED (see its log)"
	}
	printf(w, "-- create: the bench created the objects in %s; %s\n", round(p.created), state)
	for i, d := range p.notDone {
		if i == 5 {
			printf(w, "   ... and %d more not done\n", len(p.notDone)-i)
			break
		}
		printf(w, "   not done: %s\n", d)
	}
	total, n := p.calls.Total, r.s.learners
	fl := r.floor.total()
	printf(w, "   vendor calls: %d (%.2f per member), 429 answers: %d; floor %d: ratio %.2f\n",
		total, per(total, n), p.calls.RateLimited, fl, per(total, fl))
	printCalls(w, p.calls.Endpoints, n, 0, floorByEndpoint(r.floor, true), "floor")
	ue, lf := learnerFloor(r.floor, r.s.vendor)
	uc := userCalls(r.s.vendor, p.calls.Endpoints)
	printf(w, "   Learners alone (user endpoints): %d calls against N writes + list pages = %d (%s): ratio %.2f\n",
		uc, lf, strings.Join(sortedKeys(ue), ", "), per(uc, lf))
	printWrites(w, p)
}

// printSteady prints the steady phase.
func printSteady(w io.Writer, r result, p phaseResult) {
	n, iv := r.s.learners, float64(r.s.intervals)
	printf(w, "-- steady: %d intervals of %s (%s), nothing changed; objects that left Ready: %d\n",
		r.s.intervals, r.s.sync, round(p.length), p.regressions)
	total := p.calls.Total
	printf(w, "   vendor calls: %d (%.1f per interval, %.4f per member per interval), 429 answers: %d\n",
		total, float64(total)/iv, float64(total)/iv/float64(n), p.calls.RateLimited)
	printCalls(w, p.calls.Endpoints, n, iv, floorByEndpoint(r.floor, false), "design")
	prog, other := splitProgress(p.calls.Endpoints)
	share := progressShare * float64(r.s.requestsPerHour) * r.s.sync.Hours()
	refresh := float64(n*max(len(r.s.targets), 1)) * r.s.sync.Seconds() / progressRefresh.Seconds()
	printf(w, "   beyond progress: %.1f calls per interval (target <= %d); design's round: %d\n",
		float64(other)/iv, targetSteadyCalls, sum(r.floor.steadyRound()))
	printf(w, "   progress reads (users/activity): %.1f per interval; cap %.0f per interval (10%% of %d/h), "+
		"one read per learner and Enrollment per 24h: %.2f per interval\n", float64(prog)/iv, share, r.s.requestsPerHour, refresh)
	printWrites(w, p)
}

// printBudget compares the budget scenario's time to converge with its floor.
func printBudget(w io.Writer, r result) {
	fl := r.floor.total()
	fd := floorDuration(fl, r.s.requestsPerHour, r.s.effectiveBurst())
	verdict := fmt.Sprintf("converged in %s: ratio %.2f", round(r.create.length), r.create.length.Seconds()/fd.Seconds())
	if !r.create.converged {
		verdict = fmt.Sprintf("not converged within %s: ratio > %.2f", round(r.create.length), r.create.length.Seconds()/fd.Seconds())
	}
	printf(w, "   budget-bound: floor = (%d calls - burst %d) / %d per hour = %s; %s (target <= %.1f); 429 answers: %d (target 0); requests in the last hour: %d\n",
		fl, r.s.effectiveBurst(), r.s.requestsPerHour, round(fd), verdict, targetBudgetRatio, r.create.calls.RateLimited, r.create.calls.RequestsLastHour)
}

// printCalls prints calls by endpoint and per member beside the expected
// figure of each endpoint: the floor of a first sync (intervals 0), or, for
// the steady state, per interval beside the design's round.
func printCalls(w io.Writer, calls map[string]int, members int, intervals float64, expected map[string]int, label string) {
	steady := intervals > 0
	if steady {
		printf(w, "     %-46s %8s %10s %17s %8s\n", "endpoint", "calls", "/interval", "/member/interval", label)
	} else {
		printf(w, "     %-46s %8s %10s %8s\n", "endpoint", "calls", "/member", label)
	}
	for _, e := range endpointNames(calls, expected) {
		exp := "-"
		if v, ok := expected[e]; ok {
			exp = fmt.Sprint(v)
		}
		c := float64(calls[e])
		if steady {
			printf(w, "     %-46s %8d %10.1f %17.4f %8s\n", e, calls[e], c/intervals, c/intervals/float64(members), exp)
		} else {
			printf(w, "     %-46s %8d %10.3f %8s\n", e, calls[e], c/float64(members), exp)
		}
	}
}

// endpointNames are the endpoints called or expected, in order.
func endpointNames(calls, expected map[string]int) []string {
	names := sortedKeys(calls)
	for e := range expected {
		if _, ok := calls[e]; !ok {
			names = append(names, e)
		}
	}
	sort.Strings(names)
	return names
}

// printHoldings prints what the simulator holds of the scenario; a
// shortfall after every object reported Ready is the operator's error.
func printHoldings(w io.Writer, hs []holding, converged bool) {
	var parts []string
	mismatch := false
	for _, h := range hs {
		parts = append(parts, h.String())
		mismatch = mismatch || h.have != h.want
	}
	note := ""
	switch {
	case mismatch && converged:
		note = " (MISMATCH although every object reports Ready: the status is wrong)"
	case mismatch:
		note = " (not all there yet)"
	}
	printf(w, "   the simulator holds: %s%s\n", strings.Join(parts, ", "), note)
}

// printWrites prints the API-server writes of a phase.
func printWrites(w io.Writer, p phaseResult) {
	printHoldings(w, p.holdings, p.converged)
	printLine(w, "   API-server changes (MODIFIED watch events) by the manager:")
	for _, c := range p.writes {
		printf(w, "     %-14s %6d objects, %7d changes, %.2f per object (max %d), %d objects changed\n",
			c.kind, c.objects, c.modified, per(c.modified, c.objects), c.maxPerObj, c.changed)
	}
	ev := 0
	for _, n := range p.events {
		ev += n
	}
	printf(w, "     Events created or updated: %d (%s)\n", ev, countList(p.events))
	var reqs []string
	for _, d := range p.requests {
		reqs = append(reqs, fmt.Sprintf("%s %d", d.key, d.count))
	}
	printf(w, "   API-server write requests (apiserver_request_total, less the bench's creates): %s\n", orNone(strings.Join(reqs, ", ")))
	if p.rssErr != nil {
		printf(w, "   manager peak RSS: unknown (%v)\n", p.rssErr)
		return
	}
	printf(w, "   manager peak RSS (VmHWM) in this phase: %.1f MiB\n", float64(p.peakRSS)/mib)
}
