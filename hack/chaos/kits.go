package main

import (
	"context"
	"strings"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/exceedsim"
)

// An lmsUser is what the invariants read of a vendor user.
type lmsUser struct {
	first, last string
	active      bool
}

// An lmsGroup is what the invariants read of a vendor group.
type lmsGroup struct {
	// id is the vendor's id of the group.
	id string
	// members are the lower-case emails of its members.
	members map[string]bool
}

// lmsAssignments are the assignments of one target.
type lmsAssignments struct {
	// users are the lower-case emails of the users assigned directly.
	users map[string]bool
	// groups are the ids of the groups assigned.
	groups map[string]bool
}

// An lmsView is a vendor's state, vendor-neutral, as the invariants read it.
type lmsView struct {
	// users are the users by lower-case email.
	users map[string][]lmsUser
	// groups are the groups by the key groupKey gives a LearnerGroup.
	groups map[string][]lmsGroup
	// assignments are by target key (see targetKey).
	assignments map[string]lmsAssignments
}

// newView returns an empty view.
func newView() lmsView {
	return lmsView{users: map[string][]lmsUser{}, groups: map[string][]lmsGroup{}, assignments: map[string]lmsAssignments{}}
}

// assign records an assignment of a user (by email) or a group (by id) to
// the target with key.
func (v lmsView) assign(key, email, groupID string) {
	a, ok := v.assignments[key]
	if !ok {
		a = lmsAssignments{users: map[string]bool{}, groups: map[string]bool{}}
		v.assignments[key] = a
	}
	if email != "" {
		a.users[strings.ToLower(email)] = true
	}
	if groupID != "" {
		a.groups[groupID] = true
	}
}

// targetKey names a target in lmsView.assignments.
func targetKey(kind, id string) string { return kind + "/" + id }

// A vendorKit is what the campaign needs to know of one vendor.
type vendorKit struct {
	name string
	// secret is the credentials Secret's data.
	secret map[string]string
	// settings is the connection's vendor block.
	settings v1alpha1.ConnectionSettings
	// canGroup and canEnroll say whether the vendor supports LearnerGroups
	// and Enrollments.
	canGroup, canEnroll bool
	// targets returns the n Enrollment targets of the chaos seed.
	targets func(n int) []target
	// groupKey is the key of a LearnerGroup's vendor group in lmsView.groups.
	groupKey func(ns string, g *groupState) string
	// view reads the vendor's state from the simulator.
	view func(ctx context.Context, sim *simClient) (lmsView, error)
}

// kits are the vendors the campaign knows, by name.
var kits = map[string]vendorKit{
	lmssim.ELeaP: {
		name:     lmssim.ELeaP,
		secret:   map[string]string{"apiToken": lmssim.DemoELeaPToken},
		settings: v1alpha1.ConnectionSettings{Provider: v1alpha1.ProviderELeaP, ELeaP: &v1alpha1.ELeaPSettings{Subdomain: "chaos"}},
		canGroup: true, canEnroll: true, targets: eleapTargets,
		groupKey: func(_ string, g *groupState) string { return g.displayName },
		view:     eleapView,
	},
	lmssim.Enabley: {
		name:   lmssim.Enabley,
		secret: map[string]string{"clientKey": lmssim.DemoEnableyClient, "secret": lmssim.DemoEnableySecret},
		settings: v1alpha1.ConnectionSettings{Provider: v1alpha1.ProviderEnabley,
			Enabley: &v1alpha1.EnableySettings{SubAccountName: lmssim.DemoEnableySubAcct}},
		canGroup: true, canEnroll: true, targets: enableyTargets,
		groupKey: func(ns string, g *groupState) string { return ns + "." + g.name },
		view:     enableyView,
	},
	lmssim.Exceed: {
		name:     lmssim.Exceed,
		secret:   map[string]string{"apiKey": lmssim.DemoExceedAPIKey},
		settings: v1alpha1.ConnectionSettings{Provider: v1alpha1.ProviderExceed, Exceed: &v1alpha1.ExceedSettings{Subdomain: "chaos"}},
		targets:  func(int) []target { return nil },
		groupKey: func(string, *groupState) string { return "" },
		view:     exceedView,
	},
}

// eleapView reads the eLeaP state.
func eleapView(ctx context.Context, sim *simClient) (lmsView, error) {
	var s eleapsim.State
	if err := sim.state(ctx, lmssim.ELeaP, &s); err != nil {
		return lmsView{}, err
	}
	v := newView()
	for _, u := range s.Users {
		email := strings.ToLower(u.Email)
		v.users[email] = append(v.users[email], lmsUser{first: u.FirstName, last: u.LastName, active: u.Active})
	}
	members := map[string]map[string]bool{}
	for _, m := range s.Memberships {
		if members[m.GroupID] == nil {
			members[m.GroupID] = map[string]bool{}
		}
		members[m.GroupID][strings.ToLower(m.Email)] = true
	}
	for _, g := range s.UserGroups {
		v.groups[g.Name] = append(v.groups[g.Name], lmsGroup{id: g.ID, members: members[g.ID]})
	}
	for _, a := range s.Assignments {
		v.assign(targetKey(a.Target, a.TargetID), a.Email, a.UserGroupID)
	}
	return v, nil
}

// enableyView reads the Enabley state; members and channel users are
// named by identifier there, mapped back to emails.
func enableyView(ctx context.Context, sim *simClient) (lmsView, error) {
	var s enableysim.State
	if err := sim.state(ctx, lmssim.Enabley, &s); err != nil {
		return lmsView{}, err
	}
	v := newView()
	emails := map[string]string{}
	for _, u := range s.Users {
		email := strings.ToLower(u.Email)
		emails[u.Identifier] = email
		v.users[email] = append(v.users[email], lmsUser{first: u.FirstName, last: u.LastName, active: u.IsActive})
	}
	for _, g := range s.Groups {
		members := map[string]bool{}
		for _, id := range g.Members {
			members[emailOf(emails, id)] = true
		}
		v.groups[g.Identifier] = append(v.groups[g.Identifier], lmsGroup{id: g.Identifier, members: members})
	}
	for _, c := range s.Channels {
		key := targetKey(channelKind, c.Identifier)
		for id := range c.Users {
			v.assign(key, emailOf(emails, id), "")
		}
		for _, g := range c.Groups {
			v.assign(key, "", g.Group)
		}
	}
	return v, nil
}

// emailOf returns the email of the user with identifier id, or id itself.
func emailOf(emails map[string]string, id string) string {
	if e, ok := emails[id]; ok {
		return e
	}
	return strings.ToLower(id)
}

// exceedView reads the Exceed state (users only).
func exceedView(ctx context.Context, sim *simClient) (lmsView, error) {
	var s exceedsim.State
	if err := sim.state(ctx, lmssim.Exceed, &s); err != nil {
		return lmsView{}, err
	}
	v := newView()
	for _, u := range s.Users {
		email := strings.ToLower(u.Email)
		v.users[email] = append(v.users[email], lmsUser{first: u.FirstName, last: u.LastName, active: u.IsActive})
	}
	return v, nil
}
