package controller

import (
	"maps"
	"sort"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// desiredUser is the LMS user a Learner's spec asks for, limited to the
// fields the vendor has.
func desiredUser(l *v1alpha1.Learner, caps lms.Capabilities) lms.User {
	email := lms.NormalizeEmail(l.Spec.Email)
	u := lms.User{
		Email:            email,
		FirstName:        l.Spec.FirstName,
		LastName:         l.Spec.LastName,
		Role:             lms.Role(roleOrDefault(l.Spec.Role)),
		Active:           l.Spec.Active == nil || *l.Spec.Active,
		SendWelcomeEmail: l.Spec.SendWelcomeEmail,
	}
	if caps.CallerChosenUserID {
		u.ExternalID = l.Spec.ExternalID
		if u.ExternalID == "" {
			u.ExternalID = email
		}
	}
	if caps.MiddleName {
		u.MiddleName = l.Spec.MiddleName
	}
	if caps.Description {
		u.Description = l.Spec.Description
	}
	if caps.CustomFields && len(l.Spec.CustomFields) > 0 {
		u.CustomFields = maps.Clone(l.Spec.CustomFields)
	}
	return u
}

func roleOrDefault(r v1alpha1.LearnerRole) v1alpha1.LearnerRole {
	if r == "" {
		return v1alpha1.RoleLearner
	}
	return r
}

// userDiff names the spec fields in which actual differs from desired.
// Fields the vendor's answer did not carry (actual.Unobserved, or an empty
// role) and custom fields the spec does not declare are not compared: drift
// is only what the vendor shows.
func userDiff(desired, actual lms.User, caps lms.Capabilities) []string {
	seen := func(f lms.UserFields) bool { return !actual.Unobserved.Has(f) }
	var d fieldDiff
	d.check("email", lms.NormalizeEmail(desired.Email) != lms.NormalizeEmail(actual.Email))
	d.check("firstName", desired.FirstName != actual.FirstName)
	d.check("lastName", desired.LastName != actual.LastName)
	d.check("middleName", caps.MiddleName && seen(lms.FieldMiddleName) && desired.MiddleName != actual.MiddleName)
	d.check("description", caps.Description && seen(lms.FieldDescription) && desired.Description != actual.Description)
	d.check("role", seen(lms.FieldRole) && actual.Role != "" && desired.Role != actual.Role)
	d.check("active", seen(lms.FieldActive) && desired.Active != actual.Active)
	d.check("customFields", caps.CustomFields && seen(lms.FieldCustomFields) && !customFieldsMatch(desired.CustomFields, actual.CustomFields))
	sort.Strings(d)
	return d
}

// unobservedWrites names the fields the spec sets that the vendor's answer
// did not carry: they cannot be compared, so they are written when the spec
// changes (and on create), never corrected as drift.
func unobservedWrites(desired, actual lms.User, caps lms.Capabilities) []string {
	unseen := actual.Unobserved.Has
	var d fieldDiff
	d.check("active", unseen(lms.FieldActive))
	d.check("customFields", caps.CustomFields && unseen(lms.FieldCustomFields) && len(desired.CustomFields) > 0)
	d.check("description", caps.Description && unseen(lms.FieldDescription) && desired.Description != "")
	d.check("middleName", caps.MiddleName && unseen(lms.FieldMiddleName) && desired.MiddleName != "")
	d.check("role", unseen(lms.FieldRole))
	return d
}

func customFieldsMatch(desired, actual map[string]string) bool {
	for k, v := range desired {
		if actual[k] != v {
			return false
		}
	}
	return true
}

// onlyActiveDiffers reports whether a diff is only the active flag, which
// SetActive fixes without a full update.
func onlyActiveDiffers(diff []string) bool {
	return len(diff) == 1 && diff[0] == "active"
}
