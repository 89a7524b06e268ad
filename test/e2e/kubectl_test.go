package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// kubectl runs the kubectl of $KUBEBUILDER_ASSETS against the test API
// server and returns its stdout; it fails the test when kubectl fails.
func kubectl(t *testing.T, args ...string) string {
	t.Helper()
	return kubectlIn(t, "", args...)
}

// apply runs kubectl apply -f - in namespace ns.
func apply(t *testing.T, ns, manifests string) {
	t.Helper()
	kubectlIn(t, manifests, "apply", "-n", ns, "-f", "-")
}

// kubectlIn runs kubectl with stdin.
func kubectlIn(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	bin := filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kubectl")
	cmd := exec.Command(bin, append([]string{"--kubeconfig", env.kubeconfig}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("kubectl %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// simState decodes GET /_sim/<vendor>/state of the simulator into out.
func simState(t *testing.T, vendor string, out any) {
	t.Helper()
	simGet(t, "/_sim/"+vendor+"/state", out)
}

// simCalls returns how many requests the simulator's vendor has answered.
func simCalls(t *testing.T, vendor string) int {
	t.Helper()
	var rep lmssim.CallsReport
	simGet(t, "/_sim/calls", &rep)
	return rep.Vendors[vendor].Total
}

// simGet decodes a JSON answer of the simulator's admin API.
func simGet(t *testing.T, path string, out any) {
	t.Helper()
	resp, err := http.Get(env.simURL + path)
	if err != nil {
		t.Fatalf("GET %s of the simulator: %v", path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s of the simulator: HTTP %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("decode GET %s of the simulator: %v", path, err)
	}
}
