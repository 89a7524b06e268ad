package enabley

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/lmstest"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
)

func TestGroupsLifecycle(t *testing.T) {
	e := newEnv(t, testSeed())
	groups := e.client.Groups()
	sales := lms.Group{ID: "sales", Name: "Sales", Type: "Department", ParentID: "acme", Active: true}
	created, err := groups.Create(ctx(t), sales)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(&sales, created); d != "" {
		t.Errorf("created (-want +got):\n%s", d)
	}
	sales.Name = "Sales EMEA"
	if _, err := groups.Update(ctx(t), sales); err != nil {
		t.Fatal(err)
	}
	got, err := groups.Get(ctx(t), "sales")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(&sales, got); d != "" {
		t.Errorf("read back (-want +got):\n%s", d)
	}
	list, err := groups.List(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	wantList := []lms.Group{{ID: "acme", Name: "Acme", Type: "Company", Active: true}, sales}
	if d := cmp.Diff(wantList, list); d != "" {
		t.Errorf("list (-want +got):\n%s", d)
	}
	for range 2 {
		if err := groups.Delete(ctx(t), "sales"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	_, err = groups.Get(ctx(t), "sales")
	lmstest.RequireKind(t, "Get after Delete", err, lms.KindNotFound)
}

func TestGroupsRefusals(t *testing.T) {
	cases := map[string]struct {
		group    lms.Group
		wantKind lms.ErrorKind
		wantMsg  string
	}{
		"type not in hierarchy": {lms.Group{ID: "x", Name: "X", Type: "Squad"}, lms.KindInvalidRequest, "hierarchy"},
		"missing parent":        {lms.Group{ID: "x", Name: "X", Type: "Department", ParentID: "nope"}, lms.KindInvalidRequest, "nope"},
		"no identifier":         {lms.Group{Name: "X", Type: "Company"}, lms.KindInvalidRequest, "identifier"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, testSeed())
			_, err := e.client.Groups().Create(ctx(t), tc.group)
			lmstest.RequireKind(t, "Create", err, tc.wantKind)
			if !strings.Contains(lms.Message(err), tc.wantMsg) {
				t.Errorf("message %q does not mention %q", lms.Message(err), tc.wantMsg)
			}
		})
	}
}

func TestGroupMembersLeaveOtherGroupsAlone(t *testing.T) {
	seed := testSeed()
	seed.Groups = append(seed.Groups, enableysim.Group{Identifier: "ops", Name: "Ops", Type: "Department", ParentIdentifier: "acme"})
	e := newEnv(t, seed)
	groups := e.client.Groups()
	if err := groups.AddMember(ctx(t), "ops", seededUser(1)); err != nil {
		t.Fatal(err)
	}
	gc := groups.(*groupClient)
	got, err := gc.UserGroups(ctx(t), "u1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"acme", "ops"}, got); d != "" {
		t.Errorf("u1's groups after AddMember: the user must keep acme (-want +got):\n%s", d)
	}
	for range 2 {
		if err := groups.RemoveMember(ctx(t), "ops", seededUser(1)); err != nil {
			t.Fatalf("RemoveMember: %v", err)
		}
	}
	if g, _ := e.sim.Group("ops"); len(g.Members) != 0 {
		t.Errorf("ops members after RemoveMember: %v", g.Members)
	}
	err = groups.AddMember(ctx(t), "nope", seededUser(1))
	lmstest.RequireKind(t, "AddMember to a missing group", err, lms.KindNotFound)
	_, err = groups.Members(ctx(t), "ops")
	lmstest.RequireKind(t, "Members", err, lms.KindUnsupported)
	h, err := gc.Hierarchy(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"Company", "Department"}, h); d != "" {
		t.Errorf("hierarchy (-want +got):\n%s", d)
	}
}

func TestAddMemberNeverSendsReplace(t *testing.T) {
	e := newEnv(t, testSeed())
	var replace []string
	e.rec.before = func(r *http.Request) {
		if e.sim.Endpoint(r) == opAddGroupUser {
			replace = append(replace, r.URL.Query().Get("replace"))
		}
	}
	if err := e.client.Groups().AddMember(ctx(t), "acme", seededUser(2)); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"false"}, replace); d != "" {
		t.Errorf("replace parameter (-want +got):\n%s", d)
	}
}
