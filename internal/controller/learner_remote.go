package controller

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
)

// The vendor calls of the Learner's operations: an operation takes them
// from the connection's budget together.
const (
	// lookupCalls confirms, by identity key, a user's absence that the
	// inventory cannot vouch for (see absenceKnown).
	lookupCalls = 1
	// createCalls: the create; a vendor that does not answer the new id
	// (eLeaP) names it in the next list, shared by a batch of creates.
	createCalls = 1
	// inactiveCalls: the deactivation of a user created inactive.
	inactiveCalls = 1
	// updateCalls: the update, and an activation change after it.
	updateCalls = 2
)

// idRecheck is how soon a Learner whose user was created without an id
// looks for it in the inventory again.
const idRecheck = time.Second

// syncedMessage is the message of a Learner whose user matches the spec.
const syncedMessage = "the LMS user matches the spec"

// A userObservation is what the LMS holds of a Learner's user, in the shape
// of crossplane's ExternalObservation: whether it exists, whether it is up
// to date and how it differs. It is read from the connection's inventory,
// not from the vendor (see the package documentation).
type userObservation struct {
	// exists: the LMS has the user.
	exists bool
	// upToDate: the user matches the spec.
	upToDate bool
	// diff names the spec fields that differ.
	diff []string
	// user is the LMS user, when it exists; want is the user the spec asks for.
	user, want lms.User
	// absenceKnown: the inventory proves the user absent, so that a create
	// needs no lookup first.
	absenceKnown bool
}

// observeUser finds the Learner's user in the connection's inventory, read
// once and then refreshed by the connection every sync interval.
func (run *learnerRun) observeUser(ctx context.Context) (userObservation, *outcome) {
	if err := run.conn.Users.EnsureLoaded(lms.WithPriority(ctx, lms.PriorityRead), run.conn.Client.Users()); err != nil {
		return userObservation{}, ptrTo(fromError("list users", err))
	}
	obs := userObservation{want: desiredUser(run.l, run.caps)}
	obs.user, obs.exists = run.conn.Users.Find(run.l.Status.ExternalID, obs.want.ExternalID, obs.want.Email)
	if !obs.exists {
		obs.absenceKnown = run.absenceKnown(obs.want)
		return obs, nil
	}
	obs.diff = userDiff(obs.want, obs.user, run.caps)
	if run.l.Status.ObservedGeneration != run.l.Generation && !run.observeOnly() && !run.createdThisGeneration() {
		obs.diff = mergeFields(obs.diff, unobservedWrites(obs.want, obs.user, run.caps))
	}
	obs.upToDate = len(obs.diff) == 0
	return obs, nil
}

// mergeFields returns the union of two field lists, sorted.
func mergeFields(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	return sets.List(sets.New(a...).Insert(b...))
}

// validate refuses a role the connection does not grant or the vendor does
// not have, before any vendor call.
func (run *learnerRun) validate(context.Context) *outcome {
	if o := run.validateGrants(); o != nil {
		return o
	}
	if run.caps.SupportsRole(lms.Role(roleOrDefault(run.l.Spec.Role))) {
		return nil
	}
	return ptrTo(stalled(v1alpha1.ReasonUnsupported, fmt.Sprintf("%s does not support role %s (supported: %v)",
		run.conn.Settings.Provider, run.l.Spec.Role, run.caps.Roles)))
}

// finalizes reports whether the Learner may write to the LMS: ObserveOnly
// Learners get no finalizer.
func (run *learnerRun) finalizes() bool { return !run.observeOnly() }

func (run *learnerRun) observeOnly() bool {
	return run.l.Spec.ManagementPolicy == v1alpha1.ManagementObserveOnly
}

