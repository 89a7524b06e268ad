package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// guardedKinds are the kinds whose operations a deletion guard may hold.
var guardedKinds = []string{"Learner", "LearnerGroup", "Enrollment"}

// deletionGuards holds the deletion guard of every connection, writes their
// state to the connections' status, and enqueues the objects they release.
type deletionGuards struct {
	// ctx bounds the goroutines that enqueue released objects.
	ctx     context.Context
	client  client.Client
	clock   clock.PassiveClock
	metrics *metrics.Metrics
	// notify enqueues a connection whose held total changed; it must not block.
	notify func(pool.Key)
	// kicks enqueue the objects of each guarded kind, by kind.
	kicks map[string]chan event.GenericEvent

	mu    sync.Mutex
	byKey map[pool.Key]*deletionGuard
}

// newDeletionGuards returns the guards of a manager whose client writes the
// connections' status.
func newDeletionGuards(ctx context.Context, c client.Client, clk clock.PassiveClock, m *metrics.Metrics) *deletionGuards {
	gs := &deletionGuards{ctx: ctx, client: c, clock: clk, metrics: m,
		kicks: map[string]chan event.GenericEvent{}, byKey: map[pool.Key]*deletionGuard{}}
	for _, k := range guardedKinds {
		gs.kicks[k] = make(chan event.GenericEvent, 1024)
	}
	return gs
}

// of returns the guard of connection key, rebuilding it from seed when this
// process has none yet or the connection was recreated (another UID).
func (gs *deletionGuards) of(key pool.Key, seed guardSeed) *deletionGuard {
	if gs == nil {
		return nil
	}
	gs.mu.Lock()
	defer gs.mu.Unlock()
	if g := gs.byKey[key]; g != nil && (seed.uid == "" || g.uid == seed.uid) {
		return g
	}
	g := newDeletionGuard(gs.clock, seed, gs.persister(key), gs.onChange(key))
	gs.byKey[key] = g
	return g
}

// forget drops the guard of a connection that is deleted (its gauge goes
// with the connection's other gauges, metrics.ForgetConnection).
func (gs *deletionGuards) forget(key pool.Key) {
	if gs == nil {
		return
	}
	gs.mu.Lock()
	delete(gs.byKey, key)
	gs.mu.Unlock()
}

// existing returns the guard of key, if this process has one.
func (gs *deletionGuards) existing(key pool.Key) *deletionGuard {
	if gs == nil {
		return nil
	}
	gs.mu.Lock()
	defer gs.mu.Unlock()
	return gs.byKey[key]
}

// released forgets what obj, of kind, holds on its connection, but for purpose keep.
func (gs *deletionGuards) released(kind string, obj managed, keep string) {
	g := gs.existing(connectionKey(obj.GetNamespace(), obj.GetConnectionRef()))
	g.drop(kind, obj.GetNamespace(), obj.GetName(), keep)
}

// persister writes a guard's state to the status of connection key, with a
// merge patch of the fields the guard owns.
func (gs *deletionGuards) persister(key pool.Key) func(context.Context, guardState) error {
	return func(ctx context.Context, st guardState) error {
		data, err := json.Marshal(map[string]any{"status": map[string]any{"deletionProtection": st.patch()}})
		if err != nil {
			return fmt.Errorf("record the deletion guard of %s: %w", key, err)
		}
		if err := gs.client.Status().Patch(ctx, connectionStub(key), client.RawPatch(types.MergePatchType, data)); err != nil {
			return fmt.Errorf("record the deletion guard of %s %s: %w", key.Kind, key, err)
		}
		return nil
	}
}

// onChange publishes a guard's held total in the metrics and enqueues its connection.
func (gs *deletionGuards) onChange(key pool.Key) func(total, added int) {
	return func(total, added int) {
		gs.metrics.SetDeletionsHeld(key.String(), total)
		gs.metrics.AddDeletionsHeld(key.String(), added)
		if gs.notify != nil {
			gs.notify(key)
		}
	}
}

// kick enqueues every object that the guard of key holds, so that an
// approval takes effect at once.
func (gs *deletionGuards) kick(key pool.Key) {
	g := gs.existing(key)
	if g == nil {
		return
	}
	holders := g.holders()
	go func() {
		for _, h := range holders {
			ev := event.GenericEvent{Object: &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: h.namespace, Name: h.name}}}
			select {
			case gs.kicks[h.kind] <- ev:
			case <-gs.ctx.Done():
				return
			}
		}
	}()
}

// source returns the source of the objects of kind that a guard releases.
func (gs *deletionGuards) source(kind string) source.Source {
	return source.Channel(gs.kicks[kind], &handler.EnqueueRequestForObject{})
}

// connectionStub returns an empty connection object named by key.
func connectionStub(key pool.Key) client.Object {
	meta := metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}
	if key.Kind == v1alpha1.ClusterLMSConnectionKind {
		return &v1alpha1.ClusterLMSConnection{ObjectMeta: meta}
	}
	return &v1alpha1.LMSConnection{ObjectMeta: meta}
}
