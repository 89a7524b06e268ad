package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The manager metrics the campaign compares between the first and the last
// manager process.
const (
	metricGoroutines = "go_goroutines"
	metricRSS        = "process_resident_memory_bytes"
)

// figures are a manager process's goroutines and resident memory.
type figures struct {
	goroutines float64
	rss        float64
}

// scrapeFigures reads the figures from the manager's metrics endpoint at addr.
func scrapeFigures(ctx context.Context, addr string) (figures, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return figures{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return figures{}, fmt.Errorf("read the manager's metrics: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return figures{}, fmt.Errorf("read the manager's metrics: HTTP %d", resp.StatusCode)
	}
	values, err := parseMetrics(resp.Body, metricGoroutines, metricRSS)
	if err != nil {
		return figures{}, err
	}
	return figures{goroutines: values[metricGoroutines], rss: values[metricRSS]}, nil
}

// parseMetrics reads the named unlabelled samples from the Prometheus text
// format; every name must be found.
func parseMetrics(r io.Reader, names ...string) (map[string]float64, error) {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		for _, name := range names {
			if fields[0] != name {
				continue
			}
			v, err := strconv.ParseFloat(fields[1], 64)
			if err != nil {
				return nil, fmt.Errorf("metric %s: %w", name, err)
			}
			out[name] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read metrics: %w", err)
	}
	for _, name := range names {
		if _, ok := out[name]; !ok {
			return nil, fmt.Errorf("metric %s not found", name)
		}
	}
	return out, nil
}
