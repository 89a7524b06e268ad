package main

import (
	"slices"
)

// update changes one live object at random: a Learner's last name or
// active flag, a LearnerGroup's members, an Enrollment's subjects.
func (g *generator) update() {
	m := g.m
	ls, gs, es := m.liveLearners(), m.liveGroups(), m.liveEnrollments()
	switch i := g.rng.IntN(len(ls) + len(gs) + len(es)); {
	case i < len(ls):
		g.updateLearner(ls[i])
	case i < len(ls)+len(gs):
		g.updateGroup(gs[i-len(ls)])
	default:
		g.updateEnrollment(es[i-len(ls)-len(gs)])
	}
}

// updateLearner changes l's last name, or (one time in three) flips active.
func (g *generator) updateLearner(l *learnerState) {
	if g.rng.IntN(3) == 0 {
		l.active = !l.active
	} else {
		l.lastName = surname(slices.Index(lastNames, l.lastName) + 1 + g.rng.IntN(3))
	}
	g.emit(opUpdate, learnerObject(g.m.ns, l), true)
}

// updateGroup adds a live Learner to gs or removes a member.
func (g *generator) updateGroup(gs *groupState) {
	outside := g.outside(gs.members)
	if len(gs.members) == 0 && len(outside) == 0 {
		return
	}
	if len(outside) > 0 && (len(gs.members) == 0 || g.rng.IntN(2) == 0) {
		gs.members = with(gs.members, pick(g.rng, outside...))
	} else {
		gs.members = without(gs.members, pick(g.rng, gs.members...))
	}
	g.emit(opUpdate, groupObject(g.m.ns, gs), true)
}

// outside returns the live Learners not in names.
func (g *generator) outside(names []string) []string {
	var out []string
	for _, l := range g.m.liveLearners() {
		if !slices.Contains(names, l.name) {
			out = append(out, l.name)
		}
	}
	return out
}

// updateEnrollment adds or removes a subject of e, keeping at least one.
func (g *generator) updateEnrollment(e *enrollmentState) {
	var changes []func()
	if out := g.outside(e.learners); len(out) > 0 {
		changes = append(changes, func() { e.learners = with(e.learners, pick(g.rng, out...)) })
	}
	if out := g.outsideGroups(e.groups); len(out) > 0 {
		changes = append(changes, func() { e.groups = with(e.groups, pick(g.rng, out...)) })
	}
	if e.subjects() > 1 && len(e.learners) > 0 {
		changes = append(changes, func() { e.learners = without(e.learners, pick(g.rng, e.learners...)) })
	}
	if e.subjects() > 1 && len(e.groups) > 0 {
		changes = append(changes, func() { e.groups = without(e.groups, pick(g.rng, e.groups...)) })
	}
	if len(changes) == 0 {
		return
	}
	pick(g.rng, changes...)()
	g.emit(opUpdate, enrollmentObject(g.m.ns, e), true)
}

// outsideGroups returns the live LearnerGroups not in names.
func (g *generator) outsideGroups(names []string) []string {
	var out []string
	for _, gs := range g.m.liveGroups() {
		if !slices.Contains(names, gs.name) {
			out = append(out, gs.name)
		}
	}
	return out
}

// delete deletes one live object at random. Like a careful user it first
// drops a Learner or LearnerGroup from the objects that reference it (an
// Enrollment left without subjects is deleted), so that no live object
// references a deleted one.
func (g *generator) delete() {
	m := g.m
	ls, gs, es := m.liveLearners(), m.liveGroups(), m.liveEnrollments()
	switch i := g.rng.IntN(len(ls) + len(gs) + len(es)); {
	case i < len(ls):
		g.deleteLearner(ls[i])
	case i < len(ls)+len(gs):
		g.deleteGroup(gs[i-len(ls)])
	default:
		e := es[i-len(ls)-len(gs)]
		e.deleted = true
		g.emit(opDelete, enrollmentObject(m.ns, e), true)
	}
}

// deleteLearner drops l from groups and Enrollments, then deletes it.
func (g *generator) deleteLearner(l *learnerState) {
	first := true
	for _, gs := range g.m.liveGroups() {
		if slices.Contains(gs.members, l.name) {
			gs.members = without(gs.members, l.name)
			g.emit(opUpdate, groupObject(g.m.ns, gs), first)
			first = false
		}
	}
	for _, e := range g.m.liveEnrollments() {
		if slices.Contains(e.learners, l.name) {
			e.learners = without(e.learners, l.name)
			g.dropOrDelete(e, first)
			first = false
		}
	}
	l.deleted = true
	g.emit(opDelete, learnerObject(g.m.ns, l), first)
}

// deleteGroup drops gs from Enrollments, then deletes it.
func (g *generator) deleteGroup(gs *groupState) {
	first := true
	for _, e := range g.m.liveEnrollments() {
		if slices.Contains(e.groups, gs.name) {
			e.groups = without(e.groups, gs.name)
			g.dropOrDelete(e, first)
			first = false
		}
	}
	gs.deleted = true
	g.emit(opDelete, groupObject(g.m.ns, gs), first)
}

// dropOrDelete writes e after a subject was dropped, or deletes it when
// none is left.
func (g *generator) dropOrDelete(e *enrollmentState, first bool) {
	if e.subjects() == 0 {
		e.deleted = true
		g.emit(opDelete, enrollmentObject(g.m.ns, e), first)
		return
	}
	g.emit(opUpdate, enrollmentObject(g.m.ns, e), first)
}