// sync observes the user and creates or updates it as the spec says.
func (run *learnerRun) sync(ctx context.Context) outcome {
	obs, o := run.observeUser(ctx)
	if o == nil && obs.exists {
		o = run.take(ctx, obs.user)
	}
	if o == nil {
		run.guardActive(ctx, obs)
	}
	switch {
	case o != nil:
		return *o
	case run.observeOnly():
		return run.report(obs)
	case !obs.exists && run.conn.Users.Expecting(obs.want.ExternalID, obs.want.Email):
		return run.awaitID(ctx, obs.want)
	case !obs.exists:
		return run.write(ctx, createCost(obs), func(ctx context.Context) outcome { return run.create(ctx, obs) })
	case !obs.upToDate:
		return run.write(ctx, updateCalls, func(ctx context.Context) outcome { return run.update(ctx, obs.want, obs.user, obs.diff) })
	}
	return run.synced(obs.user)
}

// createCost is the number of calls of a create.
func createCost(obs userObservation) int {
	n := createCalls
	if !obs.absenceKnown {
		n += lookupCalls
	}
	if !obs.want.Active {
		n += inactiveCalls
	}
	return n
}

// awaitID waits for the id of a user created without one.
func (run *learnerRun) awaitID(ctx context.Context, want lms.User) outcome {
	have, found, o := run.findCreated(ctx, want)
	switch {
	case o != nil:
		return *o
	case found:
		return run.synced(have)
	}
	return working(v1alpha1.ReasonProgressing, "created the LMS user; its id comes with the next list of users", idRecheck)
}

// findCreated finds a user created without an id in the inventory, listing
// the users when a list is due: the next list, shared by every user created
// meanwhile, names it. found is false while it is not named yet (or the
// list did not name it: the create is then looked up again).
func (run *learnerRun) findCreated(ctx context.Context, want lms.User) (lms.User, bool, *outcome) {
	if _, err := run.conn.Users.RefreshExpected(lms.WithPriority(ctx, lms.PriorityRead), run.conn.Client.Users()); err != nil {
		return lms.User{}, false, ptrTo(fromError("list users", err))
	}
	have, found := run.conn.Users.Find("", want.ExternalID, want.Email)
	return have, found, nil
}

// write runs op, a write of n calls, with its tokens taken together.
func (run *learnerRun) write(ctx context.Context, n int, op func(context.Context) outcome) outcome {
	return *spend(ctx, run.conn, n, lms.PriorityWrite, func(ctx context.Context) *outcome { return ptrTo(op(ctx)) })
}

// synced records the user as matching the spec.
func (run *learnerRun) synced(have lms.User) outcome {
	run.l.Status.ExternalID = have.ID
	run.l.Status.LastSyncedTime = lastSynced(run.clock.Now(), run.l.Status.LastSyncedTime,
		isReady(run.l.Status.Conditions, run.l.Generation))
	return done(v1alpha1.ReasonSynced, syncedMessage, run.interval)
}

// report tells, without writing, whether the user exists and how it differs.
func (run *learnerRun) report(obs userObservation) outcome {
	if !obs.exists {
		return working(v1alpha1.ReasonNotFoundInLMS, fmt.Sprintf("no user %s in the LMS (ObserveOnly: nothing is created)", obs.want.Email), run.interval)
	}
	run.l.Status.ExternalID = obs.user.ID
	if !obs.upToDate {
		run.recordDrift(obs.diff, false)
		return working(v1alpha1.ReasonDrifted, "the LMS user differs in "+strings.Join(obs.diff, ", ")+" (ObserveOnly: nothing is written)", run.interval)
	}
	o := run.synced(obs.user)
	o.reason = v1alpha1.ReasonObserved
	return o
}

// syncedRefresh is how often a converged Learner's lastSyncedTime is moved
// on when nothing changed: a status write per Learner per syncInterval would
// cost the API server more than it tells (10,000 Learners, 10m: 17 writes/s).
const syncedRefresh = time.Hour

// lastSynced returns the lastSyncedTime of a Learner found to match its spec
// at now: prev, the one recorded, unless it is older than syncedRefresh or
// the Learner was not Ready for its generation (wasReady false).
func lastSynced(now time.Time, prev *metav1.Time, wasReady bool) *metav1.Time {
	if prev != nil && now.Sub(prev.Time) < syncedRefresh && wasReady {
		return prev
	}
	t := metav1.NewTime(now)
	return &t
}

