package chart

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/VictoriaMetrics/metricsql"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/lmsoperator/lms-operator/internal/metrics"
)

// dashboardNamespace is where testdata/all-options.yaml puts the dashboard.
const dashboardNamespace = "monitoring"

// dashboardFile is the Grafana dashboard the chart ships.
var dashboardFile = filepath.Join(chartDir, "dashboards", "lms-operator.json")

// controllerRuntimeMetrics are the metrics controller-runtime exports that
// the dashboard may query (names as of controller-runtime v0.25), with their
// types.
var controllerRuntimeMetrics = map[string]metrics.Type{
	"controller_runtime_reconcile_total":        metrics.TypeCounter,
	"controller_runtime_reconcile_errors_total": metrics.TypeCounter,
	"controller_runtime_reconcile_time_seconds": metrics.TypeHistogram,
	"workqueue_depth":                           metrics.TypeGauge,
	"workqueue_queue_duration_seconds":          metrics.TypeHistogram,
}

// A grafanaDashboard is what the tests read of a dashboard's JSON model.
type grafanaDashboard struct {
	UID        string         `json:"uid"`
	Title      string         `json:"title"`
	Panels     []grafanaPanel `json:"panels"`
	Templating struct {
		List []grafanaVariable `json:"list"`
	} `json:"templating"`
}

// A grafanaVariable is a template variable of a dashboard.
type grafanaVariable struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Query any    `json:"query"`
}

// A grafanaPanel is one panel and its queries.
type grafanaPanel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource *struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
}

func TestDashboardConfigMapIsRenderedOnlyWhenEnabled(t *testing.T) {
	objs := parseManifests(t, render(t, "lms", "lms-system"))
	if n := kinds(objs)["ConfigMap"]; n != 0 {
		t.Errorf("default values render %d ConfigMaps; the dashboard must be off by default", n)
	}
	var cm corev1.ConfigMap
	objs = parseManifests(t, render(t, "lms", "lms-system", "--set", "grafanaDashboard.enabled=true"))
	convert(t, findObject(t, objs, "ConfigMap", "lms-lms-operator-dashboard"), &cm)
	if cm.Namespace != "lms-system" || cm.Labels["grafana_dashboard"] != "1" {
		t.Errorf("dashboard ConfigMap in namespace %q with labels %v; want the release namespace and grafana_dashboard=1",
			cm.Namespace, cm.Labels)
	}
	if diff := cmp.Diff(readFile(t, dashboardFile), cm.Data["lms-operator.json"]+"\n"); diff != "" {
		t.Errorf("the ConfigMap's lms-operator.json differs from %s (-file +ConfigMap):\n%s", dashboardFile, diff)
	}

	objs = parseManifests(t, render(t, "lms", "lms-system", "-f", allOptions))
	convert(t, findObject(t, objs, "ConfigMap", "lms-lms-operator-dashboard"), &cm)
	if cm.Namespace != dashboardNamespace || cm.Labels["grafana_dashboard"] != "1" || cm.Labels["release"] != "prometheus" ||
		cm.Annotations["grafana_folder"] != "LMS" {
		t.Errorf("with all options the ConfigMap is in %q with labels %v and annotations %v; want namespace monitoring, "+
			"labels grafana_dashboard=1 and release=prometheus, annotation grafana_folder=LMS", cm.Namespace, cm.Labels, cm.Annotations)
	}
}

func TestDashboardIsAGrafanaDashboardOnAPrometheusVariable(t *testing.T) {
	d := readDashboard(t)
	if d.UID == "" || d.Title == "" || len(d.Panels) < 10 {
		t.Fatalf("dashboard uid %q, title %q, %d panels: want a uid, a title and the panels", d.UID, d.Title, len(d.Panels))
	}
	ids := map[int]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d is used twice (%q)", p.ID, p.Title)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q does not query the data source variable ${datasource}: it would break on another Grafana", p.Title)
		}
	}
	if !slices.ContainsFunc(d.Templating.List, func(v grafanaVariable) bool {
		return v.Name == "datasource" && v.Type == "datasource" && v.Query == "prometheus"
	}) {
		t.Error("the dashboard has no datasource variable of type prometheus")
	}
}

func TestEveryMetricTheDashboardQueriesIsExported(t *testing.T) {
	known := metrics.New().Families()
	for name, typ := range controllerRuntimeMetrics {
		known[name] = typ
	}
	queries := dashboardQueries(t, readDashboard(t))
	if len(queries) < 15 {
		t.Fatalf("found %d queries in the dashboard, want every panel's", len(queries))
	}
	for where, q := range queries {
		names, err := metricNames(q)
		if err != nil {
			t.Errorf("%s: the query does not parse as PromQL: %v\n%s", where, err, q)
			continue
		}
		for _, name := range names {
			if !exported(known, name) {
				t.Errorf("%s queries %s, which internal/metrics does not define (nor controller-runtime)", where, name)
			}
		}
	}
}

func TestEveryMetricTheDocumentedAlertsQueryIsExported(t *testing.T) {
	known := metrics.New().Families()
	for name, typ := range controllerRuntimeMetrics {
		known[name] = typ
	}
	known["up"] = metrics.TypeGauge // Prometheus's own series of every target
	rules := documentedAlerts(t)
	if len(rules) < 5 {
		t.Fatalf("found %d alerts in docs/operations.md, want every one", len(rules))
	}
	for _, r := range rules {
		names, err := metricNames(r.Expr)
		if err != nil {
			t.Errorf("alert %s: the expression does not parse as PromQL: %v\n%s", r.Alert, err, r.Expr)
			continue
		}
		for _, name := range names {
			if !exported(known, name) {
				t.Errorf("alert %s of docs/operations.md queries %s, which internal/metrics does not define", r.Alert, name)
			}
		}
	}
}

