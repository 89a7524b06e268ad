package lmssim

import "time"

// window is the length of the sliding request window.
const window = time.Hour

// A slidingWindow holds the arrival times of the accepted requests of the
// last hour, oldest first.
type slidingWindow struct {
	times []time.Time
}

// prune drops the requests that left the window by now.
func (w *slidingWindow) prune(now time.Time) {
	cut := now.Add(-window)
	i := 0
	for i < len(w.times) && !w.times[i].After(cut) {
		i++
	}
	w.times = w.times[i:]
	if cap(w.times) > 1024 && len(w.times) < cap(w.times)/4 {
		w.times = append([]time.Time(nil), w.times...)
	}
}

// admit records a request at now and returns 0 when fewer than limit
// requests are in the window (limit 0 means no limit). Otherwise it records
// nothing and returns how long until the oldest request leaves the window.
func (w *slidingWindow) admit(now time.Time, limit int) time.Duration {
	w.prune(now)
	if limit > 0 && len(w.times) >= limit {
		wait := w.times[len(w.times)-limit].Add(window).Sub(now)
		return max(wait, time.Nanosecond)
	}
	w.times = append(w.times, now)
	return 0
}

// count returns how many requests are in the window at now.
func (w *slidingWindow) count(now time.Time) int {
	w.prune(now)
	return len(w.times)
}
