package kubectllms

import (
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/controller"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/inventory"
)

// groupInput is what the plan of one connection's LearnerGroups reads.
type groupInput struct {
	caps   lms.Capabilities
	inv    *inventory.Inventory
	groups []lms.Group
	// members lists a group's members (GroupClient.Members).
	members func(id string) ([]string, error)
	// manifests and cluster are the LearnerGroups; learners and liveLearners
	// the Learners of the manifests and of the cluster, by namespace/name.
	manifests    []v1alpha1.LearnerGroup
	cluster      map[string]*v1alpha1.LearnerGroup
	learners     map[string]*v1alpha1.Learner
	liveLearners map[string]*v1alpha1.Learner
}

// planGroups returns the changes to one connection's LearnerGroups: the
// controller's desired group, group diff and member writes.
func planGroups(in groupInput) ([]Change, error) {
	out := []Change{}
	for i := range in.manifests {
		c, ok, err := in.planGroup(&in.manifests[i])
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// planGroup is the change of one LearnerGroup of the manifests, if any.
func (in groupInput) planGroup(m *v1alpha1.LearnerGroup) (Change, bool, error) {
	g := m.DeepCopy()
	live := in.cluster[g.Namespace+"/"+g.Name]
	if live != nil {
		g.Status = live.Status
	}
	want := controller.DesiredGroup(g, in.caps, in.parentID(g))
	have, exists := in.findGroup(g, want)
	c := Change{Kind: "LearnerGroup", Namespace: g.Namespace, Name: g.Name, DisplayName: want.Name}
	observeOnly := g.Spec.ManagementPolicy == v1alpha1.ManagementObserveOnly
	switch {
	case !exists && observeOnly:
		return c, false, nil
	case !exists:
		c.Action, c.Calls = ActionCreate, controller.GroupWriteCalls
	case observeOnly:
		return c, false, nil
	default:
		if diff := controller.GroupDiff(want, have, in.caps); len(diff) > 0 {
			c.Action, c.Calls, c.Fields = ActionUpdate, controller.GroupWriteCalls, groupFieldChanges(diff, have, want)
		}
		if live == nil || live.Status.ExternalID == "" {
			c.Action = ActionAdopt
		}
	}
	if err := in.planMembers(g, have.ID, exists, &c); err != nil {
		return c, false, err
	}
	return c, c.Action != "", nil
}

// planMembers adds the member writes of g's group (id, if it exists) to c.
func (in groupInput) planMembers(g *v1alpha1.LearnerGroup, id string, exists bool, c *Change) error {
	wantIDs, pending := in.declared(g)
	var current []string
	switch {
	case exists && in.caps.GroupMembers:
		var err error
		if current, err = in.members(id); err != nil {
			return fmt.Errorf("list the members of group %q: %w", g.Spec.DisplayName, err)
		}
	case exists:
		current = g.Status.ManagedMembers
	}
	add, remove := controller.MemberChanges(g, in.caps, wantIDs, current)
	for _, uid := range add {
		c.MembersAdded = append(c.MembersAdded, in.userName(uid))
	}
	c.MembersAdded = append(c.MembersAdded, pending...)
	for _, uid := range remove {
		c.MembersRemoved = append(c.MembersRemoved, in.userName(uid))
	}
	n := len(c.MembersAdded) + len(c.MembersRemoved)
	c.Calls += n * controller.MemberWriteCalls
	if n > 0 && c.Action == "" {
		c.Action = ActionUpdate
	}
	return nil
}

// declared are the user IDs of the members g declares, and the emails of
// those whose Learner has no user yet (their add follows their create).
func (in groupInput) declared(g *v1alpha1.LearnerGroup) (ids, pending []string) {
	for _, l := range in.memberLearners(g) {
		want := controller.DesiredUser(l, in.caps)
		id := ""
		if live := in.liveLearners[l.Namespace+"/"+l.Name]; live != nil {
			id = live.Status.ExternalID
		}
		if u, ok := in.inv.Find(id, want.ExternalID, want.Email); ok {
			ids = append(ids, u.ID)
		} else {
			pending = append(pending, want.Email+" (after its create)")
		}
	}
	slices.Sort(pending)
	return ids, pending
}

// memberLearners are the Learners of the manifests that g names in
// learnerRefs or that its selector matches, as the controller reads them.
func (in groupInput) memberLearners(g *v1alpha1.LearnerGroup) []*v1alpha1.Learner {
	found := map[string]*v1alpha1.Learner{}
	for _, ref := range g.Spec.Members.LearnerRefs {
		if l := in.learners[g.Namespace+"/"+ref.Name]; l != nil {
			found[l.Name] = l
		}
	}
	if sel, err := metav1.LabelSelectorAsSelector(g.Spec.Members.Selector); err == nil && g.Spec.Members.Selector != nil {
		for _, l := range in.learners {
			if l.Namespace == g.Namespace && sel.Matches(labels.Set(l.Labels)) {
				found[l.Name] = l
			}
		}
	}
	out := make([]*v1alpha1.Learner, 0, len(found))
	for _, name := range sortedKeys(found) {
		out = append(out, found[name])
	}
	return out
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// findGroup finds g's group as the controller does: by its identifier, else
// (a vendor that assigns identifiers) by name.
func (in groupInput) findGroup(g *v1alpha1.LearnerGroup, want lms.Group) (lms.Group, bool) {
	if id := controller.GroupID(g, in.caps); id != "" {
		for _, x := range in.groups {
			if x.ID == id {
				return x, true
			}
		}
		if in.caps.GroupTypes {
			return lms.Group{}, false
		}
	}
	for _, x := range in.groups {
		if !in.caps.GroupTypes && x.Name == want.Name {
			return x, true
		}
	}
	return lms.Group{}, false
}

// parentID is the group identifier of g's parent (Enabley), from the
// parent LearnerGroup of the cluster, else of the manifests.
func (in groupInput) parentID(g *v1alpha1.LearnerGroup) string {
	if g.Spec.Enabley == nil || g.Spec.Enabley.ParentRef == nil {
		return ""
	}
	key := g.Namespace + "/" + g.Spec.Enabley.ParentRef.Name
	if p := in.cluster[key]; p != nil {
		return controller.GroupID(p, in.caps)
	}
	for i := range in.manifests {
		if p := &in.manifests[i]; p.Namespace+"/"+p.Name == key {
			return controller.GroupID(p, in.caps)
		}
	}
	return ""
}

// userName is the email of the user id, or the id when the list lacks it.
func (in groupInput) userName(id string) string {
	if u, ok := in.inv.Find(id, "", ""); ok && u.Email != "" {
		return u.Email
	}
	return id
}

// groupFieldChanges are the old and new values of a group's fields of diff.
func groupFieldChanges(diff []string, have, want lms.Group) []FieldChange {
	value := func(f string, g lms.Group) string {
		switch f {
		case "displayName":
			return g.Name
		case "description":
			return g.Description
		case "enabley.type":
			return g.Type
		case "enabley.parentRef":
			return g.ParentID
		}
		return fmt.Sprint(g.Active)
	}
	out := make([]FieldChange, 0, len(diff))
	for _, f := range diff {
		out = append(out, FieldChange{Field: f, Old: value(f, have), New: value(f, want)})
	}
	return out
}