// absenceKnown reports whether the user's absence from the inventory can be
// trusted without a lookup: the snapshot was read after this process started,
// its read skipped no record, and this process never sent a create for the
// user. A create sent by an earlier process (a crash between the vendor's
// commit and the status write) happened before this process started, so the
// snapshot holds its user.
func (run *learnerRun) absenceKnown(want lms.User) bool {
	if _, tried := run.attempted.Load(run.identity(want)); tried {
		return false
	}
	return run.conn.Users.ProvesAbsence(run.started)
}

// createdThisGeneration reports whether this process created the user from
// the Learner's current generation: the create wrote every field, so the
// fields the vendor does not show need no write.
func (run *learnerRun) createdThisGeneration() bool {
	a, _ := run.attempted.Load(run.identity(desiredUser(run.l, run.caps)))
	c, ok := a.(createAttempt)
	return ok && c.uid == run.l.UID && c.generation == run.l.Generation
}

// A createAttempt is a create this process sent: for which Learner, and
// from which generation of its spec.
type createAttempt struct {
	uid        types.UID
	generation int64
}

func (run *learnerRun) identity(want lms.User) string {
	return run.conn.Key.String() + "/" + want.ExternalID + "/" + want.Email
}

// create confirms absence with one lookup by identity key, unless the
// inventory already proves it (absenceKnown), so that a user created just
// before a crash is adopted, not duplicated; then it creates the user.
func (run *learnerRun) create(ctx context.Context, obs userObservation) outcome {
	users, want := run.conn.Client.Users(), obs.want
	if !obs.absenceKnown {
		existing, err := users.Lookup(ctx, want.ExternalID, want.Email)
		if err == nil {
			return run.adopt(ctx, want, *existing)
		}
		if !lms.IsNotFound(err) {
			return run.failed("look up user", err)
		}
	}
	if o := run.beforeCreate(ctx); o != nil {
		return *o
	}
	run.attempted.Store(run.identity(want), createAttempt{uid: run.l.UID, generation: run.l.Generation})
	created, err := users.Create(ctx, want)
	if lms.IsAlreadyExists(err) {
		return run.taken(ctx, want, err)
	}
	if err != nil {
		return run.failed("create user", err)
	}
	if created.ID == "" {
		run.conn.Users.Expect(*created)
		run.event(corev1.EventTypeNormal, v1alpha1.EventCreated, actionCreate, "Created LMS user %s", want.Email)
		return working(v1alpha1.ReasonProgressing, "created the LMS user; its id comes with the next list of users", idRecheck)
	}
	run.conn.Users.Put(*created)
	run.l.Status.Adopted = false
	run.event(corev1.EventTypeNormal, v1alpha1.EventCreated, actionCreate, "Created LMS user %s (id %s)", want.Email, created.ID)
	return run.synced(*created)
}

// adopt takes over the existing LMS user, writing the spec to it.
func (run *learnerRun) adopt(ctx context.Context, want, existing lms.User) outcome {
	run.conn.Users.Put(existing)
	if o := run.take(ctx, existing); o != nil {
		return *o
	}
	return run.update(ctx, want, existing, mergeFields(userDiff(want, existing, run.caps), unobservedWrites(want, existing, run.caps)))
}

// taken handles a create the vendor refused as already existing (createErr):
// one lookup by identity key adopts a user that appeared meanwhile. When it
// finds none, another user holds a unique field the lookup does not search
// (Enabley's username, Exceed's login): the Learner is Stalled Conflict with
// the vendor's message, which names the field, rather than retried for ever.
func (run *learnerRun) taken(ctx context.Context, want lms.User, createErr error) outcome {
	existing, err := run.conn.Client.Users().Lookup(ctx, want.ExternalID, want.Email)
	if err == nil {
		return run.adopt(ctx, want, *existing)
	}
	if !lms.IsNotFound(err) {
		return run.failed("look up user", err)
	}
	msg := "create user: " + lms.Message(createErr) + "; no LMS user has this Learner's identity key to adopt, " +
		"so another user holds that field: change the Learner's spec or free the field in the LMS"
	run.event(corev1.EventTypeWarning, v1alpha1.ReasonConflict, actionCreate, "Failed to create user %s: %s", want.Email, lms.Message(createErr))
	return stalled(v1alpha1.ReasonConflict, msg)
}

