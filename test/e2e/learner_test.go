package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/exceedsim"
)

// A simUser is what the tests check of a user in the simulator.
type simUser struct {
	FirstName, LastName string
	Active              bool
}

// A vendorCase is how one vendor is connected to and read back.
type vendorCase struct {
	// connection is the Secret's stringData and the LMSConnection spec's
	// vendor block and endpoint path, as YAML lines.
	secret, settings, path string
	// user reads the user with email from the simulator's state.
	user func(t *testing.T, email string) (simUser, bool)
}

var vendorCases = map[string]vendorCase{
	lmssim.ELeaP: {
		secret:   "apiToken: " + lmssim.DemoELeaPToken,
		settings: "eleap: {subdomain: e2e}",
		path:     "/eleap/api",
		user: func(t *testing.T, email string) (simUser, bool) {
			var s eleapsim.State
			simState(t, lmssim.ELeaP, &s)
			for _, u := range s.Users {
				if u.Email == email {
					return simUser{u.FirstName, u.LastName, u.Active}, true
				}
			}
			return simUser{}, false
		},
	},
	lmssim.Enabley: {
		secret:   "clientKey: " + lmssim.DemoEnableyClient + "\n  secret: " + lmssim.DemoEnableySecret,
		settings: "enabley: {subAccountName: " + lmssim.DemoEnableySubAcct + "}",
		path:     "/enabley",
		user: func(t *testing.T, email string) (simUser, bool) {
			var s enableysim.State
			simState(t, lmssim.Enabley, &s)
			for _, u := range s.Users {
				if u.Email == email {
					return simUser{u.FirstName, u.LastName, u.IsActive}, true
				}
			}
			return simUser{}, false
		},
	},
	lmssim.Exceed: {
		secret:   "apiKey: " + lmssim.DemoExceedAPIKey,
		settings: "exceed: {subdomain: e2e}",
		path:     "/exceed/api/v2",
		user: func(t *testing.T, email string) (simUser, bool) {
			var s exceedsim.State
			simState(t, lmssim.Exceed, &s)
			for _, u := range s.Users {
				if u.Email == email {
					return simUser{u.FirstName, u.LastName, u.IsActive}, true
				}
			}
			return simUser{}, false
		},
	},
}

// TestLearnerLifecycleWithKubectl drives the manager binary with kubectl
// only, for each vendor: a connection becomes Ready, a Learner creates the
// user, a change of lastName reaches the LMS, and deleting the Learner
// deactivates the user (the default deletion policy). The simulator's state
// is checked after every step.
func TestLearnerLifecycleWithKubectl(t *testing.T) {
	requireEnv(t)
	for vendor, vc := range vendorCases {
		t.Run(vendor, func(t *testing.T) {
			ns := "e2e-" + vendor
			email := "kay." + vendor + "@example.com"
			kubectl(t, "create", "namespace", ns)

			calls := simCalls(t, vendor)
			apply(t, ns, connectionYAML(vendor, vc))
			kubectl(t, "wait", "-n", ns, "lmsconnection/lms", "--for=condition=Ready", "--timeout=60s")
			if after := simCalls(t, vendor); after <= calls {
				t.Errorf("the connection became Ready without a call to %s (calls %d, then %d)", vendor, calls, after)
			}
			if _, found := vc.user(t, email); found {
				t.Fatalf("%s already holds %s before the Learner exists", vendor, email)
			}

			apply(t, ns, learnerYAML(email))
			kubectl(t, "wait", "-n", ns, "learner/kay", "--for=condition=Ready", "--timeout=60s")
			if u, found := vc.user(t, email); !found || u != (simUser{"Kay", "Jones", true}) {
				t.Fatalf("after the Learner is Ready, %s holds %+v (found %v), want Kay Jones, active", vendor, u, found)
			}
			if id := kubectl(t, "get", "-n", ns, "learner/kay", "-o", "jsonpath={.status.externalID}"); id == "" {
				t.Error("the Ready Learner has no status.externalID")
			}

			kubectl(t, "patch", "-n", ns, "learner/kay", "--type=merge", "-p", `{"spec":{"lastName":"Smith"}}`)
			kubectl(t, "wait", "-n", ns, "learner/kay", "--for=jsonpath={.status.observedGeneration}=2", "--timeout=60s")
			kubectl(t, "wait", "-n", ns, "learner/kay", "--for=condition=Ready", "--timeout=60s")
			eventually(t, 30*time.Second, func() string {
				if u, _ := vc.user(t, email); u.LastName != "Smith" {
					return fmt.Sprintf("%s holds lastName %q after the patch, want Smith", vendor, u.LastName)
				}
				return ""
			})

			kubectl(t, "delete", "-n", ns, "learner/kay", "--timeout=60s")
			if u, found := vc.user(t, email); !found || u.Active {
				t.Errorf("after kubectl delete, %s holds %+v (found %v), want the user kept and deactivated", vendor, u, found)
			}
		})
	}
}

// connectionYAML is a Secret and an LMSConnection named lms pointing at the simulator.
func connectionYAML(vendor string, vc vendorCase) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata: {name: lms-credentials}
stringData:
  %s
---
apiVersion: training.lmsoperator.dev/v1alpha1
kind: LMSConnection
metadata: {name: lms}
spec:
  provider: %s
  %s
  endpoint: %s%s
  allowInsecureHTTP: true
  credentialsSecretRef: {name: lms-credentials}
`, vc.secret, vendor, vc.settings, env.simURL, vc.path)
}

// learnerYAML is a Learner named kay of the connection lms.
func learnerYAML(email string) string {
	return fmt.Sprintf(`apiVersion: training.lmsoperator.dev/v1alpha1
kind: Learner
metadata: {name: kay}
spec:
  connectionRef: {name: lms}
  email: %s
  firstName: Kay
  lastName: Jones
`, strings.ToUpper(email[:1])+email[1:])
}

// eventually polls check, which returns what is wrong, until it returns "".
func eventually(t *testing.T, timeout time.Duration, check func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", timeout, msg)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
