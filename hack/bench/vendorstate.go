package main

import (
	"fmt"
	"strings"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/exceedsim"
)

// benchEmailSuffix ends the email of every Learner the bench creates.
const benchEmailSuffix = "@bench.example.com"

// A holding is one thing the vendor should hold once a scenario converged:
// so many of the scenario's users, members or assignments.
type holding struct {
	what       string
	have, want int
}

// String is "group members 18/20".
func (h holding) String() string { return fmt.Sprintf("%s %d/%d", h.what, h.have, h.want) }

// vendorHoldings reads what the simulator holds of the scenario: its
// users, its group's members and its targets' assignments, so that a
// status that says Ready is checked against the vendor itself.
func vendorHoldings(sim *lmssim.Server, s scenario) []holding {
	switch v := sim.Vendor(s.vendor).(type) {
	case *eleapsim.Sim:
		return eleapHoldings(v.State(), s)
	case *enableysim.Sim:
		return enableyHoldings(v.State(), s)
	case *exceedsim.Sim:
		n := 0
		for _, u := range v.State().Users {
			n += isBench(u.Email)
		}
		return []holding{{"users", n, s.learners}}
	}
	return nil
}

// isBench is 1 for the email of a Learner of the bench, else 0.
func isBench(email string) int {
	if strings.HasSuffix(strings.ToLower(email), benchEmailSuffix) {
		return 1
	}
	return 0
}

// eleapHoldings counts the scenario's users, group members and direct assignments.
func eleapHoldings(st eleapsim.State, s scenario) []holding {
	users := 0
	for _, u := range st.Users {
		users += isBench(u.Email)
	}
	out := []holding{{"users", users, s.learners}}
	if s.group {
		out = append(out, holding{"group members", eleapMembers(st, "Bench "+s.name), s.learners})
	}
	for _, t := range s.targets {
		kind, n := eleapsim.TargetCourse, 0
		if t.kind == targetLearningPath {
			kind = eleapsim.TargetLearningPath
		}
		for _, a := range st.Assignments {
			if a.Target == kind && a.TargetID == t.id && a.UserGroupID == "" {
				n++
			}
		}
		out = append(out, holding{t.kind + " " + t.id + " assigned users", n, s.learners})
	}
	return out
}

// eleapMembers counts the members of the groups named name.
func eleapMembers(st eleapsim.State, name string) int {
	ids := map[string]bool{}
	for _, g := range st.UserGroups {
		ids[g.ID] = g.Name == name
	}
	n := 0
	for _, m := range st.Memberships {
		if ids[m.GroupID] {
			n += isBench(m.Email)
		}
	}
	return n
}

// enableyHoldings counts the scenario's users, group members and channel users.
func enableyHoldings(st enableysim.State, s scenario) []holding {
	users := 0
	for _, u := range st.Users {
		users += isBench(u.Identifier)
	}
	out := []holding{{"users", users, s.learners}}
	if s.group {
		members := 0
		for _, g := range st.Groups {
			if g.Identifier == s.namespace()+".members" {
				members = len(g.Members)
			}
		}
		out = append(out, holding{"group members", members, s.learners})
	}
	for _, t := range s.targets {
		n := 0
		for _, c := range st.Channels {
			if c.Identifier == t.id {
				for id := range c.Users {
					n += isBench(id)
				}
			}
		}
		out = append(out, holding{t.kind + " " + t.id + " assigned users", n, s.learners})
	}
	return out
}