// update writes the fields in diff, recording drift when the spec had been
// applied before (someone changed the user in the LMS).
func (run *learnerRun) update(ctx context.Context, want, have lms.User, diff []string) outcome {
	if len(diff) == 0 {
		return run.synced(have)
	}
	want.ID = have.ID
	var batch *guardedBatch
	if deactivates(want, have) {
		b, o := run.takeDeletions(ctx, purposeActive, 1, 0, "deactivation (spec.active false)")
		if o != nil {
			return *o
		}
		batch = b
		defer batch.finish()
	}
	updated, err := run.writeUser(ctx, diff, want, have)
	if batch != nil {
		batch.sentWith(err)
	}
	if err != nil {
		run.l.Status.ExternalID = have.ID
		return run.failed("update user", err)
	}
	run.conn.Users.Put(updated)
	if run.l.Status.ObservedGeneration == run.l.Generation && isReady(run.l.Status.Conditions, run.l.Generation) {
		run.recordDrift(diff, true)
	}
	run.event(corev1.EventTypeNormal, v1alpha1.EventUpdated, actionUpdate, "Updated LMS user %s: %s", want.Email, strings.Join(diff, ", "))
	return run.synced(updated)
}

// writeUser sends the update: only the active flag when that is all that
// differs, else the whole user and then, if the vendor's update left it
// wrong, the active flag.
func (run *learnerRun) writeUser(ctx context.Context, diff []string, want, have lms.User) (lms.User, error) {
	users := run.conn.Client.Users()
	if onlyActiveDiffers(diff) {
		return want, users.SetActive(ctx, have, want.Active)
	}
	u, err := users.Update(ctx, have, want)
	if err != nil {
		return lms.User{}, err
	}
	if u.Active != want.Active || (have.Unobserved.Has(lms.FieldActive) && slices.Contains(diff, "active")) {
		if err := users.SetActive(ctx, *u, want.Active); err != nil {
			return lms.User{}, err
		}
		u.Active = want.Active
	}
	return *u, nil
}

// recordDrift records the fields found to differ in status.drift, and an
// event and a metric when the operator wrote the spec back.
func (run *learnerRun) recordDrift(fields []string, corrected bool) {
	prev := run.l.Status.Drift
	if prev != nil && !corrected && !prev.Corrected && strings.Join(prev.Fields, ",") == strings.Join(fields, ",") {
		return // the same drift, still there: keep its detection time
	}
	now := metav1.NewTime(run.clock.Now())
	run.l.Status.Drift = &v1alpha1.Drift{Fields: fields, DetectedTime: &now, Corrected: corrected}
	if corrected {
		run.metrics.DriftCorrections.WithLabelValues("Learner").Inc()
		run.event(corev1.EventTypeNormal, v1alpha1.EventDriftCorrected, actionUpdate, "The LMS user had changed (%s); wrote the spec back", strings.Join(fields, ", "))
	}
}

// deletionPolicy deactivates or deletes the user, or leaves it (Orphan,
// ObserveOnly, or no such user).
func (run *learnerRun) deletionPolicy(ctx context.Context) *outcome {
	if run.l.Spec.DeletionPolicy == v1alpha1.LearnerOrphan || run.observeOnly() {
		return nil
	}
	run.settleHeld(ctx, purposeActive) // a deactivation the spec asked for is moot now
	have, o := run.userToDelete(ctx)
	if o != nil || have == nil {
		return o
	}
	if ok, o := run.policyApplies(ctx, *have); !ok {
		return o
	}
	wctx := lms.WithPriority(ctx, lms.PriorityWrite)
	if run.l.Spec.DeletionPolicy == v1alpha1.LearnerDelete {
		return run.deleteUser(wctx, *have)
	}
	return run.deactivate(wctx, *have)
}

