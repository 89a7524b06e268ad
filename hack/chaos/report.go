package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// pollInterval is how often convergence is checked.
const pollInterval = 2 * time.Second

// converge evaluates the invariants, faults off, until they all hold or
// the convergence timeout passes, and returns the last evaluation.
func (cp *campaign) converge(ctx context.Context) ([]check, error) {
	cp.printf("[%s] waiting up to %s for convergence\n", cp.since(), cp.cfg.convergeTimeout)
	began := time.Now()
	for {
		checks, err := cp.evaluate(ctx)
		if err != nil {
			return nil, err
		}
		failing := failingChecks(checks)
		if failing == 0 {
			cp.printf("[%s] converged after %s\n", cp.since(), time.Since(began).Round(time.Second))
			return checks, nil
		}
		if time.Since(began) > cp.cfg.convergeTimeout {
			cp.printf("[%s] not converged after %s: %d invariants fail\n", cp.since(), cp.cfg.convergeTimeout, failing)
			return checks, nil
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return nil, err
		}
	}
}

// failingChecks counts the checks that fail.
func failingChecks(checks []check) int {
	n := 0
	for _, c := range checks {
		if !c.ok() {
			n++
		}
	}
	return n
}

// evaluate reads every vendor's state and objects and checks them.
func (cp *campaign) evaluate(ctx context.Context) ([]check, error) {
	var checks []check
	for _, v := range cp.cfg.vendors {
		k, m := kits[v], cp.models[v]
		view, err := k.view(ctx, cp.sim)
		if err != nil {
			return nil, err
		}
		api, err := readAPI(ctx, cp.c, m.ns)
		if err != nil {
			return nil, err
		}
		checks = append(checks, lmsChecks(m, k, view, cp.atDelete[v])...)
		checks = append(checks, apiChecks(m, api)...)
	}
	return checks, nil
}

// report adds the pause and manager checks, prints the faults injected and
// every invariant, writes the final state and reports whether all held.
func (cp *campaign) report(ctx context.Context, checks []check) bool {
	pauses, err := cp.pauseChecks(ctx)
	if err != nil {
		pauses = []check{{vendor: "all", name: namePauses, bad: []string{err.Error()}}}
	}
	checks = append(checks, pauses...)
	checks = append(checks, cp.managerChecks(ctx)...)
	cp.printFaults(ctx)
	cp.printf("\n== Invariants\n")
	for _, c := range checks {
		cp.printCheck(c)
	}
	if err := cp.dumpFinal(ctx); err != nil {
		cp.printf("could not write the final state: %v\n", err)
	}
	failing := failingChecks(checks)
	verdict := "PASS"
	if failing > 0 {
		verdict = fmt.Sprintf("FAIL (%d invariants)", failing)
	}
	cp.printf("\nchaos: %s in %s: seed %d, %d restarts, ops %s; logs and final state in %s\n", verdict,
		time.Since(cp.began).Round(time.Second), cp.cfg.seed, len(cp.restarts), cp.progress(), cp.dirs.dir)
	return failing == 0
}

// pauseChecks is the pause invariant of each vendor.
func (cp *campaign) pauseChecks(ctx context.Context) ([]check, error) {
	rep, err := cp.sim.calls(ctx)
	if err != nil {
		return nil, err
	}
	var checks []check
	for _, v := range cp.cfg.vendors {
		log, err := cp.sim.log(ctx, v)
		if err != nil {
			return nil, err
		}
		pauses, err := cp.sim.pauses(ctx, v)
		if err != nil {
			return nil, err
		}
		vc := rep.Vendors[v]
		checks = append(checks, pauseCheck(v, vc.CallsDuringPause, vc.RateLimited, pauseCalls(log, pauses, cp.restarts)))
	}
	return checks, nil
}

// managerChecks are the invariants on the manager processes: none exited on
// its own, and the last one's goroutines and memory against the first's.
func (cp *campaign) managerChecks(ctx context.Context) []check {
	crashes := check{vendor: "all", name: "manager processes that exited on their own", of: cp.mgrRuns, bad: cp.crashes}
	if cp.mgr.exited() {
		crashes.fail("%s (the last) exited on its own (log: %s)", cp.mgr.name, cp.mgr.log)
	}
	var last figures
	lastErr := last.read(ctx, cp.metricsAddr)
	return []check{crashes,
		growthCheck("manager goroutines, last vs first", cp.first.goroutines, last.goroutines, cp.cfg.maxGoroutines,
			"%.0f", errorsJoin(cp.firstErr, lastErr)),
		growthCheck("manager resident memory (MiB), last vs first", cp.first.rss/(1<<20), last.rss/(1<<20), cp.cfg.maxRSS,
			"%.1f", errorsJoin(cp.firstErr, lastErr)),
	}
}