// An alertRule is one rule of a Prometheus rule file.
type alertRule struct {
	Alert string `json:"alert"`
	Expr  string `json:"expr"`
}

// documentedAlerts returns the alerting rules of docs/operations.md.
func documentedAlerts(t *testing.T) []alertRule {
	t.Helper()
	doc := readFile(t, filepath.Join(repoRoot, "docs", "operations.md"))
	var rules []alertRule
	for _, m := range regexp.MustCompile("(?ms)^```yaml\n(groups:.*?)^```").FindAllStringSubmatch(doc, -1) {
		var file struct {
			Groups []struct {
				Rules []alertRule `json:"rules"`
			} `json:"groups"`
		}
		if err := yaml.Unmarshal([]byte(m[1]), &file); err != nil {
			t.Fatalf("decode the alerting rules of docs/operations.md: %v", err)
		}
		for _, g := range file.Groups {
			rules = append(rules, g.Rules...)
		}
	}
	return rules
}

func TestMetricNamesFindsEveryMetricOfAQuery(t *testing.T) {
	cases := map[string]struct {
		reason string
		query  string
		want   []string
	}{
		"binary operation": {reason: "both sides of an operator are read",
			query: `a_total{x="$v"} - b{y=~"$w"}`, want: []string{"a_total", "b"}},
		"aggregation and function": {reason: "grouping labels and function names are no metrics",
			query: `histogram_quantile(0.9, sum by (vendor, le) (rate(h_seconds_bucket[$__rate_interval])))`, want: []string{"h_seconds_bucket"}},
		"label_values": {reason: "a variable's label_values selector is read",
			query: `label_values(g{namespace=~"$namespace"}, enrollment)`, want: []string{"g"}},
		"variable outside a string": {reason: "a Grafana variable used as a metric is reported, not hidden",
			query: `sum($metric)`, want: []string{"grafana_variable_metric"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := metricNames(tc.query)
			if err != nil {
				t.Fatalf("metricNames(%q): %v", tc.query, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: metricNames(%q) (-want +got):\n%s", tc.reason, tc.query, diff)
			}
		})
	}
	if _, err := metricNames(`rate(a_total)`); err == nil {
		t.Error("metricNames accepted rate() without a range, which Prometheus refuses")
	}
}

// readDashboard decodes the chart's dashboard.
func readDashboard(t *testing.T) grafanaDashboard {
	t.Helper()
	var d grafanaDashboard
	if err := json.Unmarshal([]byte(readFile(t, dashboardFile)), &d); err != nil {
		t.Fatalf("decode %s: %v", dashboardFile, err)
	}
	return d
}

// dashboardQueries returns every PromQL query of the dashboard, its
// variables' label_values() included, keyed by where it is.
func dashboardQueries(t *testing.T, d grafanaDashboard) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			out[fmt.Sprintf("panel %q query %s", p.Title, tg.RefID)] = tg.Expr
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q, ok := v.Query.(map[string]any)
		if !ok {
			t.Fatalf("variable %s has a query of an unknown shape: %v", v.Name, v.Query)
		}
		out["variable "+v.Name], _ = q["query"].(string)
	}
	return out
}

var (
	// labelValues matches Grafana's label_values(selector, label).
	labelValues = regexp.MustCompile(`^\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$`)
	// intervalVariable matches Grafana's interval variables.
	intervalVariable = regexp.MustCompile(`\$__(rate_interval|interval|range)\b`)
	// variable matches any other Grafana variable, $name or ${name}.
	variable = regexp.MustCompile(`\$\{?([a-zA-Z_][a-zA-Z0-9_]*)\}?`)
)

// metricNames parses a Grafana query as PromQL and returns the metric names
// it reads, in order. Grafana's variables are replaced first: intervals by
// 5m, others by grafana_variable_<name> (a metric no one exports, so that a
// variable used as a metric name is reported).
func metricNames(query string) ([]string, error) {
	if m := labelValues.FindStringSubmatch(query); m != nil {
		query = m[1]
	}
	query = intervalVariable.ReplaceAllString(query, "5m")
	query = variable.ReplaceAllString(query, "grafana_variable_$1")
	expr, err := metricsql.Parse(query)
	if err != nil {
		return nil, err
	}
	var names []string
	var problems []string
	metricsql.VisitAll(expr, func(e metricsql.Expr) {
		switch e := e.(type) {
		case *metricsql.MetricExpr:
			names = append(names, metricNamesOf(e)...)
		case *metricsql.FuncExpr:
			if metricsql.IsRollupFunc(e.Name) && !hasRange(e) {
				problems = append(problems, e.Name+"() needs a range vector, such as [5m]")
			}
		}
	})
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return names, nil
}

// metricNamesOf returns the __name__ filters of a selector.
func metricNamesOf(e *metricsql.MetricExpr) []string {
	var names []string
	for _, filters := range e.LabelFilterss {
		for _, f := range filters {
			if f.Label == "__name__" {
				names = append(names, f.Value)
			}
		}
	}
	return names
}

// hasRange reports whether a rollup function's argument has a range.
func hasRange(f *metricsql.FuncExpr) bool {
	for _, arg := range f.Args {
		if r, ok := arg.(*metricsql.RollupExpr); ok && r.Window != nil {
			return true
		}
	}
	return false
}

// exported reports whether name is a known metric, or the _bucket, _sum or
// _count series of a known histogram.
func exported(known map[string]metrics.Type, name string) bool {
	if _, ok := known[name]; ok {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && known[base] == metrics.TypeHistogram {
			return true
		}
	}
	return false
}
