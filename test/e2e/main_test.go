package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// repoRoot is the repository's root, relative to this package.
const repoRoot = "../.."

var (
	// env holds what TestMain started; nil without KUBEBUILDER_ASSETS.
	env *environment
	// skipReason says why env is nil.
	skipReason = "KUBEBUILDER_ASSETS is not set: these tests need kube-apiserver, etcd and kubectl; " +
		"run `make test`, or `make envtest-assets` and set KUBEBUILDER_ASSETS=bin/k8s/1.37.0-linux-amd64"
)

// An environment is the API server, the simulator and the manager the tests share.
type environment struct {
	dir        string // binaries, kubeconfig and logs
	api        *envtest.Environment
	kubeconfig string
	simURL     string
	simulator  *process
	manager    *process
}

// TestMain builds the manager and lms-simulator, starts an API server with
// the CRDs, the simulator with its demo data and the manager, runs the
// tests, and stops them all.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	env = &environment{dir: dir}
	defer env.stop()
	if err := env.start(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		env.dumpLogs()
		return 1
	}
	return m.Run()
}

// start builds the binaries and starts the processes.
func (e *environment) start() error {
	for name, pkg := range map[string]string{"manager": "./cmd", "lms-simulator": "./cmd/lms-simulator"} {
		if err := goBuild(filepath.Join(e.dir, name), pkg); err != nil {
			return err
		}
	}
	e.api = &envtest.Environment{
		CRDDirectoryPaths:        []string{filepath.Join(repoRoot, "config", "crd", "bases")},
		ErrorIfCRDPathMissing:    true,
		ControlPlaneStartTimeout: 2 * time.Minute,
	}
	if _, err := e.api.Start(); err != nil {
		e.api = nil
		return fmt.Errorf("start the API server: %w", err)
	}
	e.kubeconfig = filepath.Join(e.dir, "kubeconfig")
	if err := os.WriteFile(e.kubeconfig, e.api.KubeConfig, 0o600); err != nil {
		return err
	}
	if err := e.startSimulator(); err != nil {
		return err
	}
	return e.startManager()
}

// startSimulator runs lms-simulator with its demo seed on a free port.
func (e *environment) startSimulator() error {
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	e.simURL = "http://" + addr
	e.simulator, err = startProcess(filepath.Join(e.dir, "lms-simulator.log"), nil,
		filepath.Join(e.dir, "lms-simulator"), "--addr", addr)
	if err != nil {
		return err
	}
	return waitHTTP(e.simURL+"/_sim/healthz", e.simulator, 30*time.Second)
}

// startManager runs the manager binary against the API server.
func (e *environment) startManager() error {
	port, err := freePort()
	if err != nil {
		return err
	}
	probe := "127.0.0.1:" + strconv.Itoa(port)
	e.manager, err = startProcess(filepath.Join(e.dir, "manager.log"), []string{"KUBECONFIG=" + e.kubeconfig},
		filepath.Join(e.dir, "manager"), "--leader-elect=false", "--metrics-bind-address=0",
		"--health-probe-bind-address="+probe, "--zap-log-level=debug")
	if err != nil {
		return err
	}
	return waitHTTP("http://"+probe+"/readyz", e.manager, time.Minute)
}

// stop stops the manager, the simulator and the API server, in that order.
func (e *environment) stop() {
	e.manager.stop()
	e.simulator.stop()
	if e.api != nil {
		if err := e.api.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: stop the API server: %v\n", err)
		}
	}
}

// dumpLogs prints the tails of the processes' logs.
func (e *environment) dumpLogs() {
	for _, name := range []string{"manager.log", "lms-simulator.log"} {
		if tail := tailFile(filepath.Join(e.dir, name), 40); tail != "" {
			fmt.Fprintf(os.Stderr, "--- last lines of %s:\n%s\n", name, tail)
		}
	}
}

// goBuild builds pkg of the repository into out.
func goBuild(out, pkg string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = repoRoot
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

// A process is a started command with its own process group.
type process struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// startProcess starts name with args and extra environment, its output in logPath.
func startProcess(logPath string, extraEnv []string, name string, args ...string) (*process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), extraEnv...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, waits up to 15s, then kills the process group.
func (p *process) stop() {
	if p == nil || p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// waitHTTP polls url until it answers 200, p exits or timeout passes.
func waitHTTP(url string, p *process, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		if p.exited() {
			return fmt.Errorf("%s exited before %s answered", p.cmd.Path, url)
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer 200 within %s", url, timeout)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// freePort returns a TCP port nothing listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = ln.Close() }()
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("not a TCP address")
	}
	return addr.Port, nil
}

// tailFile returns the last n lines of a file, empty if it cannot be read.
func tailFile(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// requireEnv skips the test when TestMain started nothing.
func requireEnv(t *testing.T) {
	t.Helper()
	if env == nil {
		t.Skip(skipReason)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last lines of the manager's log:\n%s", tailFile(filepath.Join(env.dir, "manager.log"), 60))
		}
	})
}
