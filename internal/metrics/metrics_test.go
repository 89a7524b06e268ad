package metrics

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func TestSetEnrollmentLearners(t *testing.T) {
	type call struct {
		ns, name string
		counts   map[string]int
	}
	cases := map[string]struct {
		reason string
		calls  []call
		want   map[string]float64
	}{
		"every state given": {
			reason: "each state is its own series",
			calls: []call{{"team-a", "security", map[string]int{StateNotStarted: 3, StateInProgress: 2,
				StateCompleted: 10, StateOverdue: 1}}},
			want: map[string]float64{
				"enrollment=security,namespace=team-a,state=notStarted": 3,
				"enrollment=security,namespace=team-a,state=inProgress": 2,
				"enrollment=security,namespace=team-a,state=completed":  10,
				"enrollment=security,namespace=team-a,state=overdue":    1,
			},
		},
		"missing states are zero": {
			reason: "a state with no learner is exported as 0, not left out",
			calls:  []call{{"team-a", "security", map[string]int{StateCompleted: 4}}},
			want: map[string]float64{
				"enrollment=security,namespace=team-a,state=notStarted": 0,
				"enrollment=security,namespace=team-a,state=inProgress": 0,
				"enrollment=security,namespace=team-a,state=completed":  4,
				"enrollment=security,namespace=team-a,state=overdue":    0,
			},
		},
		"unknown state": {
			reason: "a key that is not one of the four states gets no series",
			calls:  []call{{"team-a", "security", map[string]int{"Completed": 4, "assigned": 7}}},
			want: map[string]float64{
				"enrollment=security,namespace=team-a,state=notStarted": 0,
				"enrollment=security,namespace=team-a,state=inProgress": 0,
				"enrollment=security,namespace=team-a,state=completed":  0,
				"enrollment=security,namespace=team-a,state=overdue":    0,
			},
		},
		"later call replaces": {
			reason: "a state that empties drops to 0 instead of keeping its last value",
			calls: []call{
				{"team-a", "security", map[string]int{StateNotStarted: 5}},
				{"team-a", "security", map[string]int{StateCompleted: 5}},
			},
			want: map[string]float64{
				"enrollment=security,namespace=team-a,state=notStarted": 0,
				"enrollment=security,namespace=team-a,state=inProgress": 0,
				"enrollment=security,namespace=team-a,state=completed":  5,
				"enrollment=security,namespace=team-a,state=overdue":    0,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := New()
			for _, c := range tc.calls {
				m.SetEnrollmentLearners(c.ns, c.name, c.counts)
			}
			if diff := cmp.Diff(tc.want, values(t, m.EnrollmentLearners)); diff != "" {
				t.Errorf("%s: lms_enrollment_learners (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestForgetEnrollmentDeletesOnlyThatEnrollment(t *testing.T) {
	m := New()
	m.SetEnrollmentLearners("team-a", "security", map[string]int{StateCompleted: 1})
	m.SetEnrollmentLearners("team-b", "security", map[string]int{StateCompleted: 2})
	m.SetEnrollmentLearners("team-a", "onboarding", map[string]int{StateCompleted: 3})
	m.ForgetEnrollment("team-a", "security")
	got := values(t, m.EnrollmentLearners)
	if len(got) != 8 {
		t.Errorf("after ForgetEnrollment(team-a, security) %d series remain, want the 8 of the two other Enrollments: %v", len(got), got)
	}
	for k := range got {
		if strings.Contains(k, "enrollment=security,namespace=team-a,") {
			t.Errorf("series %s of the forgotten Enrollment is still exported", k)
		}
	}
	if got["enrollment=security,namespace=team-b,state=completed"] != 2 {
		t.Errorf("the Enrollment of the same name in another namespace lost its series: %v", got)
	}
}

func TestConnectionGauges(t *testing.T) {
	cases := map[string]struct {
		reason string
		do     func(m *Metrics)
		want   map[string]map[string]float64
	}{
		"budget": {
			reason: "used and limit are exported as they are",
			do:     func(m *Metrics) { m.SetBudget("training/eleap", 120, 2500) },
			want: map[string]map[string]float64{
				"lms_budget_requests_last_hour": {"connection=training/eleap": 120},
				"lms_budget_requests_per_hour":  {"connection=training/eleap": 2500},
			},
		},
		"pause lifted": {
			reason: "paused is 1 while paused and 0 after",
			do: func(m *Metrics) {
				m.SetPaused("a", true)
				m.SetPaused("b", true)
				m.SetPaused("b", false)
			},
			want: map[string]map[string]float64{"lms_budget_paused": {"connection=a": 1, "connection=b": 0}},
		},
		"held deletions": {
			reason: "the gauge is what is held now; the counter adds up every hold, ignoring n <= 0",
			do: func(m *Metrics) {
				m.SetDeletionsHeld("c", 30)
				m.SetDeletionsHeld("c", 12)
				m.AddDeletionsHeld("c", 30)
				m.AddDeletionsHeld("c", 5)
				m.AddDeletionsHeld("c", 0)
				m.AddDeletionsHeld("c", -3)
			},
			want: map[string]map[string]float64{
				"lms_deletions_held":       {"connection=c": 12},
				"lms_deletions_held_total": {"connection=c": 35},
			},
		},
		"connection forgotten": {
			reason: "ForgetConnection deletes that connection's gauges only, and keeps its counters",
			do: func(m *Metrics) {
				for _, c := range []string{"gone", "kept"} {
					m.SetBudget(c, 1, 10)
					m.SetPaused(c, true)
					m.SetDeletionsHeld(c, 2)
					m.AddDeletionsHeld(c, 2)
				}
				m.ForgetConnection("gone")
			},
			want: map[string]map[string]float64{
				"lms_budget_requests_last_hour": {"connection=kept": 1},
				"lms_budget_requests_per_hour":  {"connection=kept": 10},
				"lms_budget_paused":             {"connection=kept": 1},
				"lms_deletions_held":            {"connection=kept": 2},
				"lms_deletions_held_total":      {"connection=gone": 2, "connection=kept": 2},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := New()
			tc.do(m)
			got := map[string]map[string]float64{}
			for name, c := range map[string]prometheus.Collector{
				"lms_budget_requests_last_hour": m.BudgetUsed, "lms_budget_requests_per_hour": m.BudgetLimit,
				"lms_budget_paused": m.BudgetPaused, "lms_deletions_held": m.DeletionsHeld,
				"lms_deletions_held_total": m.DeletionsHeldTotal,
			} {
				if v := values(t, c); len(v) > 0 {
					got[name] = v
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestFamiliesNameEveryCollectorWithItsType(t *testing.T) {
	m := New()
	want := map[string]Type{}
	for _, c := range m.collectors() {
		typ := TypeCounter
		switch c.(type) {
		case *prometheus.GaugeVec:
			typ = TypeGauge
		case *prometheus.HistogramVec:
			typ = TypeHistogram
		}
		for _, name := range describedNames(c) {
			want[name] = typ
		}
	}
	if diff := cmp.Diff(want, m.Families()); diff != "" {
		t.Errorf("Families() differs from the collectors' descriptions (-collectors +Families):\n%s", diff)
	}
	if len(want) != 13 {
		t.Errorf("the collectors describe %d metrics, want 13: %v", len(want), want)
	}
}

func TestRegisterToRefusesADuplicate(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := New()
	if err := m.RegisterTo(reg); err != nil {
		t.Fatalf("RegisterTo a fresh registry: %v", err)
	}
	m.SetBudget("x", 1, 2)
	m.SetEnrollmentLearners("ns", "e", nil)
	Observer{M: m, Vendor: "eleap", Connection: "x"}.Sent("users.list", 429, 0)
	if _, err := reg.Gather(); err != nil {
		t.Errorf("the pedantic registry refuses what the metrics export: %v", err)
	}
	err := New().RegisterTo(reg)
	if err == nil || !strings.Contains(err.Error(), "register the operator's metrics") {
		t.Errorf("RegisterTo a registry that has the metrics already = %v, want a wrapped AlreadyRegistered error", err)
	}
}

func TestEveryMetricIsDocumentedInOperations(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "operations.md"))
	if err != nil {
		t.Fatalf("read docs/operations.md: %v", err)
	}
	rows := regexp.MustCompile("(?m)^\\| `(lms_[a-z_]+)` \\| ([a-z]+) \\|").FindAllStringSubmatch(string(doc), -1)
	documented := map[string]Type{}
	for _, r := range rows {
		documented[r[1]] = Type(r[2])
	}
	if diff := cmp.Diff(New().Families(), documented); diff != "" {
		t.Errorf("the metrics table of docs/operations.md differs from internal/metrics (-code +doc):\n%s", diff)
	}
}

// describedNames returns the metric names a collector describes.
func describedNames(c prometheus.Collector) []string {
	ch := make(chan *prometheus.Desc, 4)
	go func() { c.Describe(ch); close(ch) }()
	fqName := regexp.MustCompile(`fqName: "([^"]+)"`)
	var names []string
	for d := range ch {
		if m := fqName.FindStringSubmatch(d.String()); m != nil {
			names = append(names, m[1])
		}
	}
	return names
}

// values returns the value of every series of a counter or gauge collector,
// keyed by its labels as "name=value,..." in name order.
func values(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	ch := make(chan prometheus.Metric, 64)
	go func() { c.Collect(ch); close(ch) }()
	out := map[string]float64{}
	for metric := range ch {
		var pb dto.Metric
		if err := metric.Write(&pb); err != nil {
			t.Fatalf("write a metric: %v", err)
		}
		out[labelKey(pb.GetLabel())] = pb.GetGauge().GetValue() + pb.GetCounter().GetValue()
	}
	return out
}

// labelKey is the labels of a series as "name=value,..." in name order.
func labelKey(pairs []*dto.LabelPair) string {
	kv := make([]string, 0, len(pairs))
	for _, p := range pairs {
		kv = append(kv, p.GetName()+"="+p.GetValue())
	}
	slices.Sort(kv)
	return strings.Join(kv, ",")
}
