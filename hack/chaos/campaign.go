package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// readyTimeout bounds the wait for the connections to become Ready before
// any fault is injected.
const readyTimeout = 3 * time.Minute

// runDirs are the campaign's directories.
type runDirs struct {
	dir, bin, logs, final string
}

// A campaign is one run of the fault campaign.
type campaign struct {
	cfg   config
	out   io.Writer
	dirs  runDirs
	began time.Time
	seed  lmssim.Seed

	c            client.Client
	sim          *simClient
	controlPlane *process
	simulator    *process

	mgr         *process
	mgrRuns     int
	metricsAddr string
	probeAddr   string
	kubeconfig  string

	models map[string]*model
	ops    map[string][]op
	done   map[string]*atomic.Int64
	// atDelete counts, by vendor and apiKey, the LMS objects of each
	// Learner and LearnerGroup when the campaign deleted it.
	atDelete map[string]map[string]int
	opsLog   *log.Logger

	restarts []time.Time
	crashes  []string
	first    figures
	firstErr error
}

// run runs the campaign and reports whether every invariant held.
func run(ctx context.Context, cfg config, out io.Writer) (bool, error) {
	cp := &campaign{cfg: cfg, out: out, began: time.Now(), models: map[string]*model{}, ops: map[string][]op{},
		done: map[string]*atomic.Int64{}, atDelete: map[string]map[string]int{}}
	defer cp.teardown()
	cp.printf("chaos: seed %d (replay: go run ./hack/chaos %s)\n", cfg.seed, cfg.replayArgs())
	for _, step := range []func(context.Context) error{cp.prepare, cp.startCluster, cp.startSimulator, cp.startManager,
		cp.connect, cp.plan, cp.chaos} {
		if err := step(ctx); err != nil {
			return false, fmt.Errorf("%w (logs: %s)", err, cp.dirs.logs)
		}
	}
	checks, err := cp.converge(ctx)
	if err != nil {
		return false, fmt.Errorf("%w (logs: %s)", err, cp.dirs.logs)
	}
	return cp.report(ctx, checks), nil
}

// printf writes a progress line.
func (cp *campaign) printf(format string, args ...any) {
	_, _ = fmt.Fprintf(cp.out, format, args...)
}

// since returns the time since the campaign began, for progress lines.
func (cp *campaign) since() time.Duration {
	return time.Since(cp.began).Round(100 * time.Millisecond)
}

// prepare empties the log and final-state directories and builds the binaries.
func (cp *campaign) prepare(ctx context.Context) error {
	dir, err := filepath.Abs(cp.cfg.dir)
	if err != nil {
		return err
	}
	cp.dirs = runDirs{dir: dir, bin: filepath.Join(dir, "bin"), logs: filepath.Join(dir, "logs"), final: filepath.Join(dir, "final")}
	for _, d := range []string{cp.dirs.logs, cp.dirs.final} {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
	}
	for _, d := range []string{cp.dirs.bin, cp.dirs.logs, cp.dirs.final} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	cp.printf("[%s] building the manager, lms-simulator and the control plane into %s\n", cp.since(), cp.dirs.bin)
	return buildBinaries(ctx, cp.cfg.repo, cp.dirs.bin)
}

// startCluster starts the API server and installs the CRDs.
func (cp *campaign) startCluster(ctx context.Context) error {
	cp.printf("[%s] starting etcd and kube-apiserver\n", cp.since())
	p, restCfg, err := startControlPlane(ctx, &cp.dirs, cp.cfg.assets)
	if err != nil {
		return err
	}
	cp.controlPlane, cp.kubeconfig = p, filepath.Join(cp.dirs.dir, "kubeconfig")
	if cp.c, err = newClient(restCfg); err != nil {
		return err
	}
	return installCRDs(restCfg, cp.cfg.repo)
}

