package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// managerStartTimeout bounds how long the manager may take to answer /readyz.
const managerStartTimeout = 2 * time.Minute

// A managerProcess is the manager binary running against the API server.
type managerProcess struct {
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

// startManager runs bin with the chart's default flags (leader election
// off: there is one replica), watching namespace ns only, so that the
// objects of earlier scenarios are neither reconciled nor cached.
func startManager(bin, kubeconfig, ns, logPath string, concurrency int, env []string, extra ...string) (*managerProcess, error) {
	probe, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create the manager's log: %w", err)
	}
	args := append([]string{"--leader-elect=false", "--metrics-bind-address=0",
		"--health-probe-bind-address=" + probe, "--watch-namespaces=" + ns,
		"--max-concurrent-reconciles=" + strconv.Itoa(concurrency), "--zap-log-level=info", "--zap-encoder=json"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "KUBECONFIG="+kubeconfig), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start the manager: %w", err)
	}
	m := &managerProcess{cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(m.done)
	}()
	if err := m.waitReady("http://" + probe + "/readyz"); err != nil {
		m.stop()
		return nil, err
	}
	return m, nil
}

// waitReady polls url until it answers 200 or the manager exits.
func (m *managerProcess) waitReady(url string) error {
	deadline := time.Now().Add(managerStartTimeout)
	for time.Now().Before(deadline) {
		if m.exited() {
			return fmt.Errorf("the manager exited (log: %s)", m.log)
		}
		if probeOK(url) {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("the manager was not ready after %s (log: %s)", managerStartTimeout, m.log)
}

// probeOK reports whether url answers 200 within a second.
func probeOK(url string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// exited reports whether the manager has ended.
func (m *managerProcess) exited() bool {
	select {
	case <-m.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, waits up to 15s, then kills the manager's process group.
func (m *managerProcess) stop() {
	if m.exited() {
		return
	}
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
		<-m.done
	}
}

// peakRSS returns the manager's peak resident set size in bytes since it
// started or since the last resetPeak: VmHWM of /proc/<pid>/status.
func (m *managerProcess) peakRSS() (int64, error) {
	if m.exited() {
		return 0, errors.New("the manager has exited")
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", m.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("read the manager's status: %w", err)
	}
	defer func() { _ = f.Close() }()
	return parseVmHWM(bufio.NewScanner(f))
}

// resetPeak starts a new peak: writing 5 to /proc/<pid>/clear_refs resets
// VmHWM to the current RSS (proc(5)).
func (m *managerProcess) resetPeak() error {
	path := fmt.Sprintf("/proc/%d/clear_refs", m.cmd.Process.Pid)
	if err := os.WriteFile(path, []byte("5"), 0o200); err != nil {
		return fmt.Errorf("reset the manager's peak RSS: %w", err)
	}
	return nil
}

// parseVmHWM reads the VmHWM line ("VmHWM:   123456 kB") of a
// /proc/<pid>/status and returns it in bytes.
func parseVmHWM(sc *bufio.Scanner) (int64, error) {
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmHWM line %q", sc.Text())
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse VmHWM %q: %w", fields[0], err)
		}
		return kb * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read the process status: %w", err)
	}
	return 0, errors.New("no VmHWM line in the process status")
}

// freeAddr returns a local address no one listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	return addr, nil
}
