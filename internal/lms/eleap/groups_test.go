package eleap

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
)

func TestGroupsReadAndWrite(t *testing.T) {
	sales := lms.Group{ID: "1", Name: "Sales", Description: "sellers", Active: true}
	e := newEnv(t, testSeed())
	groups := e.client.Groups()

	list, err := groups.List(e.ctx)
	if diff := cmp.Diff([]lms.Group{sales}, list); err != nil || diff != "" {
		t.Errorf("List = %v (-want +got):\n%s", err, diff)
	}
	got, err := groups.Get(e.ctx, "1")
	if diff := cmp.Diff(&sales, got); err != nil || diff != "" {
		t.Errorf("Get = %v (-want +got):\n%s", err, diff)
	}
	if _, err := groups.Get(e.ctx, "99"); !lms.IsNotFound(err) {
		t.Errorf("Get of an unknown group = %v, want NotFound", err)
	}
	created, err := groups.Create(e.ctx, lms.Group{Name: "Ops", Description: "d", Active: true})
	if diff := cmp.Diff(&lms.Group{ID: "2", Name: "Ops", Description: "d", Active: true}, created); err != nil || diff != "" {
		t.Errorf("Create = %v (-want +got):\n%s", err, diff)
	}
	if _, err := groups.Update(e.ctx, lms.Group{ID: "2", Name: "Ops team", Active: false}); err != nil {
		t.Errorf("Update: %v", err)
	}
	for _, id := range []string{"1", "1"} {
		if err := groups.Delete(e.ctx, id); err != nil {
			t.Errorf("Delete %s (twice is fine) = %v", id, err)
		}
	}
	want := []eleapsim.UserGroup{{ID: "2", Name: "Ops team", Created: testNow}}
	if diff := cmp.Diff(want, e.sim.State().UserGroups); diff != "" {
		t.Errorf("groups in eLeaP (-want +got):\n%s", diff)
	}
	wantOps := []string{"usergroups/", "usergroups/find", "usergroups/find", "usergroups/add", "usergroups/edit", "usergroups/remove", "usergroups/remove"}
	if diff := cmp.Diff(wantOps, e.rec.ops()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestGroupsListEmpty(t *testing.T) {
	e := newEnv(t, eleapsim.Seed{APITokens: []string{testToken}})
	if got, err := e.client.Groups().List(e.ctx); err != nil || len(got) != 0 {
		t.Errorf("List of a company without groups = %v, %v; want none, no error", got, err)
	}
}

func TestGroupsCreateWithoutIDInAnswerFindsTheGroup(t *testing.T) {
	e := newEnv(t, testSeed())
	e.sim.FailNext(eleapsim.Failure{Endpoint: "usergroups/add", Body: `{"response":{"status":"success","code":"200","message":"OK"}}`})
	g, err := e.client.Groups().Create(e.ctx, lms.Group{Name: "Sales"})
	if err != nil || g.ID != "1" {
		t.Errorf("Create = %+v, %v; want the id of the group listed under that name", g, err)
	}
}

func TestGroupMembers(t *testing.T) {
	e := newEnv(t, testSeed())
	groups := e.client.Groups()
	steps := []struct {
		name     string
		do       func() error
		wantKind lms.ErrorKind
	}{
		{"add Jane", func() error { return groups.AddMember(e.ctx, "1", jane) }, ""},
		{"add Jane again", func() error { return groups.AddMember(e.ctx, "1", jane) }, ""},
		{"remove John", func() error { return groups.RemoveMember(e.ctx, "1", john) }, ""},
		{"remove John again", func() error { return groups.RemoveMember(e.ctx, "1", john) }, ""},
		{"add a user without id", func() error { return groups.AddMember(e.ctx, "1", lms.User{Email: "x@example.com"}) }, lms.KindInvalidRequest},
		{"add to an unknown group", func() error { return groups.AddMember(e.ctx, "9", jane) }, lms.KindNotFound},
	}
	for _, s := range steps {
		if err := s.do(); lms.KindOf(err) != s.wantKind {
			t.Errorf("%s = %v, want kind %q", s.name, err, s.wantKind)
		}
	}
	got, err := groups.Members(e.ctx, "1")
	if diff := cmp.Diff([]string{"1"}, got); err != nil || diff != "" {
		t.Errorf("Members = %v (-want +got):\n%s", err, diff)
	}
	if err := groups.RemoveMember(e.ctx, "1", jane); err != nil {
		t.Fatalf("remove Jane = %v", err)
	}
	if got, err := groups.Members(e.ctx, "1"); err != nil || len(got) != 0 {
		t.Errorf("Members of an empty group (eLeaP 4041) = %v, %v; want none", got, err)
	}
}
