package main

import "io"

// printTargets prints, for each target of issue 9, the figures of this run
// that speak to it.
func printTargets(w io.Writer, results []result) {
	printLine(w, "\n== Targets of issue 9 (figures of this run)")
	for _, r := range results {
		if r.s.budgetBound {
			printBudgetTarget(w, r)
			continue
		}
		printScenarioTargets(w, r)
	}
}

// printScenarioTargets prints the initial-sync, steady-state and RSS
// figures of an unlimited scenario.
func printScenarioTargets(w io.Writer, r result) {
	n := r.s.learners
	_, lf := learnerFloor(r.floor, r.s.vendor)
	uc := userCalls(r.s.vendor, r.create.calls.Endpoints)
	printf(w, "  %s: initial sync, Learners alone: %.3f x minimal (target <= %.2f: %s); whole scenario %.3f x its floor%s\n",
		r.s.name, per(uc, lf), targetInitialRatio, verdict(r.create.converged && per(uc, lf) <= targetInitialRatio),
		per(r.create.calls.Total, r.floor.total()), notConverged(r.create))
	if r.steady != nil {
		_, other := splitProgress(r.steady.calls.Endpoints)
		perInterval := float64(other) / float64(r.s.intervals)
		round := sum(r.floor.steadyRound())
		printf(w, "  %s: steady state at %d Learners: %.1f calls per interval beyond progress, the design's round %d "+
			"(list pages included, at most pagesPerSync of each paged read), %+.1f beyond it (target <= %d at 10,000: %s)\n", r.s.name, n, perInterval, round,
			perInterval-float64(round), targetSteadyCalls, verdict(perInterval <= targetSteadyCalls))
	}
	peak := max(r.create.peakRSS, peakOf(r.steady))
	printf(w, "  %s: manager peak RSS at %d Learners: %.1f MiB (target <= %d MiB at %d: %s)\n",
		r.s.name, n, float64(peak)/mib, targetPeakRSSMiB, targetRSSLearners, verdict(float64(peak)/mib <= targetPeakRSSMiB))
}

// printBudgetTarget prints the budget scenario's ratio and 429s.
func printBudgetTarget(w io.Writer, r result) {
	fd := floorDuration(r.floor.total(), r.s.requestsPerHour, r.s.effectiveBurst())
	ratio := r.create.length.Seconds() / fd.Seconds()
	bound := ""
	if !r.create.converged {
		bound = "> "
	}
	ok := r.create.converged && ratio <= targetBudgetRatio && r.create.calls.RateLimited == 0
	printf(w, "  %s: budget-bound convergence %s%.2f x the floor (%s), 429 answers %d (target <= %.1f and 0: %s)\n",
		r.s.name, bound, ratio, round(fd), r.create.calls.RateLimited, targetBudgetRatio, verdict(ok))
}

// peakOf is the phase's peak RSS, 0 without a phase.
func peakOf(p *phaseResult) int64 {
	if p == nil {
		return 0
	}
	return p.peakRSS
}

// verdict is "met" or "NOT met".
func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// notConverged notes a phase that did not converge.
func notConverged(p phaseResult) string {
	if p.converged {
		return ""
	}
	return " (did not converge)"
}
