package controller

import (
	"testing"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// TestLearnersGoOnAfterARestartBeforeTheirConnectionIsReconciled loses the
// pool (a restart) of a Ready connection whose next reconcile is a minute
// away: a Learner created then is Ready within seconds, through a client
// built from the Secret the connection verified, and no credentials check is
// repeated.
func TestLearnersGoOnAfterARestartBeforeTheirConnectionIsReconciled(t *testing.T) {
	v := newConnection(t, newNamespace(t), lmssim.Exceed, lmssim.DefaultSeed(), connOpts{})
	waitReady(t, v.conn)
	l := v.learner("after", "after@example.com")
	testPool.Remove(connectionKey(v.conn.Namespace, l.Spec.ConnectionRef))
	create(t, l)
	waitReadyWithin(t, l, 10*time.Second)
	if n := countUsers(v, "after@example.com"); n != 1 {
		t.Errorf("the simulator holds %d users after@example.com, want 1", n)
	}
}
