package gitops

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

const (
	// gitopsDoc is the page whose argocd-cm example is tested.
	gitopsDoc = "../../docs/gitops.md"
	// healthKeyPrefix starts the argocd-cm key of a kind's health check.
	healthKeyPrefix = "resource.customizations.health.training.lmsoperator.dev_"
	// reasonPaused and reasonDeletionHeld are Ready reasons of this round:
	// an object paused by its annotation, and an operation held by the
	// connection's deletion guard until approved.
	reasonPaused       = "Paused"
	reasonDeletionHeld = "DeletionHeld"
)

// kinds are the operator's kinds; each has its own argocd-cm key.
var kinds = []string{"LMSConnection", "ClusterLMSConnection", "Learner", "LearnerGroup", "Enrollment"}

// stalledReasons are every reason of a Stalled condition.
var stalledReasons = []string{v1alpha1.ReasonSecretNotFound, v1alpha1.ReasonSecretInvalid,
	v1alpha1.ReasonInvalidCredentials, v1alpha1.ReasonForbidden, v1alpha1.ReasonUnsupported,
	v1alpha1.ReasonNamespaceNotAllowed, v1alpha1.ReasonInvalidRequest, v1alpha1.ReasonTargetNotFound,
	v1alpha1.ReasonInvalidSpec}

// A health is what an Argo CD health check returns.
type health struct {
	Status, Message string
}

// A healthCase is an object and the health Argo CD must show for it.
type healthCase struct {
	reason string
	obj    object
	want   string
	// message is a part the health's message must hold.
	message string
}

func TestArgoCDHealthCheckOfTheDocs(t *testing.T) {
	scripts := healthScripts(t)
	cases := healthCases()
	for _, kind := range kinds {
		for name, tc := range cases {
			t.Run(kind+"/"+name, func(t *testing.T) {
				got, err := runHealth(scripts[kind], tc.obj.unstructured(t, kind))
				if err != nil {
					t.Fatalf("the health check of docs/gitops.md failed under gopher-lua: %v", err)
				}
				if got.Status != tc.want || !strings.Contains(got.Message, tc.message) {
					t.Errorf("%s: health = %+v, want status %s with a message holding %q", tc.reason, got, tc.want, tc.message)
				}
			})
		}
	}
}

// healthCases are the objects in every state the operator reports.
func healthCases() map[string]healthCase {
	cases := map[string]healthCase{}
	for _, part := range []map[string]healthCase{progressCases(), deletionCases(), pauseAndHoldCases()} {
		maps.Copy(cases, part)
	}
	for _, r := range stalledReasons {
		cases["stalled, "+r] = healthCase{reason: "Stalled True is Degraded, whatever the reason",
			obj: object{conditions: []cond{ready("False", r), stalledCond(r)}}, want: "Degraded", message: r + ": "}
	}
	return cases
}

// progressCases are objects on their way to Ready, and Ready.
func progressCases() map[string]healthCase {
	return map[string]healthCase{
		"no status yet": {reason: "the operator has not seen the object yet",
			obj: object{noStatus: true}, want: "Progressing", message: "Waiting for lms-operator"},
		"no condition yet": {reason: "a status with no condition says nothing yet",
			obj: object{}, want: "Progressing", message: "Waiting for lms-operator"},
		"ready": {reason: "Ready True for the current generation is Healthy",
			obj: object{conditions: []cond{ready("True", v1alpha1.ReasonSynced)}}, want: "Healthy", message: "Synced: "},
		"reconciling, progressing": {reason: "work in progress is Progressing",
			obj:  object{conditions: []cond{ready("False", v1alpha1.ReasonProgressing), reconciling(v1alpha1.ReasonProgressing)}},
			want: "Progressing", message: "Progressing: "},
		"reconciling, waiting for the budget": {reason: "waiting for the request budget is Progressing, not Degraded",
			obj:  object{conditions: []cond{ready("False", v1alpha1.ReasonWaitingForRateBudget), reconciling(v1alpha1.ReasonWaitingForRateBudget)}},
			want: "Progressing", message: "WaitingForRateBudget: "},
		"old observedGeneration": {reason: "a spec the operator has not applied yet is Progressing, whatever Ready says",
			obj:  object{observed: 1, conditions: []cond{{typ: "Ready", status: "True", reason: v1alpha1.ReasonSynced, gen: 1}}},
			want: "Progressing", message: "generation 2"},
		"stalled, then the spec changed": {reason: "a Stalled condition of an older generation is no longer true: the new spec is Progressing",
			obj: object{observed: 1, conditions: []cond{{typ: "Ready", status: "False", reason: v1alpha1.ReasonUnsupported, gen: 1},
				{typ: "Stalled", status: "True", reason: v1alpha1.ReasonUnsupported, gen: 1}}},
			want: "Progressing", message: "generation 2"},
	}
}

