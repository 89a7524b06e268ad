package kubectllms

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// ImportOptions are the flags of import.
type ImportOptions struct {
	// Connection names the connection; Cluster makes it a ClusterLMSConnection.
	Connection string
	Cluster    bool
	// Namespace is the namespace of the objects written (and of an LMSConnection).
	Namespace string
	// Kinds are the kinds to write: learners, groups, enrollments.
	Kinds []string
}

// Imported are the objects an import writes.
type Imported struct {
	Learners      []v1alpha1.Learner
	LearnerGroups []v1alpha1.LearnerGroup
	Enrollments   []v1alpha1.Enrollment
	// Skipped says which LMS records could not become objects, and why.
	Skipped []string
}

// importer builds the objects of one connection's LMS records.
type importer struct {
	opts ImportOptions
	caps lms.Capabilities
	ref  v1alpha1.ConnectionReference
	// learnerOf names the Learner of each user ID, groupOf the LearnerGroup of each group ID.
	learnerOf, groupOf map[string]string
	// managed names the Learner of the cluster that already has each user ID:
	// such a user is passed over, so that no two Learners claim one user.
	managed, managedGroups map[string]string
	out                    *Imported
}

// RunImport lists the LMS of the connection and returns its objects.
func RunImport(ctx context.Context, env Env, opts ImportOptions) (*Imported, error) {
	key := pool.Key{Kind: v1alpha1.LMSConnectionKind, Namespace: opts.Namespace, Name: opts.Connection}
	if opts.Cluster {
		key = pool.Key{Kind: v1alpha1.ClusterLMSConnectionKind, Name: opts.Connection}
	}
	if env.Reader == nil {
		return nil, fmt.Errorf("import reads the connection %s from the cluster: it cannot run --offline", key)
	}
	conn, err := getConnection(ctx, env.Reader, key)
	if err != nil {
		return nil, err
	}
	d, err := env.Dialer.Dial(ctx, conn)
	if err != nil {
		return nil, err
	}
	managed, err := managedUsers(ctx, env.Reader, key)
	if err != nil {
		return nil, err
	}
	groups, err := managedGroups(ctx, env.Reader, key)
	if err != nil {
		return nil, err
	}
	im := &importer{opts: opts, caps: d.Client.Capabilities(), learnerOf: map[string]string{}, groupOf: map[string]string{},
		managed: managed, managedGroups: groups, ref: v1alpha1.ConnectionReference{Name: opts.Connection}, out: &Imported{}}
	if opts.Cluster {
		im.ref.Kind = v1alpha1.ClusterLMSConnectionKind
	}
	if err := im.run(ctx, env, d); err != nil {
		return nil, err
	}
	env.progress("%s: %d vendor calls, all reads", key, d.Transport.Sent())
	return im.out, nil
}

// run imports the users, then the groups (their members name the users'
// Learners), then the enrollments.
func (im *importer) run(ctx context.Context, env Env, d *Dialed) error {
	env.progress("listing the users ...")
	users, err := d.Client.Users().List(ctx)
	if err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	env.progress("%d users", len(users))
	im.learners(users)
	if im.wants("groups") && d.Client.Groups() != nil {
		if err := im.groups(ctx, env, d.Client.Groups()); err != nil {
			return err
		}
	}
	if im.wants("enrollments") && d.Client.Enrollments() != nil {
		return im.enrollments(ctx, env, d.Client.Enrollments())
	}
	return nil
}

// wants reports whether kind is to be written.
func (im *importer) wants(kind string) bool {
	for _, k := range im.opts.Kinds {
		if strings.TrimSpace(k) == kind {
			return true
		}
	}
	return false
}

// meta is the metadata of an imported object.
func (im *importer) meta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: im.opts.Namespace}
}

// learners makes a Learner of each user that can be one, sorted by email.
func (im *importer) learners(users []lms.User) {
	sort.Slice(users, func(i, j int) bool { return users[i].Email < users[j].Email })
	names := namer{}
	for _, u := range users {
		if l := im.managed[u.ID]; l != "" {
			if name, ok := strings.CutPrefix(l, im.opts.Namespace+"/"); ok {
				im.learnerOf[u.ID] = name // a member or assignee refers to it
			}
			im.out.Skipped = append(im.out.Skipped, fmt.Sprintf("user %s (%s): already the user of Learner %s", u.ID, u.Email, l))
			continue
		}
		if why := unimportable(u); why != "" {
			im.out.Skipped = append(im.out.Skipped, fmt.Sprintf("user %s (%s): %s", u.ID, u.Email, why))
			continue
		}
		local, _, _ := strings.Cut(u.Email, "@")
		name := names.unique(dnsName(local, "learner"))
		im.learnerOf[u.ID] = name
		if im.wants("learners") {
			im.out.Learners = append(im.out.Learners, v1alpha1.Learner{ObjectMeta: im.meta(name), Spec: im.learnerSpec(u)})
		}
	}
}

