package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// per is a/b, 0 when b is 0.
func per(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// round rounds d for printing: to the millisecond below a minute, else to
// the tenth of a second.
func round(d time.Duration) time.Duration {
	if d < time.Minute {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// countList is "a 1, b 2", or "none".
func countList(m map[string]int) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return orNone(strings.Join(parts, ", "))
}

// orNone is s, or "none" when s is empty.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// kindTimes is "Learner 1m2s, LearnerGroup 1m5s" in the tracked kinds' order.
func kindTimes(at map[string]time.Duration) string {
	var parts []string
	for _, k := range trackedKinds {
		if d, ok := at[k]; ok {
			parts = append(parts, fmt.Sprintf("%s %s", k, round(d)))
		}
	}
	return strings.Join(parts, ", ")
}

// doneCounts is "Learner 12/140, LearnerGroup 0/1" for a phase that did not converge.
func doneCounts(p phaseResult, s scenario) string {
	want := newTracker(s).want
	var parts []string
	for _, k := range trackedKinds {
		if n, ok := want[k]; ok {
			parts = append(parts, fmt.Sprintf("%s %d/%d", k, p.doneCount[k], n))
		}
	}
	return strings.Join(parts, ", ")
}

// printf writes to the report; a report that cannot be written has no one
// to tell, so write errors are dropped.
func printf(w io.Writer, format string, args ...any) { _, _ = fmt.Fprintf(w, format, args...) }

// printLine writes a line to the report (see printf).
func printLine(w io.Writer, s string) { _, _ = fmt.Fprintln(w, s) }
