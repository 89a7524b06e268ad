package controller

import (
	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// The exports of this file are thin wrappers for `kubectl lms plan`
// (internal/kubectllms): the plan must be the controllers' own diff, not a
// copy that drifts from it.

// The vendor calls of the Learner's operations, as the controller takes them
// from the connection's budget.
const (
	// LearnerLookupCalls confirms a user's absence the inventory cannot vouch for.
	LearnerLookupCalls = lookupCalls
	// LearnerCreateCalls is a create.
	LearnerCreateCalls = createCalls
	// LearnerInactiveCalls deactivates a user created inactive.
	LearnerInactiveCalls = inactiveCalls
	// LearnerUpdateCalls is an update and the activation change after it.
	LearnerUpdateCalls = updateCalls
	// LearnerDeletionCalls is a deletion policy's one call (delete or deactivate).
	LearnerDeletionCalls = 1
)

// DesiredUser is the LMS user a Learner's spec asks for (desiredUser).
func DesiredUser(l *v1alpha1.Learner, caps lms.Capabilities) lms.User {
	return desiredUser(l, caps)
}

// UserDiff names the spec fields in which actual differs from desired (userDiff).
func UserDiff(desired, actual lms.User, caps lms.Capabilities) []string {
	return userDiff(desired, actual, caps)
}

// UnobservedWrites names the fields a spec change writes although the
// vendor's answer did not carry them (unobservedWrites).
func UnobservedWrites(desired, actual lms.User, caps lms.Capabilities) []string {
	return unobservedWrites(desired, actual, caps)
}

// SettingsOf resolves a connection's spec into pool settings with the
// manager's defaults (settingsOf).
func SettingsOf(s *v1alpha1.ConnectionSettings) pool.Settings {
	return settingsOf(s)
}

// DeletionThreshold is the number of deletions an hour a connection's
// deletion guard lets through for its count of Learners (thresholdOf).
func DeletionThreshold(p *v1alpha1.DeletionProtection, learners int) int {
	return thresholdOf(p, learners)
}

// Deactivates reports whether writing want over have deactivates the user,
// which the deletion guard counts (deactivates).
func Deactivates(want, have lms.User) bool {
	return deactivates(want, have)
}