// startSimulator starts lms-simulator with the chaos seed, no hourly limit
// and the campaign's seed for its fault draws.
func (cp *campaign) startSimulator(ctx context.Context) error {
	cp.seed = chaosSeed(cp.cfg.objects)
	seedPath := filepath.Join(cp.dirs.dir, "seed.yaml")
	if err := writeSeed(seedPath, cp.seed); err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cp.simulator, err = startProcess("lms-simulator", filepath.Join(cp.dirs.logs, "lms-simulator.log"), nil,
		filepath.Join(cp.dirs.bin, "lms-simulator"), "--addr", addr, "--seed", seedPath,
		"--rand-seed", fmt.Sprint(cp.cfg.seed), "--requests-per-hour-eleap=0")
	if err != nil {
		return err
	}
	cp.sim = newSimClient("http://" + addr)
	cp.printf("[%s] simulator at http://%s (admin API /_sim/)\n", cp.since(), addr)
	return waitHTTP(ctx, cp.sim.base+"/_sim/healthz", cp.simulator, 30*time.Second)
}

// startManager starts the next manager process, with its metrics served
// over plain HTTP for the figures.
func (cp *campaign) startManager(ctx context.Context) error {
	if cp.metricsAddr == "" {
		var err error
		if cp.metricsAddr, err = freeAddr(); err != nil {
			return err
		}
		if cp.probeAddr, err = freeAddr(); err != nil {
			return err
		}
	}
	log := filepath.Join(cp.dirs.logs, fmt.Sprintf("manager-%03d.log", cp.mgrRuns))
	p, err := startProcess(fmt.Sprintf("manager #%d", cp.mgrRuns), log, []string{"KUBECONFIG=" + cp.kubeconfig},
		filepath.Join(cp.dirs.bin, "manager"), "--leader-elect=false", "--metrics-bind-address="+cp.metricsAddr,
		"--metrics-secure=false", "--health-probe-bind-address="+cp.probeAddr, "--vendor-timeout="+cp.cfg.vendorTimeout.String(), "--zap-log-level=debug")
	if err != nil {
		return err
	}
	cp.mgr = p
	cp.mgrRuns++
	if cp.mgrRuns == 1 {
		return waitHTTP(ctx, "http://"+cp.probeAddr+"/readyz", p, time.Minute)
	}
	return nil
}

// connect creates each vendor's namespace, Secret and connection, and waits
// until every connection is Ready, faults off.
func (cp *campaign) connect(ctx context.Context) error {
	for _, v := range cp.cfg.vendors {
		k, ns := kits[v], "chaos-"+v
		if err := createNamespace(ctx, cp.c, ns); err != nil {
			return err
		}
		if err := cp.c.Create(ctx, secretObject(ns, k.secret)); err != nil {
			return fmt.Errorf("create the Secret of %s: %w", v, err)
		}
		conn := connectionObject(ns, k.settings, lmssim.VendorBaseURL(cp.sim.base, v), metav1.Duration{Duration: cp.cfg.syncInterval})
		if err := cp.c.Create(ctx, conn); err != nil {
			return fmt.Errorf("create the connection of %s: %w", v, err)
		}
	}
	cp.printf("[%s] waiting until the connections are Ready\n", cp.since())
	return cp.waitConnections(ctx)
}

// waitConnections polls until every connection is Ready.
func (cp *campaign) waitConnections(ctx context.Context) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		var notReady []string
		for _, v := range cp.cfg.vendors {
			view, err := readAPI(ctx, cp.c, "chaos-"+v)
			if err != nil {
				return err
			}
			if info := view[apiKey("LMSConnection", connName)]; info.ready == nil || info.ready.Status != metav1.ConditionTrue {
				notReady = append(notReady, v+": "+info.describe())
			}
		}
		if len(notReady) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("connections not Ready after %s: %v", readyTimeout, notReady)
		}
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
	}
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// teardown stops the manager, the simulator and the control plane.
func (cp *campaign) teardown() {
	cp.mgr.stop()
	cp.simulator.stop()
	cp.controlPlane.stop()
}

// errorsJoin joins errors, ignoring nils and context cancellations that
// only follow another error.
func errorsJoin(errs ...error) error {
	var kept []error
	for _, err := range errs {
		if err != nil && (!errors.Is(err, context.Canceled) || len(kept) == 0) {
			kept = append(kept, err)
		}
	}
	return errors.Join(kept...)
}
