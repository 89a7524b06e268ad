package kubectllms

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/clock"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/controller"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/inventory"
)

// The actions of a plan.
const (
	ActionCreate     = "create"
	ActionUpdate     = "update"
	ActionAdopt      = "adopt"
	ActionDeactivate = "deactivate"
	ActionDelete     = "delete"
	ActionOrphan     = "orphan"
)

// A FieldChange is one field an update writes.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// A Change is one thing the operator would do.
type Change struct {
	Action    string `json:"action"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Email     string `json:"email,omitempty"`
	// DisplayName is a LearnerGroup's.
	DisplayName string        `json:"displayName,omitempty"`
	Fields      []FieldChange `json:"fields,omitempty"`
	// Unobserved are the fields the update writes that the vendor's list
	// does not show (eLeaP's active flag): the controller writes them with
	// a spec change, but no old value can be compared.
	Unobserved []string `json:"unobservedWrites,omitempty"`
	// MembersAdded and MembersRemoved are a LearnerGroup's member writes, by email.
	MembersAdded   []string `json:"membersAdded,omitempty"`
	MembersRemoved []string `json:"membersRemoved,omitempty"`
	// Assigned and Unassigned are an Enrollment's assignment writes.
	Assigned   []string `json:"assigned,omitempty"`
	Unassigned []string `json:"unassigned,omitempty"`
	// Calls are the vendor calls it costs.
	Calls int `json:"calls"`
	// Deletion is true when the deletion guard counts it.
	Deletion bool `json:"deletion,omitempty"`
	// Note explains a change that costs no call.
	Note string `json:"note,omitempty"`
}

// A ConnectionPlan is the plan of one connection.
type ConnectionPlan struct {
	Connection string   `json:"connection"`
	Provider   string   `json:"provider"`
	Changes    []Change `json:"changes"`
	// Reads are the vendor calls the plan made (list calls only).
	Reads int `json:"reads"`
	// Writes are the vendor calls the changes cost.
	Writes          int `json:"writes"`
	RequestsPerHour int `json:"requestsPerHour"`
	Burst           int `json:"burst"`
	// Duration is how long the writes take at the connection's budget.
	Duration string `json:"duration"`
	// Deletions the guard counts, its threshold, what it sent in the last
	// hour, and how many it would hold.
	Deletions int `json:"deletions"`
	Threshold int `json:"threshold"`
	SentHour  int `json:"sentLastHour"`
	Held      int `json:"held"`
}

// A Plan is what the operator would do on every connection the manifests name.
type Plan struct {
	Connections []ConnectionPlan `json:"connections"`
	// Changes is the number of changes in all connections.
	Changes int `json:"changes"`
}

// learnerInput is what the plan of one connection's Learners reads.
type learnerInput struct {
	caps  lms.Capabilities
	users []lms.User
	// manifests are the Learners of the manifests; cluster are the
	// connection's Learners in the cluster, by namespace/name.
	manifests []v1alpha1.Learner
	cluster   map[string]*v1alpha1.Learner
	prune     bool
}

// planLearners returns the changes to one connection's Learners: the
// controllers' desired user and diff against the users listed.
func planLearners(in learnerInput) []Change {
	inv := inventoryOf(in.users)
	out := []Change{}
	seen := map[string]bool{}
	for i := range in.manifests {
		l := &in.manifests[i]
		key := l.Namespace + "/" + l.Name
		seen[key] = true
		if c, ok := planLearner(l, in.cluster[key], inv, in.caps); ok {
			out = append(out, c)
		}
	}
	if in.prune {
		out = append(out, pruneLearners(in.cluster, seen, inv, in.caps)...)
	}
	return out
}

// inventoryOf is the controllers' inventory of the users listed, which
// finds a Learner's user as the controllers do (id, external id, email).
func inventoryOf(users []lms.User) *inventory.Inventory {
	inv := inventory.New(clock.RealClock{})
	_ = inv.EnsureLoaded(context.Background(), inventory.Lister(func(context.Context) ([]lms.User, error) {
		return users, nil
	}))
	return inv
}

// planLearner is the change of one Learner of the manifests, if any.
func planLearner(l, live *v1alpha1.Learner, inv *inventory.Inventory, caps lms.Capabilities) (Change, bool) {
	want := controller.DesiredUser(l, caps)
	c := Change{Kind: "Learner", Namespace: l.Namespace, Name: l.Name, Email: want.Email}
	id := ""
	if live != nil {
		id = live.Status.ExternalID
	}
	have, exists := inv.Find(id, want.ExternalID, want.Email)
	observeOnly := l.Spec.ManagementPolicy == v1alpha1.ManagementObserveOnly
	switch {
	case !exists && observeOnly:
		return c, false
	case !exists:
		c.Action, c.Calls = ActionCreate, controller.LearnerCreateCalls
		if !want.Active {
			c.Calls += controller.LearnerInactiveCalls
		}
		return c, true
	}
	diff := controller.UserDiff(want, have, caps)
	var unseen []string
	if live == nil || !cmp.Equal(want, controller.DesiredUser(live, caps)) {
		unseen = without(controller.UnobservedWrites(want, have, caps), diff)
	}
	if !observeOnly && len(diff)+len(unseen) > 0 {
		c.Action, c.Calls, c.Fields, c.Unobserved = ActionUpdate, controller.LearnerUpdateCalls, fieldChanges(diff, have, want), unseen
		c.Deletion = controller.Deactivates(want, have)
	}
	if live == nil || live.Status.ExternalID == "" {
		c.Action = ActionAdopt
	}
	return c, c.Action != ""
}

// pruneLearners are the deletion policies of the cluster's Learners that the
// manifests no longer have.
func pruneLearners(cluster map[string]*v1alpha1.Learner, seen map[string]bool, inv *inventory.Inventory, caps lms.Capabilities) []Change {
	keys := make([]string, 0, len(cluster))
	for k := range cluster {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]Change, 0, len(keys))
	for _, k := range keys {
		out = append(out, pruneLearner(cluster[k], inv, caps))
	}
	return out
}

// pruneLearner is what deleting the Learner does to its LMS user.
func pruneLearner(l *v1alpha1.Learner, inv *inventory.Inventory, caps lms.Capabilities) Change {
	want := controller.DesiredUser(l, caps)
	c := Change{Kind: "Learner", Namespace: l.Namespace, Name: l.Name, Email: want.Email}
	have, exists := inv.Find(l.Status.ExternalID, want.ExternalID, want.Email)
	policy := l.Spec.DeletionPolicy
	if policy == "" {
		policy = v1alpha1.LearnerDeactivate
	}
	switch {
	case l.Spec.ManagementPolicy == v1alpha1.ManagementObserveOnly:
		c.Action, c.Note = ActionOrphan, "observe only: the LMS user is left as it is"
	case policy == v1alpha1.LearnerOrphan:
		c.Action, c.Note = ActionOrphan, "deletionPolicy Orphan: the LMS user is left as it is"
	case !exists:
		c.Action, c.Note = actionOf(policy), "no LMS user to apply the policy to"
	case policy == v1alpha1.LearnerDeactivate && !have.Active && !have.Unobserved.Has(lms.FieldActive):
		c.Action, c.Note = ActionDeactivate, "the LMS user is already inactive"
	default:
		c.Action, c.Calls, c.Deletion = actionOf(policy), controller.LearnerDeletionCalls, true
	}
	return c
}

// actionOf is the action of a deletion policy.
func actionOf(p v1alpha1.LearnerDeletionPolicy) string {
	if p == v1alpha1.LearnerDelete {
		return ActionDelete
	}
	return ActionDeactivate
}

// without returns the fields of a that are not in b.
func without(a, b []string) []string {
	var out []string
	for _, f := range a {
		if !slices.Contains(b, f) {
			out = append(out, f)
		}
	}
	return out
}

// fieldChanges are the old and new values of the fields of diff.
func fieldChanges(diff []string, have, want lms.User) []FieldChange {
	out := make([]FieldChange, 0, len(diff))
	for _, f := range diff {
		out = append(out, FieldChange{Field: f, Old: fieldValue(f, have), New: fieldValue(f, want)})
	}
	return out
}

// fieldValue is one field of u as text.
func fieldValue(field string, u lms.User) string {
	switch field {
	case "email":
		return u.Email
	case "firstName":
		return u.FirstName
	case "lastName":
		return u.LastName
	case "middleName":
		return u.MiddleName
	case "description":
		return u.Description
	case "role":
		return string(u.Role)
	case "active":
		return strconv.FormatBool(u.Active)
	}
	return fmt.Sprint(u.CustomFields)
}

// quoted reports whether a field's values are strings, shown quoted.
func quoted(field string) bool { return field != "active" && field != "customFields" }

// budgetTime is how long calls take at requestsPerHour after the burst.
func budgetTime(calls, requestsPerHour, burst int) time.Duration {
	if calls <= burst || requestsPerHour <= 0 {
		return 0
	}
	return time.Duration(calls-burst) * time.Hour / time.Duration(requestsPerHour)
}

// heldBy is how many of deletions the guard would hold: those past the
// threshold, less what it sent in the last hour.
func heldBy(deletions, threshold, sentLastHour int) int {
	return max(0, deletions-max(0, threshold-sentLastHour))
}
