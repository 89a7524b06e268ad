package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// demoTimeout bounds `DEMO_EXIT=1 hack/demo.sh`: building the binaries, an
// API server, and every demo object Ready (each kind may take 120s).
const demoTimeout = 10 * time.Minute

// TestDemoMakesEveryObjectReady runs `make demo`'s script with DEMO_EXIT=1:
// it must exit 0, which it does only when every object of
// hack/demo/manifests became Ready, and stop every process it started.
func TestDemoMakesEveryObjectReady(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip(skipReason)
	}
	ctx, cancel := context.WithTimeout(context.Background(), demoTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "hack/demo.sh")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "DEMO_EXIT=1", "DEMO_DIR="+t.TempDir())
	// On timeout the script gets SIGTERM, so that its trap stops what it started.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	t.Logf("DEMO_EXIT=1 hack/demo.sh took %s:\n%s", time.Since(start).Round(time.Second), out.String())
	if err != nil {
		t.Fatalf("DEMO_EXIT=1 hack/demo.sh failed: %v (output above)", err)
	}
	for _, want := range []string{"Every object is Ready", "kubectl get lms -A", "eLeaP", "Enabley", "Exceed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the demo's output lacks %q", want)
		}
	}
}
