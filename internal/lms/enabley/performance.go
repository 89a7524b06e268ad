package enabley

import (
	"context"
	"errors"
	"sync"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// A perfRead is the state of one channel's performance reads: whether the
// channel was read whole once, and the read under way under a page limit
// (the paginationKey of its next page and the items read so far). mu
// serialises the channel's reads.
type perfRead struct {
	mu    sync.Mutex
	whole bool
	key   string
	items []performanceItem
	pages int
	seen  map[string]bool
}

// A perfAnswer is a channel's performance: complete, or not yet (a spread
// read with pages left).
type perfAnswer struct {
	items    []performanceItem
	complete bool
}

// perfState returns the read state of channel, adding a new one.
func (c *enrollmentClient) perfState(channel string) *perfRead {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reads == nil {
		c.reads = map[string]*perfRead{}
	}
	r, ok := c.reads[channel]
	if !ok {
		r = &perfRead{}
		c.reads[channel] = r
	}
	return r
}

// readPerformance reads the channel's performance pages: every one left
// when limit is 0 or the channel was never read whole, else at most limit,
// going on where the last call stopped. A kept key the vendor refuses (an
// expired paginationKey answers 404) starts the read over, whole, so that a
// vendor whose keys do not outlive an interval still completes every read.
func (c *enrollmentClient) readPerformance(ctx context.Context, channel string, limit int) (perfAnswer, error) {
	r := c.perfState(channel)
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.whole {
		limit = 0 // the first read is whole
	}
	resumed := r.pages > 0
	for sent := 0; limit == 0 || sent < limit; sent++ {
		p, err := c.api.performance(ctx, channel, "", r.key)
		if err != nil && resumed && lms.IsNotFound(err) {
			r.restart()
			resumed, limit = false, 0
			continue
		}
		resumed = false
		if err != nil {
			if lms.IsNotFound(err) || lms.IsTerminal(err) {
				r.restart() // asking for that page again cannot work
			}
			return perfAnswer{}, err
		}
		if done, err := r.add(p); done || err != nil {
			return perfAnswer{items: r.finish(done), complete: done}, err
		}
	}
	return perfAnswer{}, nil
}

// add records page p and moves the key on; done is true on the last page.
// A key that comes back, or more than maxPages pages, is a malformed answer.
func (r *perfRead) add(p page[performanceItem]) (done bool, err error) {
	r.items = append(r.items, p.Items...)
	r.pages++
	if p.PaginationKey == nil || *p.PaginationKey == "" {
		return true, nil
	}
	key := *p.PaginationKey
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if r.seen[key] || r.pages >= maxPages {
		return false, malformed(opPerformance, errors.New("pagination does not end: paginationKey repeated"))
	}
	r.seen[key], r.key = true, key
	return false, nil
}

// finish ends the read: complete (done), it returns its items and marks
// the channel read whole; failed, it drops the read.
func (r *perfRead) finish(done bool) []performanceItem {
	items := r.items
	r.restart()
	if !done {
		return nil
	}
	r.whole = true
	return items
}

// restart drops the read under way, to start at the first page.
func (r *perfRead) restart() {
	r.key, r.items, r.pages, r.seen = "", nil, 0, nil
}
