package inventory

import (
	"context"
	"sync"
	"time"

	"k8s.io/utils/clock"
)

// A Cache keeps lists that change rarely (groups, courses, channels) for a
// time, by key, so that resolving a name costs one list per interval.
type Cache[T any] struct {
	clock clock.PassiveClock
	mu    sync.Mutex
	items map[string]cached[T]
}

// cached is a list and when it was read.
type cached[T any] struct {
	at    time.Time
	value []T
}

// NewCache returns an empty Cache.
func NewCache[T any](clk clock.PassiveClock) *Cache[T] {
	return &Cache[T]{clock: clk, items: map[string]cached[T]{}}
}

// Get returns the list under key, reading it with load when it is missing or
// older than maxAge.
func (c *Cache[T]) Get(ctx context.Context, key string, maxAge time.Duration, load func(context.Context) ([]T, error)) ([]T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if it, ok := c.items[key]; ok && c.clock.Since(it.at) < maxAge {
		return it.value, nil
	}
	v, err := load(ctx)
	if err != nil {
		return nil, err
	}
	c.items[key] = cached[T]{at: c.clock.Now(), value: v}
	return v, nil
}

// Forget drops the list under key, so that the next Get reads it anew.
func (c *Cache[T]) Forget(key string) {
	c.mu.Lock()
	delete(c.items, key)
	c.mu.Unlock()
}
