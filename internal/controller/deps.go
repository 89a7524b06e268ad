package controller

import (
	"strings"

	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/lmsoperator/lms-operator/internal/lms/pool"
	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// Deps are what the reconcilers share: the API clients, the connection pool
// (with the vendor registry inside) and the metrics. cmd/main.go builds them;
// tests build them with the simulator's endpoints.
type Deps struct {
	Client client.Client
	// APIReader reads without the cache (Secrets).
	APIReader client.Reader
	Pool      *pool.Pool
	// Recorder returns the event recorder of a controller.
	Recorder func(name string) events.EventRecorder
	Clock    clock.PassiveClock
	Metrics  *metrics.Metrics
	// OnUsersChanged is told of users that changed in an inventory refresh.
	OnUsersChanged UsersChangedFunc
	// guards are the connections' deletion guards; Setup makes them.
	guards *deletionGuards
}

func (d Deps) connectionCore(name string, paused chan event.GenericEvent) connectionCore {
	return connectionCore{Client: d.Client, APIReader: d.APIReader, Pool: d.Pool,
		Recorder: d.Recorder(name), Clock: d.Clock, OnUsersChanged: d.OnUsersChanged, Metrics: d.Metrics, paused: paused,
		secrets: newSecretStore(d.Client, d.APIReader), guards: d.guards}
}

func (d Deps) statusWriter() statusWriter {
	return statusWriter{client: d.Client, reader: d.APIReader, metrics: d.Metrics, written: newWrittenVersions()}
}

// reconciler returns the skeleton of kind k.
func reconcilerOf[T managed](d Deps, k kind[T]) reconciler[T] {
	return reconciler[T]{kind: k, client: d.Client, writer: d.statusWriter(), guards: d.guards,
		conns:    &connectionResolver{client: d.Client, reader: d.APIReader, pool: d.Pool, guards: d.guards},
		fresh:    newFreshness(),
		recorder: d.Recorder(strings.ToLower(k.name))}
}
