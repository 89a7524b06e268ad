package controller

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// indexClaim indexes Learners and LearnerGroups by the LMS objects they
// claim on their connection: "<connection>|<bucket of the key>" (see
// claimValue; claimsOf finds the claimants of one key).
const indexClaim = "claims"

// The prefixes of claim keys: what an object claims an LMS object by.
const (
	claimEmail      = "email:"
	claimExternalID = "externalID:"
	claimID         = "id:"
	claimName       = "name:"
)

// claimBuckets is how many buckets a connection's claims are indexed in.
//
// Indexing each claim under its own value made one set per key in the
// informer's index, twice (the namespace's and all namespaces'): three keys
// a Learner, so 60,000 small maps and a third of the manager's live heap at
// 10,000 Learners. Under a bucket of the key's hash, a set holds the few
// objects whose keys share it, and a lookup filters those by the key itself.
const claimBuckets = 4096

// claimValue is the value indexClaim stores for key on connection k: the
// connection and the bucket of key.
func claimValue(k pool.Key, key string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return indexValue(k) + "|" + strconv.FormatUint(uint64(h.Sum32()%claimBuckets), 16)
}

// claimIndexer indexes objects by their claims, keys listing them for every vendor.
func claimIndexer[T managed](keys func(T) []string) client.IndexerFunc {
	return func(o client.Object) []string {
		m := o.(T)
		k := connectionKey(m.GetNamespace(), m.GetConnectionRef())
		var out []string
		for _, key := range keys(m) {
			out = append(out, claimValue(k, key))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
}

// claimsOf lists the objects of the kind that claim key on connection
// conn, the objects of its bucket whose keys hold it. They are the cache's
// own: read, never change them.
func (r *reconciler[T]) claimsOf(ctx context.Context, conn pool.Key, key string) ([]client.Object, error) {
	list := r.newList()
	if err := r.client.List(ctx, list, client.MatchingFields{indexClaim: claimValue(conn, key)}, client.UnsafeDisableDeepCopy); err != nil {
		return nil, err
	}
	var out []client.Object
	err := meta.EachListItem(list, func(item runtime.Object) error {
		if m, ok := item.(T); ok && slices.Contains(r.claimIndex(m), key) &&
			connectionKey(m.GetNamespace(), m.GetConnectionRef()) == conn {
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// learnerClaims are the identity keys of a Learner's user: the normalised
// email, the externalID where the caller chooses it (the spec's, by default
// the email), and the vendor id it recorded.
func learnerClaims(l *v1alpha1.Learner, callerChosenID bool) []string {
	email := lms.NormalizeEmail(l.Spec.Email)
	keys := []string{claimEmail + email}
	if callerChosenID {
		xid := l.Spec.ExternalID
		if xid == "" {
			xid = email
		}
		keys = append(keys, claimExternalID+xid)
	}
	if l.Status.ExternalID != "" {
		keys = append(keys, claimID+l.Status.ExternalID)
	}
	return keys
}

// learnerIndexKeys are a Learner's claims for every vendor.
func learnerIndexKeys(l *v1alpha1.Learner) []string { return learnerClaims(l, true) }

// groupClaims are the keys of a LearnerGroup's group: on eLeaP (byName) its
// display name, by which a group is found; and its identifier, the one
// recorded or, where the caller chooses it (Enabley), the one it will have.
func groupClaims(g *v1alpha1.LearnerGroup, byName bool) []string {
	var keys []string
	if byName {
		keys = append(keys, claimName+g.Spec.DisplayName)
	}
	switch {
	case g.Status.ExternalID != "":
		keys = append(keys, claimID+g.Status.ExternalID)
	case !byName:
		keys = append(keys, claimID+chosenGroupID(g))
	}
	return keys
}

// groupIndexKeys are a LearnerGroup's claims for every vendor.
func groupIndexKeys(g *v1alpha1.LearnerGroup) []string {
	keys := groupClaims(g, true)
	if g.Status.ExternalID == "" {
		keys = append(keys, claimID+chosenGroupID(g))
	}
	return keys
}

// chosenGroupID is the identifier the operator chooses for a group where the
// vendor lets it (Enabley): "<namespace>.<name>".
func chosenGroupID(g *v1alpha1.LearnerGroup) string { return g.Namespace + "." + g.Name }

// older reports whether a's claim comes before b's: created earlier, or at
// the same second and first by namespace/name.
func older(a, b client.Object) bool {
	ta, tb := a.GetCreationTimestamp(), b.GetCreationTimestamp()
	if !ta.Equal(&tb) {
		return ta.Before(&tb)
	}
	return client.ObjectKeyFromObject(a).String() < client.ObjectKeyFromObject(b).String()
}

// claim checks, before anything is sent to the vendor, that no older object
// of the kind claims one of obj's keys on its connection. lost is true when
// one does; o is then the Conflict to report, or a failure to read the index.
func (r *reconciler[T]) claim(ctx context.Context, obj T, c *resolved) (o *outcome, lost bool) {
	if r.claims == nil {
		return nil, false
	}
	for _, key := range r.claims(obj, c.conn.Client.Capabilities()) {
		w, err := r.claimant(ctx, obj, c.conn.Key, c.grants.namespaces, key, true)
		if err != nil {
			return ptrTo(failedWith(v1alpha1.ReasonConflict, fmt.Errorf("read the claims on %s: %w", c.conn.Key, err))), false
		}
		if w != nil {
			return ptrTo(stalled(v1alpha1.ReasonConflict, conflictMessage(r.name, w, key))), true
		}
	}
	return nil, false
}

// claimant returns another object of the kind that claims key on connection
// conn from a namespace the connection allows (namespaces, nil: any): with
// olderOnly, the oldest one if it is older than obj, leaving out those
// refused adoption (they may own nothing, so they must not block the
// namespaces that may); else any. Nil when there is none.
func (r *reconciler[T]) claimant(ctx context.Context, obj T, conn pool.Key, namespaces *v1alpha1.AllowedNamespaces,
	key string, olderOnly bool) (client.Object, error) {
	others, err := r.claimsOf(ctx, conn, key)
	if err != nil {
		return nil, err
	}
	var found client.Object
	for _, other := range others {
		if other.GetUID() == obj.GetUID() || (found != nil && !older(other, found)) ||
			(olderOnly && (!older(other, obj) || refusedAdoption(other))) {
			continue
		}
		ok, err := r.conns.namespaceAllowed(ctx, namespaces, other.GetNamespace(), "spec.allowedNamespaces")
		if err != nil {
			return nil, err
		}
		if ok {
			found = other
		}
	}
	return found, nil
}

// refusedAdoption reports whether o is Stalled because it may not adopt.
func refusedAdoption(o client.Object) bool {
	m, ok := o.(managed)
	if !ok {
		return false
	}
	c := meta.FindStatusCondition(m.GetCommonStatus().Conditions, v1alpha1.ConditionStalled)
	return c != nil && c.Status == metav1.ConditionTrue && c.Reason == v1alpha1.ReasonAdoptionRefused
}

// conflictMessage says which object owns key.
func conflictMessage(kind string, winner client.Object, key string) string {
	what, value, _ := strings.Cut(key, ":")
	return fmt.Sprintf("the %s %s/%s, older, claims the same LMS %s (%s %s); nothing is sent to the LMS for this one "+
		"until that one is deleted or changed", kind, winner.GetNamespace(), winner.GetName(), lmsNoun(kind), what, value)
}

// lmsNoun names the LMS object of a kind.
func lmsNoun(kind string) string {
	if kind == "LearnerGroup" {
		return "group"
	}
	return "user"
}

// possessed returns the Stalled Conflict of an object that found, for its
// keys, the LMS object id which another object of its kind has recorded as
// its own; nil when none has. It is looked at again every interval.
func (r *reconciler[T]) possessed(ctx context.Context, obj T, b runBase, id string) *outcome {
	holder, err := r.claimant(ctx, obj, b.conn.Key, b.grants.namespaces, claimID+id, false)
	if err != nil {
		return ptrTo(failedWith(v1alpha1.ReasonConflict, fmt.Errorf("read the claims on %s: %w", b.conn.Key, err)))
	}
	if holder == nil {
		return nil
	}
	o := stalled(v1alpha1.ReasonConflict, fmt.Sprintf("the %s %s/%s owns the LMS %s %s that this one's keys find; "+
		"nothing is sent to the LMS for this one while it does", r.name, holder.GetNamespace(), holder.GetName(), lmsNoun(r.name), id))
	o.requeueAfter = b.interval
	return &o
}

// claimants maps an object to the other objects of its kind that claim one
// of its keys on its connection, so that a loser takes over when the winner
// goes or changes its keys. On an update it is called with the old and the
// new object.
func (r *reconciler[T]) claimants(ctx context.Context, o client.Object) []reconcile.Request {
	m, ok := o.(T)
	if !ok {
		return nil
	}
	k := connectionKey(m.GetNamespace(), m.GetConnectionRef())
	var out []reconcile.Request
	for _, key := range r.claimIndex(m) {
		others, err := r.claimsOf(ctx, k, key)
		if err != nil {
			return out
		}
		for _, other := range others {
			if other.GetUID() != o.GetUID() {
				out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(other)})
			}
		}
	}
	return out
}

// claimWatch is the watch of the kind's own objects that reaches the other
// claimants of an object's keys when it is deleted or its keys change.
func (r *reconciler[T]) claimWatch() (handler.EventHandler, builder.WatchesOption) {
	return handler.EnqueueRequestsFromMapFunc(r.claimants), builder.WithPredicates(predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return true },
		GenericFunc: func(event.GenericEvent) bool { return false },
		UpdateFunc: func(e event.UpdateEvent) bool {
			o, okOld := e.ObjectOld.(T)
			n, okNew := e.ObjectNew.(T)
			return okOld && okNew && !slices.Equal(r.claimIndex(o), r.claimIndex(n))
		},
	})
}
