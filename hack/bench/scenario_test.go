package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// shape is what a scenario's member objects declare, in a few words.
type shape struct {
	Groups      []string
	Enrollments []string
}

// shapeOf sums up objs.
func shapeOf(objs []client.Object) shape {
	var s shape
	for _, o := range objs {
		switch o := o.(type) {
		case *v1alpha1.LearnerGroup:
			kind := "group"
			if o.Spec.Enabley != nil {
				kind += " enabley type " + o.Spec.Enabley.Type
			}
			s.Groups = append(s.Groups, kind)
		case *v1alpha1.Enrollment:
			switch {
			case o.Spec.Course != nil:
				s.Enrollments = append(s.Enrollments, "course "+o.Spec.Course.ID)
			case o.Spec.LearningPath != nil:
				s.Enrollments = append(s.Enrollments, "learningPath "+o.Spec.LearningPath.ID)
			case o.Spec.Channel != nil:
				s.Enrollments = append(s.Enrollments, "channel "+o.Spec.Channel.ID)
			}
		}
	}
	return s
}

func TestScenarios(t *testing.T) {
	c, err := parseFlags(nil)
	if err != nil {
		t.Fatalf("the default flags are refused: %v", err)
	}
	got := map[string]shape{}
	for _, s := range scenarios(c) {
		got[s.name] = shapeOf(s.memberObjects())
	}
	want := map[string]shape{
		"eleap-unlimited":   {Groups: []string{"group"}, Enrollments: []string{"course 103", "learningPath 202"}},
		"enabley-unlimited": {Groups: []string{"group enabley type Company"}, Enrollments: []string{"channel kubernetes-basics"}},
		"exceed-unlimited":  {},
		"eleap-budget":      {Groups: []string{"group"}, Enrollments: []string{"course 103"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the default scenarios declare a selector group and Enrollments where the vendor has them: -want, +got:\n%s", diff)
	}
}

func TestBudgetScenario(t *testing.T) {
	s := budgetScenario(config{budgetLearners: 140})
	type budget struct{ RequestsPerHour, Burst, Sim, Floor int }
	got := budget{s.requestsPerHour, s.effectiveBurst(), s.simRequestsPerHour, floorOf(s).total()}
	want := budget{RequestsPerHour: 2500, Burst: 10, Sim: 2500, Floor: 427}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the budget scenario runs at the documented eLeaP rate on both sides, default burst, about 10 minutes of floor: -want, +got:\n%s", diff)
	}
	conn := s.setupObjects("http://127.0.0.1:1")[2].(*v1alpha1.LMSConnection)
	if conn.Spec.RateLimit == nil || conn.Spec.RateLimit.Burst != nil || conn.Spec.SyncInterval != nil {
		t.Errorf("the budget connection sets requestsPerHour only, leaving burst and syncInterval to their defaults: %+v, %v",
			conn.Spec.RateLimit, conn.Spec.SyncInterval)
	}
}

func TestPagesPerSyncSetsTheUnlimitedConnections(t *testing.T) {
	cases := map[string]struct {
		reason string
		args   []string
		want   map[string]*int32
	}{
		"Unset": {reason: "by default no connection sets pagesPerSync", want: map[string]*int32{
			"enabley-unlimited": nil, "exceed-unlimited": nil, "eleap-budget": nil}},
		"Four": {reason: "-pages-per-sync sets the unlimited connections, not the budget scenario's",
			args: []string{"-pages-per-sync", "4"},
			want: map[string]*int32{"enabley-unlimited": ptr.To[int32](4), "exceed-unlimited": ptr.To[int32](4), "eleap-budget": nil}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := parseFlags(append([]string{"-vendors", "enabley,exceed"}, tc.args...))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]*int32{}
			for _, s := range scenarios(c) {
				conn := s.setupObjects("http://127.0.0.1:1")[2].(*v1alpha1.LMSConnection)
				got[s.name] = nil
				if conn.Spec.RateLimit != nil {
					got[s.name] = conn.Spec.RateLimit.PagesPerSync
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
