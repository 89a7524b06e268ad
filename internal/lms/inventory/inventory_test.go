package inventory

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

var t0 = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

func lister(calls *atomic.Int32, users *[]lms.User) Lister {
	return func(context.Context) ([]lms.User, error) {
		calls.Add(1)
		return append([]lms.User(nil), *users...), nil
	}
}

func TestConcurrentLoadsShareOneList(t *testing.T) {
	inv := New(clocktesting.NewFakePassiveClock(t0))
	var calls atomic.Int32
	users := []lms.User{{ID: "1", Email: "a@example.com"}}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if err := inv.EnsureLoaded(context.Background(), lister(&calls, &users)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("50 concurrent loads made %d list calls, want 1", calls.Load())
	}
}

func TestRefreshAtMostOncePerInterval(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	inv := New(clk)
	var calls atomic.Int32
	users := []lms.User{{ID: "1", Email: "a@example.com"}}
	ctx := context.Background()
	for i := range 10 {
		clk.SetTime(t0.Add(time.Duration(i) * time.Minute))
		if _, err := inv.Refresh(ctx, lister(&calls, &users), 10*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("10 refreshes within one 10m interval made %d list calls, want 1", calls.Load())
	}
	clk.SetTime(t0.Add(10 * time.Minute))
	_, _ = inv.Refresh(ctx, lister(&calls, &users), 10*time.Minute)
	if calls.Load() != 2 {
		t.Errorf("a refresh after the interval made %d calls in all, want 2", calls.Load())
	}
}

func TestRefreshReportsChangedUsers(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	inv := New(clk)
	var calls atomic.Int32
	users := []lms.User{
		{ID: "1", Email: "a@example.com", FirstName: "Ann"},
		{ID: "2", Email: "b@example.com", FirstName: "Bob"},
	}
	ctx := context.Background()
	if err := inv.EnsureLoaded(ctx, lister(&calls, &users)); err != nil {
		t.Fatal(err)
	}
	users = []lms.User{
		{ID: "1", Email: "a@example.com", FirstName: "Anna"},
		{ID: "3", Email: "c@example.com", FirstName: "Cy"},
	}
	clk.SetTime(t0.Add(time.Hour))
	changes, err := inv.Refresh(ctx, lister(&calls, &users), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range changes {
		switch {
		case c.Before == nil:
			got[c.After.ID] = "added"
		case c.After == nil:
			got[c.Before.ID] = "removed"
		default:
			got[c.After.ID] = "changed"
		}
	}
	want := map[string]string{"1": "changed", "2": "removed", "3": "added"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

func TestFindByIDExternalIDOrEmail(t *testing.T) {
	inv := New(clocktesting.NewFakePassiveClock(t0))
	var calls atomic.Int32
	users := []lms.User{{ID: "7", ExternalID: "ann", Email: "Ann@Example.com"}}
	if err := inv.EnsureLoaded(context.Background(), lister(&calls, &users)); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct{ id, xid, email string }{
		"by id":                  {id: "7"},
		"by external id":         {xid: "ann"},
		"by email, any case":     {email: "ann@EXAMPLE.com"},
		"unknown id, then email": {id: "99", email: "ann@example.com"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			u, ok := inv.Find(tc.id, tc.xid, tc.email)
			if !ok || u.ID != "7" {
				t.Errorf("Find(%q, %q, %q) = %+v, %v; want user 7", tc.id, tc.xid, tc.email, u, ok)
			}
		})
	}
	if _, ok := inv.Find("", "", "nobody@example.com"); ok {
		t.Error("Find found a user that does not exist")
	}
	inv.Put(lms.User{ID: "7", ExternalID: "ann", Email: "ann2@example.com"})
	if _, ok := inv.Find("", "", "ann@example.com"); ok {
		t.Error("after Put with a new email, the old email still finds the user")
	}
	inv.Remove("7")
	if _, ok := inv.Find("7", "", ""); ok {
		t.Error("Remove left the user")
	}
}

func TestWritesDuringAListSurviveItsOlderAnswer(t *testing.T) {
	inv := New(clocktesting.NewFakePassiveClock(t0))
	old := []lms.User{{ID: "1", Email: "gone@example.com"}}
	list := func(context.Context) ([]lms.User, error) {
		// While the list runs, a user is created and another deleted.
		inv.Put(lms.User{ID: "2", Email: "new@example.com"})
		inv.Remove("1")
		return old, nil
	}
	if err := inv.EnsureLoaded(context.Background(), Lister(list)); err != nil {
		t.Fatal(err)
	}
	if _, ok := inv.Find("2", "", ""); !ok {
		t.Error("a user created while the list ran is missing from the snapshot")
	}
	if _, ok := inv.Find("1", "", ""); ok {
		t.Error("a user removed while the list ran is back in the snapshot")
	}
}
