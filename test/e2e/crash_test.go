package e2e

import (
	"bytes"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/exceedsim"
)

// TestManagerKilledAfterTheVendorCommittedACreateLeavesOneUser kills the
// manager binary (SIGKILL) after Exceed committed a user but before its
// answer arrived (the simulator drops it), while every later call fails, so
// that the manager cannot have written status. After a restart the Learner
// becomes Ready with the committed user adopted: exactly one user, and one
// create call in all.
func TestManagerKilledAfterTheVendorCommittedACreateLeavesOneUser(t *testing.T) {
	requireEnv(t)
	const ns, email, create = "e2e-crash", "crash@example.com", "POST /api/v2/users"
	kubectl(t, "create", "namespace", ns)
	apply(t, ns, connectionYAML(lmssim.Exceed, vendorCases[lmssim.Exceed]))
	kubectl(t, "wait", "-n", ns, "lmsconnection/lms", "--for=condition=Ready", "--timeout=60s")
	before := simCalls(t, lmssim.Exceed)

	simPost(t, "/_sim/faults/exceed", `{"kind":"drop-after-commit","endpoint":"`+create+`"}`)
	simPost(t, "/_sim/faults/exceed", `{"kind":"500","times":100000}`)
	t.Cleanup(func() { simDelete(t, "/_sim/faults/exceed") })
	apply(t, ns, strings.ReplaceAll(learnerYAML(email), "name: kay", "name: crash"))
	eventually(t, 60*time.Second, func() string {
		if exceedUsers(t, email) != 1 {
			return "the create has not reached the simulator yet"
		}
		return ""
	})
	env.manager.kill()
	if id := kubectl(t, "get", "-n", ns, "learner/crash", "-o", "jsonpath={.status.externalID}"); id != "" {
		t.Fatalf("status.externalID = %q before the restart: the test needs the status unwritten", id)
	}

	simDelete(t, "/_sim/faults/exceed")
	if err := env.startManager(); err != nil {
		t.Fatalf("restart the manager: %v", err)
	}
	kubectl(t, "wait", "-n", ns, "learner/crash", "--for=condition=Ready", "--timeout=60s")
	if n := exceedUsers(t, email); n != 1 {
		t.Errorf("Exceed holds %d users %s after the restart, want exactly 1", n, email)
	}
	var rep lmssim.CallsReport
	simGet(t, "/_sim/calls", &rep)
	if n := rep.Vendors[lmssim.Exceed].Endpoints[create]; n != 1 {
		t.Errorf("%s was answered %d times, want 1: the committed user must be adopted, not created again", create, n)
	}
	t.Logf("calls to Exceed since the connection was Ready: %d", simCalls(t, lmssim.Exceed)-before)
}

// exceedUsers counts the simulator's Exceed users with email.
func exceedUsers(t *testing.T, email string) int {
	t.Helper()
	var s exceedsim.State
	simState(t, lmssim.Exceed, &s)
	n := 0
	for _, u := range s.Users {
		if u.Email == email {
			n++
		}
	}
	return n
}

// simPost posts a JSON body to the simulator's admin API.
func simPost(t *testing.T, path, body string) {
	t.Helper()
	simDo(t, http.MethodPost, path, body)
}

// simDelete sends DELETE to the simulator's admin API.
func simDelete(t *testing.T, path string) {
	t.Helper()
	simDo(t, http.MethodDelete, path, "")
}

func simDo(t *testing.T, method, path, body string) {
	t.Helper()
	req, err := http.NewRequest(method, env.simURL+path, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s of the simulator: %v", method, path, err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s of the simulator: HTTP %d", method, path, resp.StatusCode)
	}
}

// kill ends the process at once (SIGKILL), as a crash or an OOM kill would.
func (p *process) kill() {
	if p == nil || p.exited() {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}