// deletionCases are objects being deleted.
func deletionCases() map[string]healthCase {
	return map[string]healthCase{
		"being deleted, before the operator saw it": {reason: "an object being deleted is Progressing until its finalizer goes",
			obj: object{deleting: true, conditions: []cond{ready("True", v1alpha1.ReasonSynced)}}, want: "Progressing", message: "Deleting"},
		"being deleted": {reason: "the deletion policy at work is Progressing",
			obj:  object{deleting: true, conditions: []cond{ready("False", v1alpha1.ReasonDeleting), reconciling(v1alpha1.ReasonDeleting)}},
			want: "Progressing", message: "Deleting: "},
		"being deleted, stalled": {reason: "a deletion that cannot go on (refused credentials) is Degraded",
			obj: object{deleting: true, conditions: []cond{ready("False", v1alpha1.ReasonInvalidCredentials),
				stalledCond(v1alpha1.ReasonInvalidCredentials)}}, want: "Degraded", message: "InvalidCredentials: "},
	}
}

// pauseAndHoldCases are paused objects, objects whose operations the
// deletion guard holds, and objects not Ready with nothing going on.
func pauseAndHoldCases() map[string]healthCase {
	return map[string]healthCase{
		"paused": {reason: "an object paused by its annotation is Suspended",
			obj: object{conditions: []cond{ready("False", reasonPaused)}}, want: "Suspended", message: "Paused: "},
		"paused, reconciling": {reason: "a pause reported with Reconciling True is still Suspended",
			obj: object{conditions: []cond{ready("False", reasonPaused), reconciling(reasonPaused)}}, want: "Suspended", message: "Paused: "},
		"paused, spec changed": {reason: "a paused object applies no new spec: Suspended, not Progressing",
			obj:  object{observed: 1, conditions: []cond{{typ: "Ready", status: "False", reason: reasonPaused, gen: 1}}},
			want: "Suspended", message: "Paused: "},
		"deletion held": {reason: "operations held by the deletion guard wait for approval: Progressing",
			obj: object{conditions: []cond{ready("False", reasonDeletionHeld)}}, want: "Progressing", message: "DeletionHeld: "},
		"deletion held, reconciling": {reason: "held operations reported with Reconciling True are Progressing",
			obj:  object{conditions: []cond{ready("False", reasonDeletionHeld), reconciling(reasonDeletionHeld)}},
			want: "Progressing", message: "DeletionHeld: "},
		"being deleted, deletion held": {reason: "a deletion held by the guard is Progressing, with the guard's message",
			obj:  object{deleting: true, conditions: []cond{ready("False", reasonDeletionHeld), reconciling(reasonDeletionHeld)}},
			want: "Progressing", message: "DeletionHeld: "},
		"not ready, not reconciling": {reason: "Ready False with no work going on is Degraded",
			obj: object{conditions: []cond{ready("False", v1alpha1.ReasonDrifted)}}, want: "Degraded", message: "Drifted: "},
	}
}

func TestArgoCDHealthCheckIsTheSameForEveryKind(t *testing.T) {
	scripts := healthScripts(t)
	for _, kind := range kinds[1:] {
		if scripts[kind] != scripts[kinds[0]] {
			t.Errorf("the health check of %s differs from that of %s in docs/gitops.md", kind, kinds[0])
		}
	}
}

func TestLuaRunsWithArgoCDsLibrariesOnly(t *testing.T) {
	// The check is real: a script that calls the string library, which Argo
	// CD does not open, fails here as it would in Argo CD.
	_, err := runHealth(`return {status = string.upper("healthy")}`, map[string]any{})
	if err == nil {
		t.Fatal("a health check calling string.upper ran: the VM opens libraries Argo CD does not")
	}
	got, err := runHealth(`return {status = "Healthy", message = "n=" .. obj.n .. " " .. table.concat({"a", "b"}, ",")}`,
		map[string]any{"n": int64(3)})
	if err != nil || got != (health{"Healthy", "n=3 a,b"}) {
		t.Errorf("base and table libraries: health %+v, error %v; want Healthy, n=3 a,b", got, err)
	}
}

// healthScripts returns the health check of each kind from the argocd-cm
// ConfigMap of docs/gitops.md, YAML anchors resolved as kubectl would.
func healthScripts(t *testing.T) map[string]string {
	t.Helper()
	doc, err := os.ReadFile(gitopsDoc)
	if err != nil {
		t.Fatalf("read %s: %v", gitopsDoc, err)
	}
	var cm corev1.ConfigMap
	for _, block := range yamlBlocks(string(doc)) {
		if strings.Contains(block, "name: argocd-cm") {
			if err := yaml.Unmarshal([]byte(block), &cm); err != nil {
				t.Fatalf("decode the argocd-cm example of %s: %v", gitopsDoc, err)
			}
		}
	}
	scripts := map[string]string{}
	for _, kind := range kinds {
		s, ok := cm.Data[healthKeyPrefix+kind]
		if !ok || strings.TrimSpace(s) == "" {
			t.Fatalf("the argocd-cm example of %s has no health check under %s%s", gitopsDoc, healthKeyPrefix, kind)
		}
		scripts[kind] = s
	}
	return scripts
}

