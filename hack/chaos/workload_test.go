package main

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// newModel returns the campaign's model of vendor before any op.
func newModel(vendor string, objects int) *model {
	k := kits[vendor]
	m := &model{vendor: vendor, ns: "chaos-" + vendor, canGroup: k.canGroup, canEnroll: k.canEnroll, targets: k.targets(objects)}
	if vendor == lmssim.Enabley {
		m.groupTypes = []string{"Company", "Team"}
	}
	return m
}

// opNames returns the names of ops, such as "create Learner chaos-eleap/l-0".
func opNames(ops []op) []string {
	var out []string
	for _, o := range ops {
		out = append(out, o.String()+" "+o.spec())
	}
	return out
}

func TestGenerateIsReproducibleFromTheSeed(t *testing.T) {
	run := func(seed uint64) []string {
		return opNames(generate(newModel(lmssim.ELeaP, 12), rand.New(rand.NewPCG(seed, 1)), 12, time.Second))
	}
	if diff := cmp.Diff(run(5), run(5)); diff != "" {
		t.Errorf("two generations from seed 5 differ (-first +second):\n%s", diff)
	}
	if cmp.Equal(run(5), run(6)) {
		t.Errorf("seeds 5 and 6 gave the same ops: the seed does not drive the draws")
	}
}

func TestGenerateCreatesEveryObjectAndEveryKindAndPolicy(t *testing.T) {
	const objects = 40
	m := newModel(lmssim.ELeaP, objects)
	ops := generate(m, rand.New(rand.NewPCG(3, 1)), objects, 0)

	if got := m.created(); got != objects {
		t.Errorf("%d objects created, want %d", got, objects)
	}
	kinds := map[string]int{}
	for _, o := range ops {
		kinds[string(o.kind)+" "+kindOf(o.obj)]++
	}
	for _, want := range []string{"create Learner", "update Learner", "delete Learner", "create LearnerGroup",
		"update LearnerGroup", "create Enrollment", "update Enrollment"} {
		if kinds[want] == 0 {
			t.Errorf("no %s among %d ops (%v): the campaign must exercise every change", want, len(ops), kinds)
		}
	}
	policies := map[string]bool{}
	for _, l := range m.learners {
		policies[l.policy] = true
	}
	if len(policies) != 3 {
		t.Errorf("Learner deletion policies drawn %v, want all three", policies)
	}
	if live := len(m.liveLearners()) + len(m.liveGroups()) + len(m.liveEnrollments()); 2*live < objects {
		t.Errorf("%d of %d objects live at the end, want at least half", live, objects)
	}
}

func TestGenerateNeverLeavesALiveObjectReferencingADeletedOne(t *testing.T) {
	for seed := range uint64(30) {
		m := newModel(lmssim.Enabley, 20)
		generate(m, rand.New(rand.NewPCG(seed, 2)), 20, 0)
		for _, g := range m.liveGroups() {
			for _, name := range g.members {
				if l := m.learner(name); l == nil || l.deleted {
					t.Errorf("seed %d: live LearnerGroup %s has member %s, which is deleted or unknown", seed, g.name, name)
				}
			}
			if g.enableyType == "" {
				t.Errorf("seed %d: Enabley LearnerGroup %s has no spec.enabley.type", seed, g.name)
			}
		}
		for _, e := range m.liveEnrollments() {
			if e.subjects() == 0 {
				t.Errorf("seed %d: live Enrollment %s has no subjects (the API server refuses that)", seed, e.name)
			}
			for _, name := range e.learners {
				if l := m.learner(name); l == nil || l.deleted {
					t.Errorf("seed %d: live Enrollment %s has learner %s, which is deleted or unknown", seed, e.name, name)
				}
			}
			for _, name := range e.groups {
				if g := m.group(name); g == nil || g.deleted {
					t.Errorf("seed %d: live Enrollment %s has group %s, which is deleted or unknown", seed, e.name, name)
				}
			}
		}
	}
}

func TestGenerateGivesEveryEnrollmentATargetOfItsOwn(t *testing.T) {
	m := newModel(lmssim.ELeaP, 30)
	generate(m, rand.New(rand.NewPCG(9, 1)), 30, 0)
	seen := map[string]string{}
	for _, e := range m.enrollments {
		key := targetKey(e.target.kind, e.target.id)
		if other, dup := seen[key]; dup {
			t.Errorf("Enrollments %s and %s share target %s: what a deleted one leaves cannot be told apart", other, e.name, key)
		}
		seen[key] = e.name
	}
	if len(m.enrollments) == 0 {
		t.Fatal("no Enrollment was generated")
	}
}

