package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// stopTimeout bounds how long a process may take to exit after SIGTERM.
const stopTimeout = 20 * time.Second

// A process is a started command leading its own process group, so that
// killing it also kills its children (etcd and kube-apiserver).
type process struct {
	name    string
	log     string
	cmd     *exec.Cmd
	done    chan struct{}
	started time.Time
}

// startProcess starts bin with args and extra environment, its output
// appended to logPath.
func startProcess(name, logPath string, extraEnv []string, bin string, args ...string) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open the log of %s: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), extraEnv...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, log: logPath, cmd: cmd, done: make(chan struct{}), started: time.Now()}
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

// kill ends the process group at once (SIGKILL), as a crash or an OOM kill
// would, and waits for the process to be gone.
func (p *process) kill() {
	if p == nil || p.exited() {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// stop sends SIGTERM, waits up to stopTimeout, then kills the process group.
func (p *process) stop() {
	if p == nil || p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		p.kill()
	}
}

// waitHTTP polls url until it answers 200, p exits or timeout passes.
func waitHTTP(ctx context.Context, url string, p *process, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		if p.exited() {
			return fmt.Errorf("%s exited before %s answered", p.name, url)
		}
		if httpOK(ctx, url) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer 200 within %s", url, timeout)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// httpOK reports whether GET url answers 200.
func httpOK(ctx context.Context, url string) bool {
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

// freeAddr returns a 127.0.0.1 address with a TCP port nothing listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer func() { _ = ln.Close() }()
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return "", errors.New("find a free port: not a TCP address")
	}
	return "127.0.0.1:" + strconv.Itoa(addr.Port), nil
}
