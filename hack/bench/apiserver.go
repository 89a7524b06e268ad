package main

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"k8s.io/client-go/kubernetes"
)

// requestMetric is the API server's counter of the requests it served.
const requestMetric = "apiserver_request_total"

// lmsGroup is the API group of the operator's kinds.
const lmsGroup = "training.lmsoperator.dev"

// writeVerbs are the verbs of apiserver_request_total that write.
var writeVerbs = map[string]bool{"POST": true, "PUT": true, "PATCH": true, "APPLY": true, "DELETE": true, "DELETECOLLECTION": true}

// A requestKey is one series of apiserver_request_total, without the code.
type requestKey struct {
	verb, group, resource, subresource string
	conflict                           bool
}

// String is "PATCH learners/status", with " (409)" for conflicts.
func (k requestKey) String() string {
	s := k.verb + " " + k.resource
	if k.subresource != "" {
		s += "/" + k.subresource
	}
	if k.conflict {
		s += " (409 Conflict)"
	}
	return s
}

// requestCounts are apiserver_request_total by series.
type requestCounts map[requestKey]float64

// scrapeRequests reads the API server's /metrics and returns the write
// requests to the operator's kinds and to Events.
func scrapeRequests(ctx context.Context, cs kubernetes.Interface) (requestCounts, error) {
	body, err := cs.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the API server's metrics: %w", err)
	}
	return parseRequestTotals(string(body)), nil
}

// parseRequestTotals returns the write series of apiserver_request_total
// that concern the operator's kinds or Events, summed over the labels
// requestKey leaves out.
func parseRequestTotals(text string) requestCounts {
	out := requestCounts{}
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(line, requestMetric+"{")
		if !ok {
			continue
		}
		end := strings.LastIndex(rest, "}")
		if end < 0 {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rest[end+1:]), 64)
		if err != nil {
			continue
		}
		l := parseLabels(rest[:end])
		if !writeVerbs[l["verb"]] || (l["group"] != lmsGroup && l["resource"] != "events") {
			continue
		}
		out[requestKey{verb: l["verb"], group: l["group"], resource: l["resource"], subresource: l["subresource"],
			conflict: l["code"] == "409"}] += v
	}
	return out
}

// parseLabels reads `a="x",b="y\"z"` into a map.
func parseLabels(s string) map[string]string {
	out := map[string]string{}
	for s != "" {
		name, rest, ok := strings.Cut(s, `="`)
		if !ok {
			break
		}
		var val strings.Builder
		i := 0
		for ; i < len(rest) && rest[i] != '"'; i++ {
			if rest[i] == '\\' && i+1 < len(rest) {
				i++
			}
			val.WriteByte(rest[i])
		}
		out[strings.TrimSpace(name)] = val.String()
		s = strings.TrimPrefix(rest[min(i+1, len(rest)):], ",")
	}
	return out
}

// A requestDelta is the growth of one series in a phase.
type requestDelta struct {
	key   requestKey
	count int
}

// delta returns the series that grew from before to after, less the
// bench's own creates (by resource), largest first.
func delta(before, after requestCounts, benchCreates map[string]int) []requestDelta {
	var out []requestDelta
	for k, v := range after {
		n := int(v - before[k])
		if k.verb == "POST" && !k.conflict && k.subresource == "" {
			n -= benchCreates[k.resource]
		}
		if n > 0 {
			out = append(out, requestDelta{key: k, count: n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].count != out[j].count {
			return out[i].count > out[j].count
		}
		return out[i].key.String() < out[j].key.String()
	})
	return out
}
