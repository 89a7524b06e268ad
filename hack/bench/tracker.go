package main

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// The kinds the tracker follows.
const (
	kindConnection = "LMSConnection"
	kindLearner    = "Learner"
	kindGroup      = "LearnerGroup"
	kindEnrollment = "Enrollment"
)

// trackedKinds are the kinds in the order they are reported.
var trackedKinds = []string{kindConnection, kindLearner, kindGroup, kindEnrollment}

// An objectKey names a tracked object.
type objectKey struct{ kind, name string }

// An objectState is what the tracker knows of one object.
type objectState struct {
	done bool
	// modified counts MODIFIED watch events in the current phase: each is
	// one write that changed the object (a write that changes nothing makes
	// no event and no new resourceVersion).
	modified int
	// detail says why the object is not done, for the report at a timeout.
	detail string
}

// A tracker follows the scenario's objects through watches: whether each is
// done (Ready for its generation, and for the group and the Enrollments,
// with every member), when all were first done, and how often each changed.
type tracker struct {
	want map[string]int
	// members is how many members the group and each Enrollment must reach.
	members int

	mu        sync.Mutex
	objects   map[objectKey]*objectState
	doneCount map[string]int
	doneAt    map[string]time.Time
	allDone   time.Time
	converged chan struct{}
	// regressions counts objects that stopped being done after allDone.
	regressions int
	// events counts Events created or updated in the phase, by the kind they regard.
	events map[string]int
	// gaps counts watches that had to restart from the current state, losing events.
	gaps int
}

// newTracker expects the objects of s.
func newTracker(s scenario) *tracker {
	want := map[string]int{kindConnection: 1, kindLearner: s.learners, kindEnrollment: len(s.targets)}
	if s.group {
		want[kindGroup] = 1
	}
	return &tracker{want: want, members: s.learners, objects: map[objectKey]*objectState{},
		doneCount: map[string]int{}, doneAt: map[string]time.Time{}, converged: make(chan struct{}), events: map[string]int{}}
}

// start watches every tracked kind and the Events of namespace ns until ctx ends.
func (t *tracker) start(ctx context.Context, k client.WithWatch, ns string) {
	lists := []client.ObjectList{&v1alpha1.LMSConnectionList{}, &v1alpha1.LearnerList{},
		&v1alpha1.LearnerGroupList{}, &v1alpha1.EnrollmentList{}, &eventsv1.EventList{}}
	for _, l := range lists {
		go t.watch(ctx, k, ns, l)
	}
}

// watch follows one list type, resuming from the last resourceVersion seen
// when the server closes the watch.
func (t *tracker) watch(ctx context.Context, k client.WithWatch, ns string, list client.ObjectList) {
	rv := ""
	for ctx.Err() == nil {
		w, err := k.Watch(ctx, list, &client.ListOptions{Namespace: ns,
			Raw: &metav1.ListOptions{ResourceVersion: rv, AllowWatchBookmarks: true}})
		if err != nil {
			time.Sleep(time.Second)
			continue
		}
		rv = t.consume(w, rv)
	}
}

// consume handles the events of w until it closes and returns the
// resourceVersion to resume from ("" after an expired one: a gap).
func (t *tracker) consume(w watch.Interface, rv string) string {
	defer w.Stop()
	for ev := range w.ResultChan() {
		if ev.Type == watch.Error {
			t.mu.Lock()
			t.gaps++
			t.mu.Unlock()
			return ""
		}
		if obj, err := meta.Accessor(ev.Object); err == nil {
			rv = obj.GetResourceVersion()
		}
		if ev.Type != watch.Bookmark {
			t.observe(ev.Type, ev.Object)
		}
	}
	return rv
}

// observe records one event of an object.
func (t *tracker) observe(et watch.EventType, obj any) {
	if e, ok := obj.(*eventsv1.Event); ok {
		if et == watch.Added || et == watch.Modified {
			t.mu.Lock()
			t.events[e.Regarding.Kind]++
			t.mu.Unlock()
		}
		return
	}
	kind, name, done, detail := t.judge(obj)
	if kind == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.update(objectKey{kind, name}, et, done, detail)
}

// judge says which tracked object obj is and whether it is done.
func (t *tracker) judge(obj any) (kind, name string, done bool, detail string) {
	switch o := obj.(type) {
	case *v1alpha1.LMSConnection:
		return kindConnection, o.Name, readyFor(o.Generation, o.Status.CommonStatus), readyDetail(o.Status.CommonStatus)
	case *v1alpha1.Learner:
		return kindLearner, o.Name, learnerDone(o), readyDetail(o.Status.CommonStatus)
	case *v1alpha1.LearnerGroup:
		return kindGroup, o.Name, groupDone(o, t.members), fmt.Sprintf("%d of %d members, %d pending; %s",
			o.Status.MemberCount, t.members, o.Status.PendingMembers, readyDetail(o.Status.CommonStatus))
	case *v1alpha1.Enrollment:
		sum := o.Status.Summary
		return kindEnrollment, o.Name, enrollmentDone(o, t.members), fmt.Sprintf("%d of %d subjects assigned (want %d); %s",
			sum.Assigned, sum.Subjects, t.members, readyDetail(o.Status.CommonStatus))
	}
	return "", "", false, ""
}

