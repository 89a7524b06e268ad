package main

import (
	"time"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/exceedsim"
)

// A floorItem is one part of the fewest vendor calls a scenario needs, on
// one endpoint as the simulator names it.
type floorItem struct {
	endpoint string
	calls    int
	why      string
}

// pagedEndpoints are the paged reads of the round, whose pages
// pagesPerSync bounds per interval in the steady state: the user lists of
// Enabley and Exceed, and an Enabley channel's performance.
var pagedEndpoints = map[string]bool{"GET /api/v3/users": true, "GET /api/v2/performance": true, "GET /api/v2/users": true}

// A floor is the fewest calls of a scenario: the writes, the reads only a
// first sync needs, and one round of the reads the design makes every
// syncInterval (docs/benchmarks.md explains each), and the connection's
// pagesPerSync, set or default.
type floor struct {
	writes, once, round []floorItem
	pagesPerSync        int
}

// steadyRound is the round of one interval in the steady state: under
// pagesPerSync a paged read sends at most that many pages an interval (the
// first sync reads whole, so total keeps every page).
func (f floor) steadyRound() []floorItem {
	out := make([]floorItem, 0, len(f.round))
	for _, it := range f.round {
		if pagedEndpoints[it.endpoint] {
			it.calls = min(it.calls, f.pagesPerSync)
		}
		out = append(out, it)
	}
	return out
}

// total is every call of the floor: what converging from nothing needs.
func (f floor) total() int { return sum(f.writes) + sum(f.once) + sum(f.round) }

// sum adds up the calls of items.
func sum(items []floorItem) int {
	n := 0
	for _, it := range items {
		n += it.calls
	}
	return n
}

// pages is how many pages of size a list of n items takes (at least one:
// an empty list is still one call).
func pages(n, size int) int {
	if size <= 0 || n <= size {
		return 1
	}
	return (n + size - 1) / size
}

// seedUsers is how many users each vendor has before the scenario starts.
func seedUsers(vendor string) int {
	seed := lmssim.DefaultSeed()
	switch vendor {
	case lmssim.ELeaP:
		return len(seed.ELeaP.Users)
	case lmssim.Enabley:
		return len(seed.Enabley.Users)
	}
	return len(seed.Exceed.Users)
}

// floorOf returns the floor of s on its vendor.
func floorOf(s scenario) floor {
	var f floor
	switch s.vendor {
	case lmssim.ELeaP:
		f = eleapFloor(s)
	case lmssim.Enabley:
		f = enableyFloor(s)
	default:
		f = exceedFloor(s)
	}
	f.pagesPerSync = s.effectivePagesPerSync()
	return f
}

// eleapFloor: eLeaP writes one user, member or assignment per call; users/
// returns every user in one answer, but users/add's answer carries no id,
// so a second users/ list learns the new users' ids.
func eleapFloor(s scenario) floor {
	n := s.learners
	f := floor{
		writes: []floorItem{{"users/add", n, "one per Learner"}},
		once:   []floorItem{{"users/", 1, "a second list: users/add answers no id"}},
		round:  []floorItem{{"users/", 1, "the user inventory, one answer"}},
	}
	if s.group {
		f.writes = append(f.writes, floorItem{"usergroups/add", 1, "the group"},
			floorItem{"usergroups/assign_user", n, "one per member"})
		f.round = append(f.round, floorItem{"usergroups/", 1, "the group inventory"},
			floorItem{"usergroups/assigned_users", 1, "the group's roster"})
	}
	for _, t := range s.targets {
		prefix := "courses/"
		if t.kind == targetLearningPath {
			prefix = "learning_paths/"
		}
		f.writes = append(f.writes, floorItem{prefix + "assign_user", n, "one per subject"})
		f.round = append(f.round, floorItem{prefix + "assigned_users", 1, "the target's roster"})
	}
	if len(s.targets) > 0 {
		f.round = append(f.round, floorItem{"users/recent_completions", 1, "the completions read"})
	}
	return f
}

