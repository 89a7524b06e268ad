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

// Share is the part of the container's memory limit given to the Go heap;
// the rest is for stacks, the runtime and what the kernel counts besides.
const Share = 0.8

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
	soft := int64(float64(limit) * Share)
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
