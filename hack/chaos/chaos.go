package main

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// Streams of the random draws, so that each vendor's objects and order, and
// the kill times, do not depend on which other vendors run.
const (
	streamKills  = 100
	streamVendor = 1 // plus the vendor's index in vendorOrder
)

// vendorOrder fixes each vendor's random stream.
var vendorOrder = []string{lmssim.ELeaP, lmssim.Enabley, lmssim.Exceed}

// plan draws each vendor's ops, spread so that they last about as long as
// the restarts.
func (cp *campaign) plan(context.Context) error {
	chaosTime := time.Duration(cp.cfg.restarts) * (cp.cfg.killMin + cp.cfg.killMax) / 2
	meanDelay := max(chaosTime/time.Duration(3*cp.cfg.objects), 50*time.Millisecond)
	for _, v := range cp.cfg.vendors {
		k := kits[v]
		m := &model{vendor: v, ns: "chaos-" + v, canGroup: k.canGroup, canEnroll: k.canEnroll,
			targets: k.targets(cp.cfg.objects)}
		if v == lmssim.Enabley {
			m.groupTypes = cp.seed.Enabley.GroupHierarchy
		}
		rng := rand.New(rand.NewPCG(uint64(cp.cfg.seed), uint64(streamVendor+slices.Index(vendorOrder, v))))
		cp.models[v] = m
		cp.ops[v] = generate(m, rng, cp.cfg.objects, meanDelay)
		cp.done[v] = &atomic.Int64{}
		cp.atDelete[v] = map[string]int{}
	}
	f, err := os.Create(filepath.Join(cp.dirs.logs, "ops.log"))
	if err != nil {
		return err
	}
	cp.opsLog = log.New(f, "", log.LstdFlags|log.Lmicroseconds|log.LUTC)
	return nil
}

// beforeOp returns the hook run before each op of vendor: before a Learner
// or LearnerGroup is deleted it counts the LMS objects it has, for the
// deletion invariants.
func (cp *campaign) beforeOp(ctx context.Context, vendor string) func(op) error {
	k, m := kits[vendor], cp.models[vendor]
	return func(o op) error {
		if o.kind != opDelete || kindOf(o.obj) == "Enrollment" {
			return nil
		}
		view, err := k.view(ctx, cp.sim)
		if err != nil {
			return err
		}
		key := apiKey(kindOf(o.obj), o.obj.GetName())
		if l := m.learner(o.obj.GetName()); kindOf(o.obj) == "Learner" && l != nil {
			cp.atDelete[vendor][key] = len(view.users[strings.ToLower(l.email)])
		}
		if g := m.group(o.obj.GetName()); kindOf(o.obj) == "LearnerGroup" && g != nil {
			cp.atDelete[vendor][key] = len(view.groups[k.groupKey(m.ns, g)])
		}
		return nil
	}
}

// afterOp returns the hook run after each op of vendor: count it and log it.
func (cp *campaign) afterOp(vendor string) func(op) error {
	return func(o op) error {
		cp.done[vendor].Add(1)
		cp.opsLog.Printf("+%s %s %s", cp.since(), o, o.spec())
		return nil
	}
}

// chaos runs the ops of every vendor while the simulator injects faults and
// the manager is killed and restarted; then it turns the faults off.
func (cp *campaign) chaos(ctx context.Context) error {
	if err := cp.first.read(ctx, cp.metricsAddr); err != nil {
		cp.firstErr = err
	}
	if err := cp.setFaults(ctx, faultConfig(cp.cfg.faults, cp.cfg.faultRate, cp.cfg.retryAfter, cp.cfg.slowLatency)); err != nil {
		return err
	}
	cp.printf("[%s] chaos: %d restarts, ops %s, faults %s at a rate of %v\n", cp.since(), cp.cfg.restarts, cp.progress(),
		strings.Join(cp.cfg.faults, ","), cp.cfg.faultRate)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(cp.cfg.vendors))
	for _, v := range cp.cfg.vendors {
		go func() { errc <- runOps(wctx, cp.c, cp.ops[v], cp.beforeOp(wctx, v), cp.afterOp(v)) }()
	}
	killErr := cp.killLoop(ctx)
	if killErr != nil {
		cancel()
	}
	errs := []error{killErr}
	for range cp.cfg.vendors {
		errs = append(errs, <-errc)
	}
	cp.printf("[%s] chaos over (ops %s); faults off\n", cp.since(), cp.progress())
	errs = append(errs, cp.setFaults(ctx, faultsOff()))
	return errorsJoin(errs...)
}

// read fills f from the manager's metrics endpoint.
func (f *figures) read(ctx context.Context, addr string) error {
	got, err := scrapeFigures(ctx, addr)
	if err == nil {
		*f = got
	}
	return err
}

// progress prints how many ops of each vendor are done.
func (cp *campaign) progress() string {
	var parts []string
	for _, v := range cp.cfg.vendors {
		parts = append(parts, fmt.Sprintf("%s %d/%d", v, cp.done[v].Load(), len(cp.ops[v])))
	}
	return strings.Join(parts, ", ")
}

// setFaults applies cfg to every vendor and drops the injected faults.
func (cp *campaign) setFaults(ctx context.Context, cfg map[string]any) error {
	for _, v := range cp.cfg.vendors {
		if err := cp.sim.setConfig(ctx, v, cfg); err != nil {
			return err
		}
		if err := cp.sim.clearFaults(ctx, v); err != nil {
			return err
		}
	}
	return nil
}

// killDelays draws the life of each manager process before its kill.
func killDelays(seed int64, n int, lo, hi time.Duration) []time.Duration {
	rng := rand.New(rand.NewPCG(uint64(seed), streamKills))
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = lo + time.Duration(rng.Int64N(int64(hi-lo)+1))
	}
	return out
}

// killLoop kills the manager (SIGKILL) after each drawn life and starts a
// new one.
func (cp *campaign) killLoop(ctx context.Context) error {
	for i, life := range killDelays(cp.cfg.seed, cp.cfg.restarts, cp.cfg.killMin, cp.cfg.killMax) {
		if err := sleep(ctx, time.Until(cp.mgr.started.Add(life))); err != nil {
			return err
		}
		if cp.mgr.exited() {
			cp.crashes = append(cp.crashes, fmt.Sprintf("%s exited on its own after %s (log: %s)", cp.mgr.name,
				time.Since(cp.mgr.started).Round(time.Millisecond), cp.mgr.log))
		}
		cp.mgr.kill()
		cp.opsLog.Printf("+%s killed %s", cp.since(), cp.mgr.name)
		cp.restarts = append(cp.restarts, time.Now())
		if err := cp.startManager(ctx); err != nil {
			return err
		}
		cp.printf("[%s] restart %d/%d after %s; ops %s\n", cp.since(), i+1, cp.cfg.restarts, life.Round(time.Millisecond), cp.progress())
	}
	return nil
}
