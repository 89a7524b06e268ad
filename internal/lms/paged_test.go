package lms

import (
	"context"
	"errors"
	"testing"
)

// pagesOf lists pages, keyed by cursor, and counts the calls.
func pagesOf(pages map[string]UserPage, calls *int) PageFunc {
	return func(_ context.Context, cursor string) (UserPage, error) {
		*calls++
		p, ok := pages[cursor]
		if !ok {
			return UserPage{}, errors.New("no such page")
		}
		return p, nil
	}
}

func TestListPagesReadsEveryPageOnceAndStopsALoop(t *testing.T) {
	u := func(id string) User { return User{ID: id} }
	cases := map[string]struct {
		pages map[string]UserPage
		users int
		kind  ErrorKind
	}{
		"to the end, a shifted user once": {map[string]UserPage{"": {Users: []User{u("1"), u("2")}, Next: "b"},
			"b": {Users: []User{u("2"), u("3")}, Skipped: []SkippedRecord{{ID: "4"}}}}, 3, ""},
		"a repeated cursor": {map[string]UserPage{"": {Users: []User{u("1")}, Next: "b"},
			"b": {Users: []User{u("2")}, Next: "" + "b"}}, 0, KindTransient},
		"a page of users seen": {map[string]UserPage{"": {Users: []User{u("1")}, Next: "b"},
			"b": {Users: []User{u("1")}, Next: "c"}}, 0, KindTransient},
		"too many pages": {map[string]UserPage{"": {Users: []User{u("1")}, Next: "b"},
			"b": {Users: []User{u("2")}, Next: "c"}, "c": {Users: []User{u("3")}, Next: "d"}}, 0, KindTransient},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			calls := 0
			users, err := ListPages(context.Background(), pagesOf(tc.pages, &calls), "test", 3)
			if KindOf(err) != tc.kind || (tc.kind == "" && err != nil) || len(users) != tc.users {
				t.Errorf("ListPages = %d users, %v; want %d users, kind %q", len(users), err, tc.users, tc.kind)
			}
			if calls > 3 {
				t.Errorf("%d calls, want at most 3", calls)
			}
		})
	}
}
