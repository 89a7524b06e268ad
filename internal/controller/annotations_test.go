package controller

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
)

// quiet is how long a test watches for calls that must not be sent.
const quiet = 3 * time.Second

func TestAnnotationParsing(t *testing.T) {
	type args struct {
		annotations map[string]string
		handled     string
	}
	type want struct {
		Paused  bool
		Request string
		Pending bool
	}
	cases := map[string]row[args, want]{
		"NoAnnotations":      {reason: "an object without annotations is neither paused nor asks for a re-read", want: want{}},
		"PausedTrue":         {reason: `"true" pauses`, args: args{annotations: map[string]string{v1alpha1.AnnotationPaused: "true"}}, want: want{Paused: true}},
		"PausedAnyCase":      {reason: `" True " pauses: case and spaces are ignored`, args: args{annotations: map[string]string{v1alpha1.AnnotationPaused: " True "}}, want: want{Paused: true}},
		"PausedFalse":        {reason: `"false" does not pause`, args: args{annotations: map[string]string{v1alpha1.AnnotationPaused: "false"}}, want: want{}},
		"PausedOtherValue":   {reason: `"yes" is not "true": not paused`, args: args{annotations: map[string]string{v1alpha1.AnnotationPaused: "yes"}}, want: want{}},
		"RequestNew":         {reason: "a value not handled asks for a re-read", args: args{annotations: map[string]string{v1alpha1.AnnotationReconcileRequestedAt: "2026-12-02T20:00:00Z"}, handled: "1"}, want: want{Request: "2026-12-02T20:00:00Z", Pending: true}},
		"RequestHandled":     {reason: "the value already handled asks nothing more", args: args{annotations: map[string]string{v1alpha1.AnnotationReconcileRequestedAt: "1"}, handled: "1"}, want: want{}},
		"RequestBlank":       {reason: "a blank value asks nothing", args: args{annotations: map[string]string{v1alpha1.AnnotationReconcileRequestedAt: "  "}}, want: want{}},
		"RequestFirstHandle": {reason: "the first value, nothing handled before, asks for a re-read", args: args{annotations: map[string]string{v1alpha1.AnnotationReconcileRequestedAt: "now"}}, want: want{Request: "now", Pending: true}},
	}
	checkTable(t, "paused/resyncRequested", cases, func(a args) want {
		obj := &v1alpha1.Learner{ObjectMeta: metav1.ObjectMeta{Annotations: a.annotations}}
		v, ok := resyncRequested(obj, a.handled)
		return want{Paused: paused(obj), Request: v, Pending: ok}
	})
}

// setAnnotation sets (value non-nil) or removes the annotation key on obj.
func setAnnotation(t *testing.T, obj client.Object, key string, value *string) {
	t.Helper()
	update(t, obj, func() {
		a := obj.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		if value == nil {
			delete(a, key)
		} else {
			a[key] = *value
		}
		obj.SetAnnotations(a)
	})
}

// waitPaused waits until obj is Ready False Paused, with neither Reconciling
// nor Stalled, and a message holding every one of want.
func waitPaused(t *testing.T, obj client.Object, want ...string) {
	t.Helper()
	waitCondition(t, obj, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonPaused)
	conds := conditionsOf(obj)
	for _, typ := range []string{v1alpha1.ConditionReconciling, v1alpha1.ConditionStalled} {
		if c := findCondition(conds, typ); c != nil {
			t.Errorf("%s %s is paused but has %s %s (%s), want it absent", kindOf(obj), obj.GetName(), typ, c.Status, c.Reason)
		}
	}
	msg := findCondition(conds, v1alpha1.ConditionReady).Message
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("Paused message %q does not name %q", msg, w)
		}
	}
}

// noCallsFor checks that the simulator receives no call for quiet.
func noCallsFor(t *testing.T, v *vendorSetup, what string) {
	t.Helper()
	before := v.sim.Calls(v.vendor)
	time.Sleep(quiet)
	if after := v.sim.Calls(v.vendor); sumOf(after) != sumOf(before) {
		t.Errorf("%s: calls went from %v to %v, want none", what, before, after)
	}
}

// sumOf adds the counts of calls.
func sumOf(calls map[string]int) int {
	n := 0
	for _, c := range calls {
		n += c
	}
	return n
}

func TestPausedLearnerSendsNothingUntilResumed(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{})
	waitReady(t, v.conn)
	l := v.readyLearner(t, "jane", "jane@example.com")

	setAnnotation(t, l, v1alpha1.AnnotationPaused, ptr.To("true"))
	waitPaused(t, l, "this Learner is paused", "remove the annotation")
	total := v.sim.Total(lmssim.ELeaP)
	update(t, l, func() { l.Spec.LastName = "Paused" })
	waitPaused(t, l)
	noCallsFor(t, v, "a paused Learner whose spec changed")
	if u, _ := v.sim.ELeaP.UserByEmail("jane@example.com"); u.LastName == "Paused" {
		t.Errorf("the paused Learner's change reached the LMS (calls %d -> %d)", total, v.sim.Total(lmssim.ELeaP))
	}

	setAnnotation(t, l, v1alpha1.AnnotationPaused, nil)
	waitReady(t, l)
	if u, _ := v.sim.ELeaP.UserByEmail("jane@example.com"); u.LastName != "Paused" {
		t.Errorf("after the pause was removed the user's last name is %q, want the spec's Paused", u.LastName)
	}
}