// userToDelete returns the Learner's user, nil when the LMS has none. A
// user created without an id yet is waited for: the policy needs it. Where
// the inventory cannot prove the user absent (this process sent a create
// whose answer was lost, or the list skipped a record), one lookup by
// identity key decides.
func (run *learnerRun) userToDelete(ctx context.Context) (*lms.User, *outcome) {
	obs, o := run.observeUser(ctx)
	switch {
	case o != nil:
		return nil, o
	case obs.exists:
		return &obs.user, nil
	case run.conn.Users.Expecting(obs.want.ExternalID, obs.want.Email):
		have, found, o := run.findCreated(ctx, obs.want)
		if o != nil || !found {
			return nil, o
		}
		return &have, nil
	case obs.absenceKnown:
		return nil, nil
	}
	return run.lookupToDelete(ctx, obs.want)
}

// lookupToDelete looks the Learner's user up by identity key, for its
// deletion policy: nil when the LMS has none.
func (run *learnerRun) lookupToDelete(ctx context.Context, want lms.User) (*lms.User, *outcome) {
	var have *lms.User
	o := spend(ctx, run.conn, lookupCalls, lms.PriorityWrite, func(ctx context.Context) *outcome {
		u, err := run.conn.Client.Users().Lookup(ctx, want.ExternalID, want.Email)
		switch {
		case lms.IsNotFound(err):
			return nil
		case err != nil:
			return run.failedPtr("look up user", err)
		}
		run.conn.Users.Put(*u)
		have = u
		return nil
	})
	return have, o
}

// policyApplies reports whether the deletion policy applies to u, the user
// the Learner's keys found: its own (owns), or, where the connection lets
// its namespace adopt, a user no other Learner owns, which the Learner's
// next sync would have adopted (it was deleted before it recorded its user,
// as after a crash between the create and the status write). A Learner
// whose spec the connection refuses adopts nothing. o is set when the
// claims could not be read: the deletion is tried again.
func (run *learnerRun) policyApplies(ctx context.Context, u lms.User) (bool, *outcome) {
	if run.owns(u) {
		return true, nil
	}
	if run.l.Status.ExternalID != "" || !run.grants.mayAdopt || run.validate(ctx) != nil {
		return false, nil
	}
	if o := run.take(ctx, u); o != nil {
		if o.stalled {
			return false, nil
		}
		return false, o
	}
	return true, nil
}

// deleteUser removes the user from the LMS, as the deletion guard allows.
func (run *learnerRun) deleteUser(ctx context.Context, have lms.User) *outcome {
	batch, o := run.takeDeletions(ctx, purposeDelete, 1, 0, "deletion of the LMS user")
	if o != nil {
		return o
	}
	defer batch.finish()
	err := run.conn.Client.Users().Delete(ctx, have)
	batch.sentWith(err)
	if err != nil && !lms.IsNotFound(err) {
		return run.failedPtr("delete user", err)
	}
	run.conn.Users.Remove(have.ID)
	run.event(corev1.EventTypeNormal, v1alpha1.EventDeleted, actionDelete, "Deleted LMS user %s", have.Email)
	return nil
}

// deactivate deactivates the user, keeping its training history, as the
// deletion guard allows.
func (run *learnerRun) deactivate(ctx context.Context, have lms.User) *outcome {
	if !have.Active && !have.Unobserved.Has(lms.FieldActive) {
		return nil
	}
	batch, o := run.takeDeletions(ctx, purposeDelete, 1, 0, "deactivation of the LMS user")
	if o != nil {
		return o
	}
	defer batch.finish()
	err := run.conn.Client.Users().SetActive(ctx, have, false)
	batch.sentWith(err)
	if err != nil && !lms.IsNotFound(err) {
		return run.failedPtr("deactivate user", err)
	}
	have.Active = false
	run.conn.Users.Put(have)
	run.event(corev1.EventTypeNormal, v1alpha1.EventDeactivated, actionDeactivate, "Deactivated LMS user %s", have.Email)
	return nil
}
