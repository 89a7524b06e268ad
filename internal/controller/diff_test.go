package controller

import (
	"testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// diffArgs are the arguments of the functions that compare an LMS object
// with the one the spec asks for.
type diffArgs[T any] struct {
	desired, actual T
	caps            lms.Capabilities
}

func TestUserDiff(t *testing.T) {
	base := lms.User{ID: "7", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", MiddleName: "King",
		Description: "analyst", Role: lms.RoleLearner, Active: true, CustomFields: map[string]string{"Department": "R&D"}}
	with := func(f func(*lms.User)) lms.User {
		u := base
		u.CustomFields = map[string]string{"Department": "R&D"}
		f(&u)
		return u
	}
	type args = diffArgs[lms.User]
	cases := map[string]row[args, []string]{
		"Same": {reason: "no difference, no field", args: args{desired: base, actual: base, caps: eleapCaps}},
		"EmailCaseIsNoDifference": {reason: "emails compare after normalisation",
			args: args{desired: base, actual: with(func(u *lms.User) { u.Email = "ADA@example.com" }), caps: eleapCaps}},
		"EveryFieldSorted": {reason: "every differing field is named, sorted",
			args: args{desired: base, caps: eleapCaps, actual: lms.User{Email: "x@y.z", Role: lms.RoleManager}},
			want: []string{"active", "customFields", "description", "email", "firstName", "lastName", "middleName", "role"}},
		"FieldsTheVendorLacksAreNotCompared": {reason: "middle name and description are not compared where the vendor has none",
			args: args{desired: base, caps: exceedCaps, actual: with(func(u *lms.User) { u.MiddleName, u.Description = "", "" })}},
		"UnreportedRoleIsNotCompared": {reason: "an empty role (the vendor does not report it) is not drift",
			args: args{desired: base, caps: eleapCaps, actual: with(func(u *lms.User) { u.Role = "" })}},
		"UndeclaredCustomFieldsAreNotCompared": {reason: "custom fields the spec does not declare are the LMS's own",
			args: args{desired: base, caps: eleapCaps, actual: with(func(u *lms.User) { u.CustomFields["Site"] = "Paris" })}},
		"DeclaredCustomFieldChanged": {reason: "a declared custom field with another value differs",
			args: args{desired: base, caps: eleapCaps, actual: with(func(u *lms.User) { u.CustomFields["Department"] = "Ops" })},
			want: []string{"customFields"}},
		"UnobservedFieldsAreNeverDrift": {reason: "fields the vendor's answer did not carry (eLeaP users/ shows no custom fields or active) are not compared",
			args: args{desired: base, caps: eleapCaps, actual: with(func(u *lms.User) {
				u.CustomFields, u.Active, u.Role = nil, false, lms.RoleManager
				u.Unobserved = lms.FieldCustomFields | lms.FieldActive | lms.FieldRole
			})}},
	}
	checkTable(t, "userDiff", cases, func(a args) []string { return userDiff(a.desired, a.actual, a.caps) })
}

func TestGroupDiff(t *testing.T) {
	eleap, enabley := lms.Capabilities{Groups: true}, lms.Capabilities{Groups: true, GroupTypes: true}
	want := lms.Group{ID: "g", Name: "Platform", Description: "team", Active: true, Type: "Team", ParentID: "p"}
	type args = diffArgs[lms.Group]
	cases := map[string]row[args, []string]{
		"Same": {reason: "no difference", args: args{desired: want, actual: want, caps: eleap}},
		"ELeaPComparesDescriptionAndActive": {reason: "eLeaP groups have a description and an active flag, no type",
			args: args{desired: want, caps: eleap, actual: lms.Group{Name: "Other", Type: "x", ParentID: "y"}},
			want: []string{"displayName", "description", "active"}},
		"EnableyComparesTypeAndParent": {reason: "Enabley groups have a type and a parent, no description or active flag",
			args: args{desired: want, caps: enabley, actual: lms.Group{Name: "Platform", Type: "Dept", ParentID: "q"}},
			want: []string{"enabley.type", "enabley.parentRef"}},
	}
	checkTable(t, "groupDiff", cases, func(a args) []string { return groupDiff(a.desired, a.actual, a.caps) })
}

func TestUnobservedWrites(t *testing.T) {
	desired := lms.User{Email: "a@x.io", Active: true, CustomFields: map[string]string{"Department": "R&D"}, Description: "d"}
	type args = diffArgs[lms.User]
	cases := map[string]row[args, []string]{
		"AllObserved": {reason: "what the vendor shows is compared, not written blindly",
			args: args{desired: desired, caps: eleapCaps, actual: lms.User{}}},
		"UnseenCustomFieldsAndActive": {reason: "declared custom fields and the active flag the vendor does not show are written on a spec change",
			args: args{desired: desired, caps: eleapCaps, actual: lms.User{Unobserved: lms.FieldCustomFields | lms.FieldActive}},
			want: []string{"active", "customFields"}},
		"NothingDeclared": {reason: "an unseen field the spec leaves empty is not written",
			args: args{desired: lms.User{Email: "a@x.io"}, caps: eleapCaps, actual: lms.User{Unobserved: lms.FieldCustomFields | lms.FieldDescription}}},
		"VendorWithoutTheField": {reason: "a field the vendor does not have is never written",
			args: args{desired: desired, caps: lms.Capabilities{}, actual: lms.User{Unobserved: lms.FieldCustomFields | lms.FieldDescription}}},
	}
	checkTable(t, "unobservedWrites", cases, func(a args) []string { return unobservedWrites(a.desired, a.actual, a.caps) })
}
