package enabley

import (
	"context"
	"errors"
	"sync"
	"time"

	"k8s.io/utils/clock"
)

// maxRefreshMargin bounds how long before expires_in a token is renewed.
const maxRefreshMargin = time.Minute

// fetchFunc asks the vendor for a new access token and its lifetime.
type fetchFunc func(ctx context.Context) (token string, ttl time.Duration, err error)

// A tokenSource caches the access token until shortly before it expires.
// Concurrent callers that find no valid token share one fetch.
type tokenSource struct {
	clock clock.PassiveClock
	fetch fetchFunc

	mu     sync.Mutex
	token  string
	expiry time.Time
	flight *tokenFlight
}

// A tokenFlight is one fetch in progress; done is closed when it ends.
type tokenFlight struct {
	done  chan struct{}
	token string
	err   error
}

// get returns a valid token, fetching one when the cache is empty or stale.
func (s *tokenSource) get(ctx context.Context) (string, error) { return s.obtain(ctx, false) }

// refresh fetches a new token even if the cached one is valid (Verify).
func (s *tokenSource) refresh(ctx context.Context) error {
	_, err := s.obtain(ctx, true)
	return err
}

// obtain returns the cached token unless force, or joins (or leads) a fetch.
func (s *tokenSource) obtain(ctx context.Context, force bool) (string, error) {
	for {
		f, tok, leader := s.join(force)
		if tok != "" {
			return tok, nil
		}
		if leader {
			s.run(ctx, f)
		}
		tok, retry, err := s.wait(ctx, f)
		if !retry {
			return tok, err
		}
	}
}

// join returns the valid cached token, or the fetch to wait for and whether
// the caller must run it.
func (s *tokenSource) join(force bool) (*tokenFlight, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !force && s.token != "" && s.clock.Now().Before(s.expiry) {
		return nil, s.token, false
	}
	if s.flight != nil {
		return s.flight, "", false
	}
	s.flight = &tokenFlight{done: make(chan struct{})}
	return s.flight, "", true
}

// run performs the fetch f and publishes its outcome.
func (s *tokenSource) run(ctx context.Context, f *tokenFlight) {
	tok, ttl, err := s.fetch(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	f.token, f.err = tok, err
	if err == nil {
		s.token = tok
		s.expiry = s.clock.Now().Add(ttl - min(ttl/10, maxRefreshMargin))
	}
	s.flight = nil
	close(f.done)
}

// wait waits for f. retry is true when f failed only because its leader's
// context ended while the caller's is still alive.
func (s *tokenSource) wait(ctx context.Context, f *tokenFlight) (tok string, retry bool, err error) {
	select {
	case <-f.done:
	case <-ctx.Done():
		return "", false, ctx.Err()
	}
	if f.err != nil && ctx.Err() == nil && isContextError(f.err) {
		return "", true, nil
	}
	return f.token, false, f.err
}

// invalidate drops tok from the cache, if it is still the cached token, so
// that the next get fetches a new one. Concurrent 401s thus cause one fetch.
func (s *tokenSource) invalidate(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == tok {
		s.token = ""
	}
}

// current returns the cached token, for redaction.
func (s *tokenSource) current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// isContextError reports whether err is a cancelled or expired context.
func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
