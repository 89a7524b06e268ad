package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPages(t *testing.T) {
	type args struct{ n, size int }
	cases := map[string]struct {
		reason string
		args   args
		want   int
	}{
		"Empty":       {reason: "an empty list is still one call", args: args{0, 100}, want: 1},
		"OnePage":     {reason: "a list that fits one page is one call", args: args{100, 100}, want: 1},
		"OneMore":     {reason: "one item over a page takes a second page", args: args{101, 100}, want: 2},
		"Unpaginated": {reason: "a size of 0 means one answer holds everything", args: args{10002, 0}, want: 1},
		"TenThousand": {reason: "10,002 Exceed users take 11 pages of 1,000", args: args{10002, 1000}, want: 11},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, pages(tc.args.n, tc.args.size)); diff != "" {
				t.Errorf("%s\npages(%d, %d): -want, +got:\n%s", tc.reason, tc.args.n, tc.args.size, diff)
			}
		})
	}
}

func TestFloorDuration(t *testing.T) {
	type args struct{ calls, rph, burst int }
	cases := map[string]struct {
		reason string
		args   args
		want   time.Duration
	}{
		"WithinBurst": {reason: "calls the burst covers take no wait", args: args{10, 2500, 10}, want: 0},
		"OneOver":     {reason: "one call past the burst waits one refill: 1.44s at 2,500/h", args: args{11, 2500, 10}, want: 1440 * time.Millisecond},
		"TenMinutes":  {reason: "427 calls past a burst of 10 take 600.48s at 2,500/h", args: args{427, 2500, 10}, want: 600480 * time.Millisecond},
		"NoRate":      {reason: "a rate of 0 has no floor to compare with", args: args{100, 0, 10}, want: 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := floorDuration(tc.args.calls, tc.args.rph, tc.args.burst)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nfloorDuration(%v): -want, +got:\n%s", tc.reason, tc.args, diff)
			}
		})
	}
}

func TestFloorOf(t *testing.T) {
	type want struct {
		total, learnerCalls int
		firstSync           map[string]int
	}
	course := target{kind: targetCourse, id: eleapCourseID}
	cases := map[string]struct {
		reason string
		s      scenario
		want   want
	}{
		"ELeaPBudget": {
			reason: "eLeaP: N adds, members and assignments, two users/ lists (ids), the group list and add, two rosters, the completions",
			s:      scenario{vendor: "eleap", learners: 140, group: true, targets: []target{course}},
			want: want{total: 3*140 + 7, learnerCalls: 142, firstSync: map[string]int{
				"users/add": 140, "users/": 2, "usergroups/": 1, "usergroups/add": 1, "usergroups/assign_user": 140,
				"usergroups/assigned_users": 1, "courses/assign_user": 140, "courses/assigned_users": 1, "users/recent_completions": 1}},
		},
		"EnableyChannel": {
			reason: "Enabley: the token, N puts, user pages of 100 (1 seed user), the group list and put, N members, N channel users, performance pages",
			s:      scenario{vendor: "enabley", learners: 1000, group: true, targets: []target{{kind: targetChannel, id: enableyChannelID}}},
			want: want{total: 1 + 1000 + 11 + 1 + 1 + 1000 + 1000 + 10, learnerCalls: 1 + 1000 + 11, firstSync: map[string]int{
				"POST /api/v1/token": 1, "PUT /api/v2/users": 1000, "GET /api/v3/users": 11, "GET /api/v1/groups/list": 1,
				"PUT /api/v1/groups": 1, "POST /api/v1/groups/{group}/users/{user}": 1000,
				"POST /api/v2/channels/{channel}/users/{user}": 1000, "GET /api/v2/performance": 10}},
		},
		"ExceedUsers": {
			reason: "Exceed: N creates and the user pages of 1,000 (2 seed users)",
			s:      scenario{vendor: "exceed", learners: 10000},
			want: want{total: 10011, learnerCalls: 10011, firstSync: map[string]int{
				"POST /api/v2/users": 10000, "GET /api/v2/users": 11}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := floorOf(tc.s)
			_, lc := learnerFloor(f, tc.s.vendor)
			got := want{total: f.total(), learnerCalls: lc, firstSync: floorByEndpoint(f, true)}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nfloorOf: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSplitProgress(t *testing.T) {
	type want struct{ progress, other int }
	cases := map[string]struct {
		reason string
		calls  map[string]int
		want   want
	}{
		"ELeaP": {reason: "users/activity is progress; lists and rosters are not",
			calls: map[string]int{"users/activity": 30, "users/": 3, "courses/assigned_users": 3}, want: want{30, 6}},
		"None": {reason: "no calls split into nothing", calls: nil, want: want{0, 0}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p, o := splitProgress(tc.calls)
			if diff := cmp.Diff(tc.want, want{p, o}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nsplitProgress: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSteadyRoundUnderPagesPerSync(t *testing.T) {
	type want struct {
		round, total int
		steady       map[string]int
	}
	channel := []target{{kind: targetChannel, id: enableyChannelID}}
	cases := map[string]struct {
		reason string
		s      scenario
		want   want
	}{
		"EnableyUnset": {
			reason: "unset, the round reads every page: 11 user pages, 10 performance pages, the group list",
			s:      scenario{vendor: "enabley", learners: 1000, group: true, targets: channel},
			want: want{round: 22, total: 3024, steady: map[string]int{
				"GET /api/v3/users": 11, "GET /api/v2/performance": 10, "GET /api/v1/groups/list": 1}},
		},
		"EnableyFourPages": {
			reason: "at 4 pages an interval each paged read sends 4; the first sync (total) still reads whole",
			s:      scenario{vendor: "enabley", learners: 10000, group: true, targets: channel, pagesPerSync: 4},
			want: want{round: 9, total: 1 + 3*10000 + 101 + 1 + 1 + 100, steady: map[string]int{
				"GET /api/v3/users": 4, "GET /api/v2/performance": 4, "GET /api/v1/groups/list": 1}},
		},
		"EnableyUnsetAtItsDefaultBudget": {
			reason: "unset, 3,600 requests an hour and a 10m interval bound each paged read to 150 pages an interval",
			s:      scenario{vendor: "enabley", learners: 30000, group: true, targets: channel},
			want: want{round: 301, total: 1 + 3*30000 + 301 + 1 + 1 + 300, steady: map[string]int{
				"GET /api/v3/users": 150, "GET /api/v2/performance": 150, "GET /api/v1/groups/list": 1}},
		},
		"FewerPagesThanTheLimit": {
			reason: "a read shorter than the limit is read whole",
			s:      scenario{vendor: "exceed", learners: 1000, pagesPerSync: 4},
			want:   want{round: 2, total: 1002, steady: map[string]int{"GET /api/v2/users": 2}},
		},
		"ELeaPIsOneAnswer": {
			reason: "eLeaP lists its users in one answer: nothing to bound",
			s:      scenario{vendor: "eleap", learners: 1000, pagesPerSync: 1},
			want:   want{round: 1, total: 1002, steady: map[string]int{"users/": 1}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := floorOf(tc.s)
			got := want{round: sum(f.steadyRound()), total: f.total(), steady: floorByEndpoint(f, false)}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nsteady round: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