func TestGenerateOnExceedMakesLearnersOnly(t *testing.T) {
	ops := generate(newModel(lmssim.Exceed, 15), rand.New(rand.NewPCG(1, 3)), 15, 0)
	for _, o := range ops {
		if kindOf(o.obj) != "Learner" {
			t.Errorf("op %s on Exceed, which has users only", o)
		}
	}
}

func TestGenerateSpreadsDelaysAroundTheMean(t *testing.T) {
	const mean = 100 * time.Millisecond
	ops := generate(newModel(lmssim.ELeaP, 30), rand.New(rand.NewPCG(4, 1)), 30, mean)
	var total time.Duration
	for _, o := range ops {
		if o.delay < 0 || o.delay >= 2*mean {
			t.Errorf("op %s waits %s, want within [0, %s)", o, o.delay, 2*mean)
		}
		total += o.delay
	}
	if total < time.Duration(len(ops))*mean/3 {
		t.Errorf("the %d ops wait %s in all, want about %s", len(ops), total, time.Duration(len(ops))*mean)
	}
}

func TestKillDelaysAreReproducibleAndWithinBounds(t *testing.T) {
	a, b := killDelays(11, 50, time.Second, 3*time.Second), killDelays(11, 50, time.Second, 3*time.Second)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("kill delays from one seed differ (-first +second):\n%s", diff)
	}
	if slices.Min(a) < time.Second || slices.Max(a) > 3*time.Second {
		t.Errorf("kill delays range over [%s, %s], want within [1s, 3s]", slices.Min(a), slices.Max(a))
	}
}

func TestEnrollmentObjectReferencesItsTargetByIDOrName(t *testing.T) {
	cases := map[string]struct {
		reason string
		state  enrollmentState
		want   v1alpha1.EnrollmentSpec
	}{
		"course by id": {
			reason: "an eLeaP course goes to spec.course",
			state:  enrollmentState{target: target{kind: "course", id: "5000", name: "Chaos Course 0"}, learners: []string{"l-1"}},
			want: v1alpha1.EnrollmentSpec{ConnectionRef: connRef, Course: &v1alpha1.TargetReference{ID: "5000"},
				Subjects: v1alpha1.Subjects{LearnerRefs: refs([]string{"l-1"})}},
		},
		"learning path by name": {
			reason: "an eLeaP learning path goes to spec.learningPath, by its exact name",
			state:  enrollmentState{target: target{kind: "learning_path", id: "6000", name: "Chaos Path 0"}, byName: true, groups: []string{"g-0"}},
			want: v1alpha1.EnrollmentSpec{ConnectionRef: connRef, LearningPath: &v1alpha1.TargetReference{Name: "Chaos Path 0"},
				Subjects: v1alpha1.Subjects{GroupRefs: refs([]string{"g-0"})}},
		},
		"channel": {
			reason: "an Enabley channel goes to spec.channel",
			state:  enrollmentState{target: target{kind: channelKind, id: "chaos-channel-0"}, learners: []string{"l-0"}, policy: "Orphan"},
			want: v1alpha1.EnrollmentSpec{ConnectionRef: connRef, Channel: &v1alpha1.TargetReference{ID: "chaos-channel-0"},
				Subjects: v1alpha1.Subjects{LearnerRefs: refs([]string{"l-0"})}, DeletionPolicy: "Orphan"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := enrollmentObject("ns", &tc.state).Spec
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestApplyOpIsIdempotentAndWritesTheWholeSpec(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(scheme).Build()
	ctx := context.Background()
	l := newLearnerState(lmssim.ELeaP, 0, "Delete")

	for i := range 2 {
		if err := applyOp(ctx, c, op{kind: opCreate, obj: learnerObject("ns", l)}); err != nil {
			t.Fatalf("create #%d: %v (a create retried after it got through must count as done)", i+1, err)
		}
	}
	l.lastName, l.active = "Hopper", false
	if err := applyOp(ctx, c, op{kind: opUpdate, obj: learnerObject("ns", l)}); err != nil {
		t.Fatalf("update: %v", err)
	}
	var got v1alpha1.Learner
	if err := c.Get(ctx, client.ObjectKey{Namespace: "ns", Name: l.name}, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(learnerObject("ns", l).Spec, got.Spec); diff != "" {
		t.Errorf("spec after the update (-want +got):\n%s", diff)
	}
	for i := range 2 {
		if err := applyOp(ctx, c, op{kind: opDelete, obj: learnerObject("ns", l)}); err != nil {
			t.Fatalf("delete #%d: %v (a delete of a missing object must count as done)", i+1, err)
		}
	}
}
