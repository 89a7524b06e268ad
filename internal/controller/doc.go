// Package controller holds the reconcilers of lms-operator: one per kind
// (LMSConnection and ClusterLMSConnection share one), all on one skeleton.
//
// # The skeleton
//
// A Learner, a LearnerGroup and an Enrollment go through the same steps
// (skeleton.go): read the object, resolve its connection, then either
// validate, add the finalizer and sync, or, while the object is being
// deleted, apply its deletion policy and release the finalizer; and finally
// publish the outcome (outcome.go) in status, with one optimistic-lock patch
// that is rebased onto a fresh copy when another reconcile wrote meanwhile
// (status.go), since status records what the operator owns in the LMS.
// Each kind supplies a kindRun: validate, sync and deletionPolicy. Its files
// are <kind>_controller.go (the reconciler and its setup), <kind>_remote.go
// (observe, create, update, delete in the LMS) and <kind>_watch.go (what
// events reach it); shared files are named for one concern each: outcome.go,
// status.go, budget.go (tokens), watches.go, indexes.go, messages.go.
//
// # Observation reads the inventory, not the vendor
//
// Observing is crossplane's ExternalObservation: a value that says whether
// the LMS object exists, whether it is up to date and how it differs, on
// which sync switches. The vendor's hourly limit is the scarce resource
// (eLeaP documents 2,500 calls an hour), so observation reads the
// connection's inventory (internal/lms/inventory), a snapshot of the LMS
// read with list calls at most once per syncInterval and updated in place
// by the operator's own writes, rather than calling the vendor per object:
// the steady state then costs the same few list calls whatever the number
// of Learners, and a change costs its one write. The inventory's absence
// is trusted only when the snapshot was read after this process started and
// this process sent no create for the key; otherwise one lookup by identity
// key confirms it, so that a user created just before a crash is adopted,
// not created twice. Drift is only what the vendor shows: fields a vendor's
// answers do not carry (lms.User.Unobserved) are never compared.
//
// # The request budget
//
// Every operation takes all the tokens of its calls from the connection's
// budget together (spend), so that concurrent operations never starve each
// other half-way; a reconcile with no tokens requeues after the reservation
// delay with reason WaitingForRateBudget and never blocks a worker for long.
package controller
