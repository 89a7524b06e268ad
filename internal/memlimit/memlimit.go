// Package memlimit sets the Go runtime's soft memory limit from the
// container's, so that the garbage collector works harder as the heap nears
// the limit instead of letting the kernel kill the manager: at 10,000
// Learners the heap's peak, not its live size, is what reaches a 256Mi limit.
package memlimit

import (
	"errors"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// Share is the part of the container's memory limit the Go runtime aims to
// stay within. At 10,000 Learners the live heap is 60 to 75 MiB, and with
// the collector's default pacing (GOGC=100) alone the heap grew to several
// times that before a collection (355 MiB resident, past the chart's
// 256Mi). At 40 % of 256Mi the collector runs when the runtime's memory
// reaches 102 MiB instead, which with the binary's own pages (about 45 MiB
// resident) kept the process at 150 MiB in make bench; at half, 168 MiB.
// The rest of the limit is room for a burst (a 10,000-user list read while
// the caches are full) before the kernel's. Below about 50 MiB of live heap
// (some 5,000 Learners) it changes nothing: GOGC paces first.
const Share = 0.4

// Soft is the soft memory limit Set gives a container limited to limit bytes.
func Soft(limit int64) int64 { return int64(float64(limit) * Share) }

// cgroupFiles hold the container's memory limit: cgroup v2, then v1.
var cgroupFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// Set sets the soft memory limit to Share of the container's memory limit,
// unless GOMEMLIMIT is set (the runtime reads it itself) or no limit is
// found. It returns the limit set, 0 when none was.
func Set() int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	limit, err := containerLimit(cgroupFiles)
	if err != nil || limit <= 0 {
		return 0
	}
	soft := Soft(limit)
	debug.SetMemoryLimit(soft)
	return soft
}

// containerLimit reads the first memory limit files holds; 0 when the
// container has none ("max", or v1's huge default).
func containerLimit(files []string) (int64, error) {
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		return parseLimit(string(b))
	}
	return 0, errors.New("no cgroup memory limit file")
}

// parseLimit reads a cgroup memory limit: bytes, or "max" for none. A v1
// limit of 2^62 or more is its way of saying none.
func parseLimit(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "max" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	if n >= 1<<62 {
		return 0, nil
	}
	return n, nil
}
