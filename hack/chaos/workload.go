package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// An opKind is what an op does to its object.
type opKind string

// The op kinds.
const (
	opCreate opKind = "create"
	opUpdate opKind = "update"
	opDelete opKind = "delete"
)

// An op is one change the campaign makes through the API server.
type op struct {
	kind opKind
	// obj is the object as declared after the op (create, update: the
	// whole spec is written), or the object to delete.
	obj client.Object
	// delay is how long to wait before the op.
	delay time.Duration
}

// String names the op, such as "create Learner chaos-eleap/l-3".
func (o op) String() string {
	return fmt.Sprintf("%s %s %s/%s", o.kind, kindOf(o.obj), o.obj.GetNamespace(), o.obj.GetName())
}

// spec returns the spec the op writes, as JSON; empty for a delete.
func (o op) spec() string {
	if o.kind == opDelete {
		return ""
	}
	var spec any
	switch obj := o.obj.(type) {
	case *v1alpha1.Learner:
		spec = obj.Spec
	case *v1alpha1.LearnerGroup:
		spec = obj.Spec
	case *v1alpha1.Enrollment:
		spec = obj.Spec
	}
	data, err := json.Marshal(spec)
	if err != nil {
		return err.Error()
	}
	return string(data)
}

// A generator draws a random sequence of ops over a model, updating the
// model as it goes: at the end the model is what the ops declare.
type generator struct {
	m         *model
	rng       *rand.Rand
	meanDelay time.Duration
	ops       []op
}

// generate returns about 3×objects ops on m, objects of them creates, in a
// random order drawn from rng, each after a random delay of meanDelay on
// average.
func generate(m *model, rng *rand.Rand, objects int, meanDelay time.Duration) []op {
	g := &generator{m: m, rng: rng, meanDelay: meanDelay}
	steps := 3 * objects
	for step := 0; step < steps || m.created() < objects; step++ {
		g.step(objects-m.created(), steps-step)
	}
	return g.ops
}

// step adds one random op (with the fix-ups a delete needs): a create
// while toCreate objects are left to create (always when no more steps
// than creates are left), else an update or a delete.
func (g *generator) step(toCreate, stepsLeft int) {
	liveCount := len(g.m.liveLearners()) + len(g.m.liveGroups()) + len(g.m.liveEnrollments())
	wCreate, wUpdate, wDelete := 0, 0, 0
	if toCreate > 0 {
		wCreate = 4
	}
	if liveCount > 0 {
		wUpdate = 3
	}
	if 2*liveCount > g.m.created() {
		wDelete = 2 // keep at least half of the objects alive
	}
	switch r := g.rng.IntN(max(1, wCreate+wUpdate+wDelete)); {
	case toCreate > 0 && (toCreate >= stepsLeft || r < wCreate):
		g.create()
	case liveCount == 0:
	case r < wCreate+wUpdate || wDelete == 0:
		g.update()
	default:
		g.delete()
	}
}

// emit adds an op on obj; the first op of a step waits a random delay, the
// fix-ups of a delete follow it at once.
func (g *generator) emit(kind opKind, obj client.Object, first bool) {
	var delay time.Duration
	if first && g.meanDelay > 0 {
		delay = time.Duration(g.rng.Int64N(int64(2 * g.meanDelay)))
	}
	g.ops = append(g.ops, op{kind: kind, obj: obj, delay: delay})
}

// pick returns one of the options at random.
func pick[T any](rng *rand.Rand, options ...T) T {
	return options[rng.IntN(len(options))]
}

// sample returns up to k random names of items, sorted.
func sample[T any](rng *rand.Rand, items []*T, name func(*T) string, k int) []string {
	var out []string
	for _, i := range rng.Perm(len(items)) {
		if len(out) == k {
			break
		}
		out = append(out, name(items[i]))
	}
	slices.Sort(out)
	return out
}

// create adds a Learner, a LearnerGroup or an Enrollment.
func (g *generator) create() {
	m := g.m
	kinds := []string{"learner", "learner"}
	if m.canGroup && len(m.liveLearners()) > 0 {
		kinds = append(kinds, "group")
	}
	if m.canEnroll && len(m.targets) > 0 && len(m.liveLearners())+len(m.liveGroups()) > 0 {
		kinds = append(kinds, "enrollment", "enrollment")
	}
	switch pick(g.rng, kinds...) {
	case "group":
		g.createGroup()
	case "enrollment":
		g.createEnrollment()
	default:
		l := newLearnerState(m.vendor, len(m.learners),
			pick(g.rng, string(v1alpha1.LearnerDeactivate), string(v1alpha1.LearnerDelete), string(v1alpha1.LearnerOrphan)))
		m.learners = append(m.learners, l)
		g.emit(opCreate, learnerObject(m.ns, l), true)
	}
}

// createGroup adds a LearnerGroup of up to 3 live Learners.
func (g *generator) createGroup() {
	m := g.m
	n := len(m.groups)
	gs := &groupState{name: fmt.Sprintf("g-%d", n), displayName: fmt.Sprintf("Chaos Group %d %s", n, m.vendor),
		policy:  pick(g.rng, string(v1alpha1.GroupDelete), string(v1alpha1.GroupOrphan)),
		members: sample(g.rng, m.liveLearners(), func(l *learnerState) string { return l.name }, g.rng.IntN(4))}
	if len(m.groupTypes) > 0 {
		gs.enableyType = pick(g.rng, m.groupTypes...)
	}
	m.groups = append(m.groups, gs)
	g.emit(opCreate, groupObject(m.ns, gs), true)
}

// createEnrollment adds an Enrollment of the next unused target, with up
// to 3 live Learners and up to one live LearnerGroup, at least one subject.
func (g *generator) createEnrollment() {
	m := g.m
	e := &enrollmentState{name: fmt.Sprintf("e-%d", len(m.enrollments)), target: m.targets[0], byName: g.rng.IntN(2) == 0,
		policy: pick(g.rng, string(v1alpha1.EnrollmentUnassign), string(v1alpha1.EnrollmentOrphan))}
	m.targets = m.targets[1:]
	e.learners = sample(g.rng, m.liveLearners(), func(l *learnerState) string { return l.name }, 1+g.rng.IntN(3))
	if groups := m.liveGroups(); len(groups) > 0 && (len(e.learners) == 0 || g.rng.IntN(2) == 0) {
		e.groups = sample(g.rng, groups, func(gs *groupState) string { return gs.name }, 1)
	}
	m.enrollments = append(m.enrollments, e)
	g.emit(opCreate, enrollmentObject(m.ns, e), true)
}