// enableyFloor: Enabley writes one user, member or assignment per call,
// lists users a page at a time, has no call that lists a group's members,
// and lists a channel's learners through the performance pages, which are
// also the completions read.
func enableyFloor(s scenario) floor {
	n := s.learners
	f := floor{
		writes: []floorItem{{"PUT /api/v2/users", n, "one per Learner"}},
		once:   []floorItem{{"POST /api/v1/token", 1, "the access token"}},
		round: []floorItem{{"GET /api/v3/users", pages(n+seedUsers(s.vendor), enableysim.DefaultPageSize),
			"the user inventory, page by page"}},
	}
	if s.group {
		f.writes = append(f.writes, floorItem{"PUT /api/v1/groups", 1, "the group"},
			floorItem{"POST /api/v1/groups/{group}/users/{user}", n, "one per member"})
		f.round = append(f.round, floorItem{"GET /api/v1/groups/list", 1, "the group inventory"})
	}
	for range s.targets {
		f.writes = append(f.writes, floorItem{"POST /api/v2/channels/{channel}/users/{user}", n, "one per subject"})
		f.round = append(f.round, floorItem{"GET /api/v2/performance", pages(n, enableysim.DefaultPageSize),
			"the channel's learners and completions, page by page"})
	}
	return f
}

// exceedFloor: Exceed creates one user per call and lists 1,000 users a page.
func exceedFloor(s scenario) floor {
	return floor{
		writes: []floorItem{{"POST /api/v2/users", s.learners, "one per Learner"}},
		round: []floorItem{{"GET /api/v2/users", pages(s.learners+seedUsers(s.vendor), exceedsim.DefaultPageSize),
			"the user inventory, page by page"}},
	}
}

// learnerFloor is the part of f that concerns users alone: the issue's
// "N writes + list pages" of an initial sync of N Learners.
func learnerFloor(f floor, vendor string) (endpoints map[string]bool, calls int) {
	endpoints = map[string]bool{}
	for _, part := range [][]floorItem{f.writes, f.once, f.round} {
		for _, it := range part {
			if isUserEndpoint(vendor, it.endpoint) {
				endpoints[it.endpoint] = true
				calls += it.calls
			}
		}
	}
	return endpoints, calls
}

// userEndpoints are the endpoints of each vendor that read or write users
// (not groups, assignments or progress).
var userEndpoints = map[string]map[string]bool{
	lmssim.ELeaP: {"users/": true, "users/add": true, "users/get": true, "users/find": true, "users/edit": true,
		"users/activate": true, "users/deactivate": true, "users/custom_fields": true},
	lmssim.Enabley: {"POST /api/v1/token": true, "GET /api/v3/users": true, "GET /api/v2/users": true,
		"PUT /api/v2/users": true, "GET /api/v2/users/{id}": true, "PUT /api/v2/users/{id}": true},
	lmssim.Exceed: {"GET /api/v2/users": true, "POST /api/v2/users": true, "GET /api/v2/users/{id}": true,
		"PUT /api/v2/users/{id}": true, "PATCH /api/v2/users/{id}": true, "PUT /api/v2/users": true, "PATCH /api/v2/users": true},
}

// isUserEndpoint reports whether endpoint of vendor reads or writes users.
func isUserEndpoint(vendor, endpoint string) bool { return userEndpoints[vendor][endpoint] }

// progressEndpoints are the per-learner progress reads, which the design
// spreads over spec.progress.refreshInterval within a capped share of the
// budget, apart from the per-interval reads.
var progressEndpoints = map[string]bool{"users/activity": true}

// floorDuration is the least time calls take under a token bucket of rph
// requests an hour that starts full with burst tokens.
func floorDuration(calls, rph, burst int) time.Duration {
	if calls <= burst || rph <= 0 {
		return 0
	}
	return time.Duration(float64(calls-burst) * float64(time.Hour) / float64(rph))
}

// floorByEndpoint adds up the floor by endpoint: every part for a first
// sync, or only the per-interval round.
func floorByEndpoint(f floor, firstSync bool) map[string]int {
	parts := [][]floorItem{f.steadyRound()}
	if firstSync {
		parts = [][]floorItem{f.round, f.writes, f.once}
	}
	out := map[string]int{}
	for _, part := range parts {
		for _, it := range part {
			out[it.endpoint] += it.calls
		}
	}
	return out
}

// userCalls adds up the calls of vendor's user endpoints.
func userCalls(vendor string, calls map[string]int) int {
	n := 0
	for e, c := range calls {
		if isUserEndpoint(vendor, e) {
			n += c
		}
	}
	return n
}

// splitProgress splits calls into per-learner progress reads and the rest.
func splitProgress(calls map[string]int) (progress, other int) {
	for e, c := range calls {
		if progressEndpoints[e] {
			progress += c
		} else {
			other += c
		}
	}
	return progress, other
}