func TestPausedLearnerDeletedKeepsTheLMSUser(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{})
	waitReady(t, v.conn)
	l := v.readyLearner(t, "jane", "jane@example.com")
	setAnnotation(t, l, v1alpha1.AnnotationPaused, ptr.To("true"))
	waitPaused(t, l)
	total := v.sim.Total(lmssim.ELeaP)

	remove(t, l)
	waitGone(t, l)
	if u, ok := v.sim.ELeaP.UserByEmail("jane@example.com"); !ok || !u.Active {
		t.Errorf("a paused Learner deleted with policy Deactivate: user present=%v active=%v, want it kept active", ok, u.Active)
	}
	if n := v.sim.Total(lmssim.ELeaP); n != total {
		t.Errorf("deleting a paused Learner sent %d calls, want none: %v", n-total, v.sim.Calls(lmssim.ELeaP))
	}
}

func TestPausedConnectionSilencesItsLearners(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{})
	waitReady(t, v.conn)
	l := v.readyLearner(t, "jane", "jane@example.com")

	setAnnotation(t, v.conn, v1alpha1.AnnotationPaused, ptr.To("true"))
	waitPaused(t, v.conn, "this LMSConnection is paused")
	waitPaused(t, l, "LMSConnection "+ns+"/"+v.conn.Name+" is paused", "from the connection")
	update(t, l, func() { l.Spec.FirstName = "Changed" })
	waitPaused(t, l, v.conn.Name)
	noCallsFor(t, v, "a Learner of a paused connection whose spec changed")

	setAnnotation(t, v.conn, v1alpha1.AnnotationPaused, nil)
	waitReady(t, v.conn)
	waitReady(t, l)
	if u, _ := v.sim.ELeaP.UserByEmail("jane@example.com"); u.FirstName != "Changed" {
		t.Errorf("after the connection's pause was removed the first name is %q, want Changed", u.FirstName)
	}
}

func TestReconcileRequestedAtCorrectsDriftOnceAndRecordsTheValue(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{syncInterval: time.Hour})
	waitReady(t, v.conn)
	l := v.readyLearner(t, "jane", "jane@example.com")
	if _, err := v.sim.ELeaP.PatchUser("jane@example.com", eleapsim.UserPatch{FirstName: ptr.To("Hacked")}); err != nil {
		t.Fatal(err)
	}

	setAnnotation(t, l, v1alpha1.AnnotationReconcileRequestedAt, ptr.To("first"))
	waitFor(t, "the drift corrected and the request recorded", eventually, func() (bool, string) {
		get(t, l)
		u, _ := v.sim.ELeaP.UserByEmail("jane@example.com")
		return u.FirstName == "First jane" && l.Status.LastHandledReconcileAt == "first",
			"first name " + u.FirstName + ", lastHandledReconcileAt " + l.Status.LastHandledReconcileAt
	})

	// Drift again; a reconcile (the paused annotation set to "false" passes
	// the watch) with the value already handled reads nothing and writes nothing.
	if _, err := v.sim.ELeaP.PatchUser("jane@example.com", eleapsim.UserPatch{FirstName: ptr.To("Hacked again")}); err != nil {
		t.Fatal(err)
	}
	setAnnotation(t, l, v1alpha1.AnnotationPaused, ptr.To("false"))
	noCallsFor(t, v, "a reconcile with the reconcile-requested-at value already handled")
	if u, _ := v.sim.ELeaP.UserByEmail("jane@example.com"); u.FirstName != "Hacked again" {
		t.Errorf("the handled value re-read the LMS: first name %q, want Hacked again left until the next interval", u.FirstName)
	}
}

func TestReconcileRequestedAtOnAConnectionListsTheInventoryNow(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{syncInterval: time.Hour})
	waitReady(t, v.conn)
	before := v.sim.Calls(lmssim.ELeaP)

	setAnnotation(t, v.conn, v1alpha1.AnnotationReconcileRequestedAt, ptr.To("list-now"))
	waitFor(t, "the connection's request recorded", eventually, func() (bool, string) {
		get(t, v.conn)
		return v.conn.Status.LastHandledReconcileAt == "list-now", "lastHandledReconcileAt " + v.conn.Status.LastHandledReconcileAt
	})
	after := v.sim.Calls(lmssim.ELeaP)
	if sumOf(after) <= sumOf(before) {
		t.Errorf("reconcile-requested-at on the connection sent no list: calls %v -> %v", before, after)
	}
}

func TestPausedLearnerGroupSendsNothingUntilResumed(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{})
	waitReady(t, v.conn)
	g := &v1alpha1.LearnerGroup{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "team"},
		Spec: v1alpha1.LearnerGroupSpec{ConnectionRef: v1alpha1.ConnectionReference{Name: v.conn.Name}, DisplayName: "Team"}}
	create(t, g)
	waitReady(t, g)

	setAnnotation(t, g, v1alpha1.AnnotationPaused, ptr.To("true"))
	waitPaused(t, g, "this LearnerGroup is paused")
	update(t, g, func() { g.Spec.Description = "while paused" })
	waitPaused(t, g)
	noCallsFor(t, v, "a paused LearnerGroup whose spec changed")

	setAnnotation(t, g, v1alpha1.AnnotationPaused, nil)
	waitReady(t, g)
	if got := eleapGroupDescription(v, "Team"); got != "while paused" {
		t.Errorf("after the pause was removed the group's description is %q, want the spec's", got)
	}
}

// eleapGroupDescription returns the description of the eLeaP group named name.
func eleapGroupDescription(v *vendorSetup, name string) string {
	for _, g := range v.sim.ELeaP.State().UserGroups {
		if g.Name == name {
			return g.Description
		}
	}
	return "<no group " + name + ">"
}
