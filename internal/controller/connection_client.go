package controller

import (
	"context"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// buildClient builds the client of a connection that the pool lost (a
// restart) from its Secret, read with reader, without a vendor call: the
// deletion policies of a connection being deleted need it whatever its
// Secret (verifiedVersion ""), and the dependents of a Ready connection need
// not wait for the connection's own reconcile when the Secret is the one it
// verified (its resourceVersion is verifiedVersion). why is set when no
// client can be built: the Secret or one of its keys is gone, or it changed
// since it was verified.
func buildClient(ctx context.Context, reader client.Reader, p *pool.Pool, obj connectionObject, verifiedVersion string) (conn *pool.Connection, why string, err error) {
	var s corev1.Secret
	if err := reader.Get(ctx, obj.secretKey(), &s); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Sprintf("Secret %s not found", obj.secretKey()), nil
		}
		return nil, "", fmt.Errorf("read Secret %s: %w", obj.secretKey(), err)
	}
	if verifiedVersion != "" && s.ResourceVersion != verifiedVersion {
		return nil, fmt.Sprintf("Secret %s changed since it was verified", obj.secretKey()), nil
	}
	conn, _, err = ensureConnection(p, obj, s.Data, s.ResourceVersion)
	if err != nil {
		return nil, fmt.Sprintf("Secret %s: %s", obj.secretKey(), lms.Message(err)), nil
	}
	return conn, "", nil
}

// ensureConnection returns the pool's connection of obj, built or rebuilt
// with the credentials data (of resourceVersion version) when they or the
// settings changed. A connection built anew takes over the pause that a 429
// asked of the process before (status.rateLimit.pausedUntil): a restart
// must not send what the vendor asked to wait for.
func ensureConnection(p *pool.Pool, obj connectionObject, data map[string][]byte, version string) (*pool.Connection, bool, error) {
	conn, fresh, err := p.Ensure(obj.poolKey(), settingsOf(obj.settings()), data, version)
	if err == nil && fresh {
		if rl := obj.connStatus().RateLimit; rl != nil && rl.PausedUntil != nil {
			conn.Budget.PauseUntil(rl.PausedUntil.Time)
		}
	}
	return conn, fresh, err
}

// A secretStore keeps the credentials Secrets its connections last read, so
// that a Secret is read from the API server (the manager caches no Secret's
// data) only when its resourceVersion, which the metadata watch keeps in the
// cache, changed: a connection retrying a failed list every few seconds
// costs the API server nothing.
type secretStore struct {
	// cache holds the Secrets' metadata; reader reads the API server.
	cache  client.Reader
	reader client.Reader

	mu   sync.Mutex
	seen map[client.ObjectKey]*corev1.Secret
}

// newSecretStore returns an empty secretStore.
func newSecretStore(cache, reader client.Reader) *secretStore {
	return &secretStore{cache: cache, reader: reader, seen: map[client.ObjectKey]*corev1.Secret{}}
}

// get returns the Secret of key: the one read before while the cache shows
// the same resourceVersion, else the API server's. The caller must not
// change it.
func (s *secretStore) get(ctx context.Context, key client.ObjectKey) (*corev1.Secret, error) {
	if sec := s.unchanged(ctx, key); sec != nil {
		return sec, nil
	}
	var sec corev1.Secret
	if err := s.reader.Get(ctx, key, &sec); err != nil {
		if apierrors.IsNotFound(err) {
			s.forget(key)
		}
		return nil, err
	}
	s.mu.Lock()
	s.seen[key] = &sec
	s.mu.Unlock()
	return &sec, nil
}

// unchanged returns the Secret read before, if the cache shows it with the
// same resourceVersion; nil otherwise (never read, changed, deleted, or not
// in the cache's namespaces).
func (s *secretStore) unchanged(ctx context.Context, key client.ObjectKey) *corev1.Secret {
	s.mu.Lock()
	sec := s.seen[key]
	s.mu.Unlock()
	if sec == nil {
		return nil
	}
	var m metav1.PartialObjectMetadata
	m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	if err := s.cache.Get(ctx, key, &m); err != nil || m.ResourceVersion != sec.ResourceVersion {
		return nil
	}
	return sec
}

// forget drops the Secret of key.
func (s *secretStore) forget(key client.ObjectKey) {
	s.mu.Lock()
	delete(s.seen, key)
	s.mu.Unlock()
}
