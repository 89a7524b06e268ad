package controller

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/exceedsim"
)

// TestCreateRefusedAsTakenWithoutAUserToAdoptIsStalledConflict creates a
// Learner whose user the vendor refuses because another user holds a unique
// field the lookup does not search (the Enabley username, the Exceed
// login): after one more lookup finds no user to adopt, the Learner is
// Stalled Conflict with the vendor's message, and is not retried.
func TestCreateRefusedAsTakenWithoutAUserToAdoptIsStalledConflict(t *testing.T) {
	cases := map[string]struct {
		create string
		// occupy adds the user that holds ann@example.com in a field the lookup does not search.
		occupy func(t *testing.T, sim *lmssim.TestServer)
	}{
		lmssim.Enabley: {"PUT /api/v2/users", func(t *testing.T, sim *lmssim.TestServer) {
			if err := sim.Enabley.AddUser(enableysim.User{Identifier: "someone", Email: "someone@example.com",
				Username: "ann@example.com", FirstName: "Some", LastName: "One", IsActive: true}); err != nil {
				t.Fatal(err)
			}
		}},
		lmssim.Exceed: {"POST /api/v2/users", func(t *testing.T, sim *lmssim.TestServer) {
			if _, err := sim.Exceed.AddUser(exceedsim.User{Code: "someone", Login: "ann@example.com", Email: "someone@example.com",
				FirstName: "Some", LastName: "One", IsActive: true}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for vendor, tc := range cases {
		t.Run(vendor, func(t *testing.T) {
			v := newConnection(t, newNamespace(t), vendor, lmssim.DefaultSeed(), connOpts{})
			tc.occupy(t, v.sim)
			waitReady(t, v.conn)
			l := v.learner("ann", "ann@example.com")
			create(t, l)
			waitCondition(t, l, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonConflict)
			msg := readyCondition(t, l).Message
			if !strings.Contains(strings.ToLower(msg), "ann@example.com") && !containsAny(strings.ToLower(msg), "username", "login") {
				t.Errorf("the message %q does not say which field clashes", msg)
			}
			t.Logf("Stalled Conflict: %s", msg)
			creates := v.sim.Calls(vendor)[tc.create]
			time.Sleep(3 * time.Second) // a requeue after 1s would show by now
			if n := v.sim.Calls(vendor)[tc.create]; n != creates || n != 1 {
				t.Errorf("%s was called %d times, then %d: want exactly one create, never retried", tc.create, creates, n)
			}
		})
	}
}
