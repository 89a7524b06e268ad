package controller

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// pauseRecordTimeout bounds one write of a pause to a connection's status.
const pauseRecordTimeout = 10 * time.Second

// A pauseRecorder writes a 429's pause to the connection's
// status.rateLimit.pausedUntil the moment it is known, without waiting for
// the connection's reconcile (which may itself wait on the paused budget):
// a process killed a few milliseconds later leaves the pause to the next
// one, which takes it over (ensureConnection) and sends nothing before it
// ends. Only the field pausedUntil is patched; the reconcile writes the
// rest of rateLimit as before.
type pauseRecorder struct {
	ctx    context.Context
	client client.Client
	pool   *pool.Pool

	mu sync.Mutex
	// recorded is, per connection, the latest pause end written (or being written).
	recorded map[pool.Key]time.Time
}

// newPauseRecorder returns a recorder whose writes end with ctx.
func newPauseRecorder(ctx context.Context, c client.Client, p *pool.Pool) *pauseRecorder {
	return &pauseRecorder{ctx: ctx, client: c, pool: p, recorded: map[pool.Key]time.Time{}}
}

// record writes the pause of k in the background; it never blocks the
// vendor call that met the 429.
func (r *pauseRecorder) record(k pool.Key) {
	conn, ok := r.pool.Get(k)
	if !ok {
		return
	}
	until := conn.Budget.Snapshot().PausedUntil
	if until.IsZero() {
		return
	}
	at := statusPauseEnd(until)
	r.mu.Lock()
	if !at.After(r.recorded[k]) {
		r.mu.Unlock()
		return
	}
	r.recorded[k] = at
	r.mu.Unlock()
	go r.write(k, at)
}

// write patches status.rateLimit.pausedUntil of k's connection to at.
func (r *pauseRecorder) write(k pool.Key, at time.Time) {
	ctx, cancel := context.WithTimeout(r.ctx, pauseRecordTimeout)
	defer cancel()
	t := metav1.NewTime(at)
	patch, err := json.Marshal(map[string]any{"status": map[string]any{"rateLimit": map[string]any{"pausedUntil": t}}})
	if err != nil {
		return
	}
	meta := metav1.ObjectMeta{Namespace: k.Namespace, Name: k.Name}
	var obj client.Object = &v1alpha1.LMSConnection{ObjectMeta: meta}
	if k.Kind == v1alpha1.ClusterLMSConnectionKind {
		obj = &v1alpha1.ClusterLMSConnection{ObjectMeta: meta}
	}
	if err := r.client.Status().Patch(ctx, obj, client.RawPatch(types.MergePatchType, patch)); err != nil {
		// The connection's reconcile, enqueued as well, shows the pause later.
		logf.FromContext(ctx).V(1).Info("Could not record a pause in the connection's status",
			"connection", k.String(), "error", err.Error())
		r.mu.Lock()
		if r.recorded[k].Equal(at) {
			delete(r.recorded, k)
		}
		r.mu.Unlock()
	}
}

// statusPauseEnd is the end of a pause as status keeps it: whole seconds,
// rounded up, so that a process taking the pause over never ends it early.
func statusPauseEnd(until time.Time) time.Time {
	return until.Add(time.Second - 1).Truncate(time.Second)
}