// managedUsers are the users the cluster's Learners of connection key have
// already, by user ID: the Learner's namespace/name.
func managedUsers(ctx context.Context, r client.Reader, key pool.Key) (map[string]string, error) {
	var list v1alpha1.LearnerList
	if err := r.List(ctx, &list); err != nil {
		return nil, fmt.Errorf("list Learners: %w", err)
	}
	out := map[string]string{}
	for _, l := range list.Items {
		if connectionKey(l.Namespace, l.Spec.ConnectionRef) == key && l.Status.ExternalID != "" {
			out[l.Status.ExternalID] = l.Namespace + "/" + l.Name
		}
	}
	return out, nil
}

// managedGroups are the groups the cluster's LearnerGroups of connection
// key have already, by group ID: the LearnerGroup's namespace/name.
func managedGroups(ctx context.Context, r client.Reader, key pool.Key) (map[string]string, error) {
	var list v1alpha1.LearnerGroupList
	if err := r.List(ctx, &list); err != nil {
		return nil, fmt.Errorf("list LearnerGroups: %w", err)
	}
	out := map[string]string{}
	for _, g := range list.Items {
		if connectionKey(g.Namespace, g.Spec.ConnectionRef) == key && g.Status.ExternalID != "" {
			out[g.Status.ExternalID] = g.Namespace + "/" + g.Name
		}
	}
	return out, nil
}

// unimportable says why a user cannot be a valid Learner, "" when it can.
func unimportable(u lms.User) string {
	switch {
	case len(u.Email) < 3 || !strings.Contains(u.Email, "@"):
		return "no valid email"
	case u.FirstName == "" || u.LastName == "":
		return "a Learner needs a first and a last name"
	}
	return ""
}

// learnerSpec is the spec the controllers find the user matching: every
// field they compare is the user's, and nothing is written.
func (im *importer) learnerSpec(u lms.User) v1alpha1.LearnerSpec {
	s := v1alpha1.LearnerSpec{ConnectionRef: im.ref, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		ManagementPolicy: v1alpha1.ManagementObserveOnly, DeletionPolicy: v1alpha1.LearnerOrphan}
	if im.caps.CallerChosenUserID && u.ExternalID != "" && u.ExternalID != u.Email {
		s.ExternalID = u.ExternalID
	}
	if im.caps.MiddleName {
		s.MiddleName = u.MiddleName
	}
	if im.caps.Description {
		s.Description = u.Description
	}
	if u.Role != "" && u.Role != lms.RoleLearner && !u.Unobserved.Has(lms.FieldRole) {
		s.Role = v1alpha1.LearnerRole(u.Role)
	}
	if !u.Active && !u.Unobserved.Has(lms.FieldActive) {
		s.Active = ptr.To(false)
	}
	if im.caps.CustomFields && len(u.CustomFields) > 0 && !u.Unobserved.Has(lms.FieldCustomFields) {
		s.CustomFields = u.CustomFields
	}
	return s
}

// WriteYAML writes the objects as one YAML stream, ready to commit.
func WriteYAML(w io.Writer, im *Imported) error {
	var objs []any
	for i := range im.Learners {
		im.Learners[i].TypeMeta = metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "Learner"}
		objs = append(objs, &im.Learners[i])
	}
	for i := range im.LearnerGroups {
		im.LearnerGroups[i].TypeMeta = metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "LearnerGroup"}
		objs = append(objs, &im.LearnerGroups[i])
	}
	for i := range im.Enrollments {
		im.Enrollments[i].TypeMeta = metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "Enrollment"}
		objs = append(objs, &im.Enrollments[i])
	}
	for _, o := range objs {
		data, err := manifestYAML(o)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "---\n%s", data); err != nil {
			return err
		}
	}
	return nil
}

// manifestYAML is obj as a manifest: without the status and the empty
// creationTimestamp that the Go types marshal.
func manifestYAML(obj any) ([]byte, error) {
	data, err := yaml.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	delete(m, "status")
	if meta, ok := m["metadata"].(map[string]any); ok {
		delete(meta, "creationTimestamp")
	}
	return yaml.Marshal(m)
}