// yamlBlocks returns the fenced ```yaml blocks of a Markdown document.
func yamlBlocks(md string) []string {
	var blocks []string
	for _, m := range regexp.MustCompile("(?ms)^```yaml\n(.*?)^```").FindAllStringSubmatch(md, -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}

// runHealth runs a health check as Argo CD does: gopher-lua with only the
// package, base and table libraries open, obj as a global, one second at most.
func runHealth(script string, obj map[string]any) (health, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for name, open := range map[string]lua.LGFunction{
		lua.LoadLibName: lua.OpenPackage, lua.BaseLibName: lua.OpenBase, lua.TabLibName: lua.OpenTable,
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(open), Protect: true}, lua.LString(name)); err != nil {
			return health{}, fmt.Errorf("open Lua library %q: %w", name, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", luaValue(l, obj))
	if err := l.DoString(script); err != nil {
		return health{}, err
	}
	return healthOf(l.Get(-1))
}

// healthOf reads the table a health check returned, as Argo CD does.
func healthOf(v lua.LValue) (health, error) {
	tbl, ok := v.(*lua.LTable)
	if !ok {
		return health{}, fmt.Errorf("the health check returned a %s, not a table", v.Type())
	}
	h := health{Status: lua.LVAsString(tbl.RawGetString("status")), Message: lua.LVAsString(tbl.RawGetString("message"))}
	switch h.Status {
	case "Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown":
		return h, nil
	}
	return health{}, fmt.Errorf("the health check returned status %q, which Argo CD shows as Unknown", h.Status)
}

// luaValue converts a value of an unstructured object into Lua, as Argo CD
// hands objects to health checks.
func luaValue(l *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case bool:
		return lua.LBool(v)
	case string:
		return lua.LString(v)
	case int64:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	case []any:
		tbl := l.CreateTable(len(v), 0)
		for _, item := range v {
			tbl.Append(luaValue(l, item))
		}
		return tbl
	case map[string]any:
		tbl := l.CreateTable(0, len(v))
		for k, item := range v {
			tbl.RawSetString(k, luaValue(l, item))
		}
		return tbl
	}
	return lua.LNil
}

// An object is a custom resource of generation 2 in some state.
type object struct {
	// observed is status.observedGeneration; 0 means 2, the generation.
	observed   int64
	noStatus   bool
	deleting   bool
	conditions []cond
}

// A cond is a condition; gen 0 means the object's generation.
type cond struct {
	typ, status, reason string
	gen                 int64
}

func ready(status, reason string) cond { return cond{typ: "Ready", status: status, reason: reason} }
func reconciling(reason string) cond   { return cond{typ: "Reconciling", status: "True", reason: reason} }
func stalledCond(reason string) cond   { return cond{typ: "Stalled", status: "True", reason: reason} }

// unstructured returns the object as the API server serves it, decoded as
// Argo CD decodes it (integers as int64).
func (o object) unstructured(t *testing.T, kind string) map[string]any {
	t.Helper()
	const generation = 2
	meta := map[string]any{"name": "sample", "namespace": "training", "generation": generation}
	if o.deleting {
		meta["deletionTimestamp"] = "2026-03-01T10:00:00Z"
		meta["finalizers"] = []string{"training.lmsoperator.dev/finalizer"}
	}
	obj := map[string]any{"apiVersion": "training.lmsoperator.dev/v1alpha1", "kind": kind, "metadata": meta}
	if !o.noStatus {
		obj["status"] = o.status(generation)
	}
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	var u unstructured.Unstructured
	if err := u.UnmarshalJSON(data); err != nil {
		t.Fatalf("decode the %s: %v", kind, err)
	}
	return u.Object
}

// status returns the object's status for generation.
func (o object) status(generation int64) map[string]any {
	observed := o.observed
	if observed == 0 {
		observed = generation
	}
	conds := []map[string]any{}
	for _, c := range o.conditions {
		gen := c.gen
		if gen == 0 {
			gen = generation
		}
		conds = append(conds, map[string]any{"type": c.typ, "status": c.status, "reason": c.reason,
			"message": "what the operator says", "observedGeneration": gen, "lastTransitionTime": "2026-03-01T09:00:00Z"})
	}
	s := map[string]any{"observedGeneration": observed}
	if len(conds) > 0 {
		s["conditions"] = conds
	}
	return s
}