// growthCheck fails when last is more than maxRatio times first.
func growthCheck(name string, first, last, maxRatio float64, format string, err error) check {
	c := check{vendor: "all", name: name, of: 1}
	if err != nil {
		c.fail("cannot compare: %v", err)
		return c
	}
	ratio := last / first
	c.figure = fmt.Sprintf(format+" vs "+format+" (x%.2f, at most x%.2f)", last, first, ratio, maxRatio)
	if first <= 0 || ratio > maxRatio {
		c.fail("the last manager has "+format+", the first had "+format+": x%.2f, more than x%.2f", last, first, ratio, maxRatio)
	}
	return c
}

// printCheck prints one invariant with its figure and its violations.
func (cp *campaign) printCheck(c check) {
	verdict := "PASS"
	figure := fmt.Sprintf("%d of %d", c.of-len(c.bad), c.of)
	if !c.ok() {
		verdict, figure = "FAIL", fmt.Sprintf("%d of %d fail", len(c.bad), c.of)
	}
	if c.figure != "" {
		figure = c.figure
	}
	cp.printf("%-4s  %-7s  %-55s  %s\n", verdict, c.vendor, c.name, figure)
	for i, line := range c.bad {
		if i == maxExamples {
			cp.printf("          ... and %d more\n", len(c.bad)-maxExamples)
			break
		}
		cp.printf("          %s\n", line)
	}
}

// printFaults prints, per vendor, the calls and the faults the simulator
// injected, by kind.
func (cp *campaign) printFaults(ctx context.Context) {
	rep, err := cp.sim.calls(ctx)
	if err != nil {
		cp.printf("could not read the simulator's counts: %v\n", err)
		return
	}
	cp.printf("\n== Vendor calls and faults injected (GET /_sim/calls)\n")
	for _, v := range cp.cfg.vendors {
		vc := rep.Vendors[v]
		var parts []string
		for _, kind := range slices.Sorted(maps.Keys(vc.Faults)) {
			parts = append(parts, fmt.Sprintf("%s %d", kind, vc.Faults[kind]))
		}
		cp.printf("%-7s  %d calls, %d answered 429; faults: %s\n", v, vc.Total, vc.RateLimited, strings.Join(parts, ", "))
	}
}

// dumpFinal writes each vendor's simulator state, pauses and objects, and
// the call counts, into the final-state directory.
func (cp *campaign) dumpFinal(ctx context.Context) error {
	var calls json.RawMessage
	if err := cp.sim.do(ctx, "GET", "/_sim/calls", nil, &calls); err != nil {
		return err
	}
	files := map[string]any{"calls.json": calls}
	for _, v := range cp.cfg.vendors {
		var state, pauses json.RawMessage
		if err := cp.sim.state(ctx, v, &state); err != nil {
			return err
		}
		if err := cp.sim.do(ctx, "GET", "/_sim/pauses/"+v, nil, &pauses); err != nil {
			return err
		}
		objs, err := cp.objects(ctx, cp.models[v].ns)
		if err != nil {
			return err
		}
		files[v+"-state.json"], files[v+"-pauses.json"], files[v+"-objects.json"] = state, pauses, objs
	}
	for name, content := range files {
		data, err := json.MarshalIndent(content, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(cp.dirs.final, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// objects lists the campaign's objects of ns, with their status.
func (cp *campaign) objects(ctx context.Context, ns string) (map[string]client.ObjectList, error) {
	out := map[string]client.ObjectList{"connections": &v1alpha1.LMSConnectionList{}, "learners": &v1alpha1.LearnerList{},
		"learnerGroups": &v1alpha1.LearnerGroupList{}, "enrollments": &v1alpha1.EnrollmentList{}}
	for name, list := range out {
		if err := cp.c.List(ctx, list, client.InNamespace(ns)); err != nil {
			return nil, fmt.Errorf("list %s in %s: %w", name, ns, err)
		}
	}
	return out, nil
}
