package main

import (
	"fmt"
	"slices"
	"strings"
)

// A learnerState is what the campaign last declared of one Learner.
type learnerState struct {
	name, email         string
	firstName, lastName string
	active              bool
	policy              string
	deleted             bool
}

// A groupState is what the campaign last declared of one LearnerGroup.
type groupState struct {
	name, displayName string
	// enableyType is spec.enabley.type; empty on eLeaP.
	enableyType string
	policy      string
	// members are Learner names, sorted.
	members []string
	deleted bool
}

// An enrollmentState is what the campaign last declared of one Enrollment.
type enrollmentState struct {
	name   string
	target target
	// byName references the target by name instead of id.
	byName bool
	// learners and groups are the subjects' names, sorted.
	learners, groups []string
	policy           string
	deleted          bool
}

// subjects counts the Enrollment's subjects.
func (e *enrollmentState) subjects() int { return len(e.learners) + len(e.groups) }

// A model is what the campaign declared on one vendor's connection: every
// object it created, in creation order, with its last spec or its deletion.
type model struct {
	vendor, ns  string
	learners    []*learnerState
	groups      []*groupState
	enrollments []*enrollmentState
	// groupTypes are the Enabley group hierarchy's names; nil where the
	// vendor has no group types.
	groupTypes []string
	// canGroup and canEnroll say whether the vendor supports LearnerGroups
	// and Enrollments.
	canGroup, canEnroll bool
	// targets are the Enrollment targets not used yet, in order.
	targets []target
}

// created counts the objects created so far.
func (m *model) created() int { return len(m.learners) + len(m.groups) + len(m.enrollments) }

// liveLearners returns the Learners not deleted.
func (m *model) liveLearners() []*learnerState {
	return live(m.learners, func(l *learnerState) bool { return l.deleted })
}

// liveGroups returns the LearnerGroups not deleted.
func (m *model) liveGroups() []*groupState {
	return live(m.groups, func(g *groupState) bool { return g.deleted })
}

// liveEnrollments returns the Enrollments not deleted.
func (m *model) liveEnrollments() []*enrollmentState {
	return live(m.enrollments, func(e *enrollmentState) bool { return e.deleted })
}

// live returns the items that are not deleted.
func live[T any](items []*T, deleted func(*T) bool) []*T {
	var out []*T
	for _, it := range items {
		if !deleted(it) {
			out = append(out, it)
		}
	}
	return out
}

// learner returns the Learner named name, or nil.
func (m *model) learner(name string) *learnerState {
	for _, l := range m.learners {
		if l.name == name {
			return l
		}
	}
	return nil
}

// group returns the LearnerGroup named name, or nil.
func (m *model) group(name string) *groupState {
	for _, g := range m.groups {
		if g.name == name {
			return g
		}
	}
	return nil
}

// newLearnerState returns the n-th Learner of vendor, with the given
// deletion policy. Emails are mixed-case: the operator lower-cases them.
func newLearnerState(vendor string, n int, policy string) *learnerState {
	return &learnerState{
		name:      fmt.Sprintf("l-%d", n),
		email:     fmt.Sprintf("Chaos.L%d.%s@Example.com", n, strings.ToUpper(vendor[:1])+vendor[1:]),
		firstName: fmt.Sprintf("Learner%d", n),
		lastName:  surname(0),
		active:    true,
		policy:    policy,
	}
}

// lastNames are the last names Learners take in turn.
var lastNames = []string{"Lovelace", "Hopper", "Hamilton", "Liskov", "Goldwasser", "Allen", "Wing", "Perlman"}

// surname returns the i-th of lastNames, cycling.
func surname(i int) string {
	return lastNames[i%len(lastNames)]
}

// without returns the sorted names without name.
func without(names []string, name string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == name })
}

// with returns the sorted names with name added.
func with(names []string, name string) []string {
	out := append(slices.Clone(names), name)
	slices.Sort(out)
	return slices.Compact(out)
}
