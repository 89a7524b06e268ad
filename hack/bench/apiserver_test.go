package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseLabels(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     string
		want   map[string]string
	}{
		"Plain":   {reason: "labels are name=\"value\" pairs", in: `a="x",b=""`, want: map[string]string{"a": "x", "b": ""}},
		"Escaped": {reason: "a quote in a value is escaped", in: `a="x\"y",b="z"`, want: map[string]string{"a": `x"y`, "b": "z"}},
		"Comma":   {reason: "a comma inside a value does not split it", in: `a="x,y"`, want: map[string]string{"a": "x,y"}},
		"Empty":   {reason: "no labels", in: ``, want: map[string]string{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, parseLabels(tc.in)); diff != "" {
				t.Errorf("%s\nparseLabels(%q): -want, +got:\n%s", tc.reason, tc.in, diff)
			}
		})
	}
}

// metricsText is a cut of kube-apiserver's /metrics.
const metricsText = `# HELP apiserver_request_total [STABLE] Counter of apiserver requests
# TYPE apiserver_request_total counter
apiserver_request_total{code="200",component="apiserver",dry_run="",group="training.lmsoperator.dev",resource="learners",scope="resource",subresource="status",verb="PATCH",version="v1alpha1"} 12
apiserver_request_total{code="409",component="apiserver",dry_run="",group="training.lmsoperator.dev",resource="learners",scope="resource",subresource="status",verb="PATCH",version="v1alpha1"} 2
apiserver_request_total{code="201",component="apiserver",dry_run="",group="training.lmsoperator.dev",resource="learners",scope="resource",subresource="",verb="POST",version="v1alpha1"} 20
apiserver_request_total{code="200",component="apiserver",dry_run="",group="training.lmsoperator.dev",resource="learners",scope="namespace",subresource="",verb="LIST",version="v1alpha1"} 7
apiserver_request_total{code="201",component="apiserver",dry_run="",group="events.k8s.io",resource="events",scope="resource",subresource="",verb="POST",version="v1"} 5
apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="",verb="POST",version="v1"} 9
apiserver_request_duration_seconds_bucket{verb="PATCH",le="0.1"} 3
`

func TestParseRequestTotals(t *testing.T) {
	got := parseRequestTotals(metricsText)
	want := requestCounts{
		{verb: "PATCH", group: lmsGroup, resource: "learners", subresource: "status"}:                 12,
		{verb: "PATCH", group: lmsGroup, resource: "learners", subresource: "status", conflict: true}: 2,
		{verb: "POST", group: lmsGroup, resource: "learners"}:                                         20,
		{verb: "POST", group: "events.k8s.io", resource: "events"}:                                    5,
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(requestKey{})); diff != "" {
		t.Errorf("parseRequestTotals keeps the writes to the operator's kinds and to Events, conflicts apart, and drops reads, "+
			"other kinds and other metrics: -want, +got:\n%s", diff)
	}
}

func TestDelta(t *testing.T) {
	patch := requestKey{verb: "PATCH", group: lmsGroup, resource: "learners", subresource: "status"}
	post := requestKey{verb: "POST", group: lmsGroup, resource: "learners"}
	events := requestKey{verb: "POST", group: "events.k8s.io", resource: "events"}
	cases := map[string]struct {
		reason        string
		before, after requestCounts
		bench         map[string]int
		want          []requestDelta
	}{
		"LessBench": {
			reason: "the bench's own creates are not the manager's writes; the rest is, largest first",
			before: requestCounts{patch: 2}, after: requestCounts{patch: 12, post: 20, events: 25},
			bench: map[string]int{"learners": 20},
			want:  []requestDelta{{key: events, count: 25}, {key: patch, count: 10}},
		},
		"Unchanged": {
			reason: "a series that did not grow is left out",
			before: requestCounts{patch: 5}, after: requestCounts{patch: 5},
			want: nil,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := delta(tc.before, tc.after, tc.bench)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(requestDelta{}, requestKey{})); diff != "" {
				t.Errorf("%s\ndelta: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