// update records an event of key; the caller holds t.mu.
func (t *tracker) update(key objectKey, et watch.EventType, done bool, detail string) {
	st, ok := t.objects[key]
	if !ok {
		st = &objectState{}
		t.objects[key] = st
	}
	if et == watch.Modified {
		st.modified++
	}
	if et == watch.Deleted {
		done = false
	}
	st.detail = detail
	if st.done == done {
		return
	}
	st.done = done
	if !done {
		t.doneCount[key.kind]--
		if !t.allDone.IsZero() {
			t.regressions++
		}
		return
	}
	t.doneCount[key.kind]++
	t.checkDone(key.kind, time.Now())
}

// checkDone notes when kind, and then every kind, was first all done.
func (t *tracker) checkDone(kind string, now time.Time) {
	if t.doneCount[kind] == t.want[kind] && t.doneAt[kind].IsZero() {
		t.doneAt[kind] = now
	}
	if !t.allDone.IsZero() {
		return
	}
	for k, n := range t.want {
		if t.doneCount[k] != n {
			return
		}
	}
	t.allDone = now
	close(t.converged)
}

// waitConverged waits until every object is done, timeout passes or abort
// closes (the manager exited).
func (t *tracker) waitConverged(ctx context.Context, timeout time.Duration, abort <-chan struct{}) (time.Time, bool) {
	select {
	case <-t.converged:
	case <-time.After(timeout):
	case <-abort:
	case <-ctx.Done():
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.allDone, !t.allDone.IsZero()
}

// A writeCount sums up the changes of one kind's objects in a phase.
type writeCount struct {
	kind      string
	objects   int
	modified  int
	maxPerObj int
	// changed counts the objects modified at least once.
	changed int
}

// writes returns the changes of the phase, by kind, and starts a new phase.
func (t *tracker) writes() ([]writeCount, map[string]int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	byKind := map[string]*writeCount{}
	for _, k := range trackedKinds {
		byKind[k] = &writeCount{kind: k}
	}
	for key, st := range t.objects {
		w := byKind[key.kind]
		w.objects++
		w.modified += st.modified
		w.maxPerObj = max(w.maxPerObj, st.modified)
		if st.modified > 0 {
			w.changed++
		}
		st.modified = 0
	}
	out := make([]writeCount, 0, len(trackedKinds))
	for _, k := range trackedKinds {
		if byKind[k].objects > 0 {
			out = append(out, *byKind[k])
		}
	}
	events := t.events
	t.events = map[string]int{}
	return out, events
}

// restarts returns how many watches restarted from the current state.
func (t *tracker) restarts() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.gaps
}

// status returns, per kind, how many objects are done, and the details of
// the objects that are not.
func (t *tracker) status() (map[string]int, []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var notDone []string
	for key, st := range t.objects {
		if !st.done {
			notDone = append(notDone, fmt.Sprintf("%s %s: %s", key.kind, key.name, st.detail))
		}
	}
	sort.Strings(notDone)
	done := map[string]int{}
	for k, n := range t.doneCount {
		done[k] = n
	}
	return done, notDone
}

// readyFor reports whether s has Ready True for generation gen.
func readyFor(gen int64, s v1alpha1.CommonStatus) bool {
	c := meta.FindStatusCondition(s.Conditions, v1alpha1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && s.ObservedGeneration == gen
}

// readyDetail is the Ready condition in a few words.
func readyDetail(s v1alpha1.CommonStatus) string {
	c := meta.FindStatusCondition(s.Conditions, v1alpha1.ConditionReady)
	if c == nil {
		return "no Ready condition"
	}
	return fmt.Sprintf("Ready=%s %s: %s", c.Status, c.Reason, c.Message)
}

// learnerDone reports whether l is Ready for its generation.
func learnerDone(l *v1alpha1.Learner) bool {
	return readyFor(l.Generation, l.Status.CommonStatus)
}

// groupDone reports whether g is Ready for its generation with all members
// in the LMS and none pending.
func groupDone(g *v1alpha1.LearnerGroup, members int) bool {
	return readyFor(g.Generation, g.Status.CommonStatus) && int(g.Status.MemberCount) == members && g.Status.PendingMembers == 0
}

// enrollmentDone reports whether e is Ready for its generation with every
// one of its subjects assigned.
func enrollmentDone(e *v1alpha1.Enrollment, subjects int) bool {
	sum := e.Status.Summary
	return readyFor(e.Generation, e.Status.CommonStatus) && int(sum.Subjects) == subjects && int(sum.Assigned) == subjects
}
