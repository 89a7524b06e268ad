package enabley

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/inventory"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
)

// usersStep is what one due refresh of the inventory did over the v3 user
// list: the pages it asked for and the changes it reported.
type usersStep struct {
	Pages, Changes int
}

func TestTheUserInventorySpreadsItsPagesWhetherOrNotKeysOutliveTheInterval(t *testing.T) {
	const interval = 10 * time.Minute
	cases := map[string]struct {
		reason    string
		cursorTTL time.Duration
		steps     int
		want      []usersStep
	}{
		"KeysOutliveTheInterval": {
			reason:    "3 pages at 1 an interval: the change made by hand is reported by the third slice",
			cursorTTL: time.Hour, steps: 3,
			want: []usersStep{{Pages: 1}, {Pages: 1}, {Pages: 1, Changes: 1}},
		},
		"KeysExpireWithinTheInterval": {
			reason:    "the kept key is refused (one call): the read starts over, whole, and completes",
			cursorTTL: time.Minute, steps: 2,
			want: []usersStep{{Pages: 1}, {Pages: 1 + 3, Changes: 1}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			seed := testSeed() // 5 users, 2 a page: 3 pages
			seed.CursorTTL = enableysim.Duration(tc.cursorTTL)
			e := newEnv(t, seed)
			inv := inventory.New(e.clock)
			c := lms.WithPageLimit(ctx(t), 1)
			if _, err := inv.Refresh(c, e.client.Users(), interval); err != nil || e.calls(opListUsersV3) != 3 {
				t.Fatalf("first read: %v after %d pages, want every page: the first read is whole", err, e.calls(opListUsersV3))
			}
			if err := e.sim.PatchUser("u5", enableysim.UserPatch{LastName: ptrTo("Changed")}); err != nil {
				t.Fatal(err)
			}
			var got []usersStep
			for range tc.steps {
				e.clock.Step(interval)
				before := e.calls(opListUsersV3)
				changes, err := inv.Refresh(c, e.client.Users(), interval)
				if err != nil {
					t.Fatalf("Refresh: %v", err)
				}
				got = append(got, usersStep{Pages: e.calls(opListUsersV3) - before, Changes: len(changes)})
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, d)
			}
			if u, _ := inv.Find("u5", "", ""); u.LastName != "Changed" {
				t.Errorf("u5's lastName in the inventory = %q, want the one changed by hand", u.LastName)
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }
