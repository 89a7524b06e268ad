package kubectllms

import (
	"context"
	"fmt"
	"io"
	"sort"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/controller"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// An Env is what the commands read through.
type Env struct {
	// Reader reads the cluster; nil when there is none (CI with
	// --credentials-from-env and the connections in the manifests).
	Reader client.Reader
	// Dialer builds the read-only vendor clients.
	Dialer Dialer
	// Progress receives progress lines (stderr).
	Progress io.Writer
}

// progress prints a progress line, if anyone listens.
func (e Env) progress(format string, args ...any) {
	if e.Progress != nil {
		_, _ = fmt.Fprintf(e.Progress, format+"\n", args...)
	}
}

// PlanOptions are the flags of plan.
type PlanOptions struct {
	// Path is the manifest file or directory; Namespace defaults theirs.
	Path, Namespace string
	// Prune plans the deletion of the cluster's Learners the manifests lack.
	Prune bool
}

// RunPlan computes the plan of the manifests of opts.
func RunPlan(ctx context.Context, env Env, opts PlanOptions) (*Plan, error) {
	m, err := ReadManifests(opts.Path, opts.Namespace)
	if err != nil {
		return nil, err
	}
	st, err := readState(ctx, env.Reader, m)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Connections: []ConnectionPlan{}}
	for _, key := range connectionKeys(st, opts.Prune) {
		cp, err := planConnection(ctx, env, m, key, st, opts.Prune)
		if err != nil {
			return nil, err
		}
		plan.Connections = append(plan.Connections, *cp)
		plan.Changes += len(cp.Changes)
	}
	return plan, nil
}

// planState is what a plan reads of the manifests and the cluster.
type planState struct {
	// learners and groups of the manifests, by connection.
	learners    map[pool.Key][]v1alpha1.Learner
	groups      map[pool.Key][]v1alpha1.LearnerGroup
	enrollments map[pool.Key][]v1alpha1.Enrollment
	// liveEnrollments are the cluster's Enrollments by namespace/name.
	liveEnrollments map[string]*v1alpha1.Enrollment
	// live are the cluster's Learners by connection and namespace/name;
	// liveGroups its LearnerGroups by namespace/name.
	live       map[pool.Key]map[string]*v1alpha1.Learner
	liveGroups map[string]*v1alpha1.LearnerGroup
	// byName are the Learners of the manifests, liveByName the cluster's, by namespace/name.
	byName, liveByName map[string]*v1alpha1.Learner
}

// readState groups the manifests by connection and reads the cluster's
// objects of their namespaces.
func readState(ctx context.Context, r client.Reader, m *Manifests) (*planState, error) {
	st := &planState{learners: map[pool.Key][]v1alpha1.Learner{}, groups: map[pool.Key][]v1alpha1.LearnerGroup{},
		enrollments: map[pool.Key][]v1alpha1.Enrollment{},
		byName:      map[string]*v1alpha1.Learner{}, liveByName: map[string]*v1alpha1.Learner{}}
	namespaces := map[string]bool{}
	for i, l := range m.Learners {
		k := connectionKey(l.Namespace, l.Spec.ConnectionRef)
		st.learners[k] = append(st.learners[k], l)
		st.byName[l.Namespace+"/"+l.Name] = &m.Learners[i]
		namespaces[l.Namespace] = true
	}
	for _, g := range m.LearnerGroups {
		k := connectionKey(g.Namespace, g.Spec.ConnectionRef)
		st.groups[k] = append(st.groups[k], g)
		namespaces[g.Namespace] = true
	}
	for _, e := range m.Enrollments {
		k := connectionKey(e.Namespace, e.Spec.ConnectionRef)
		st.enrollments[k] = append(st.enrollments[k], e)
		namespaces[e.Namespace] = true
	}
	var err error
	if st.liveEnrollments, err = clusterEnrollments(ctx, r, sortedKeys(namespaces)); err != nil {
		return nil, err
	}
	if st.live, err = clusterLearners(ctx, r, sortedKeys(namespaces)); err != nil {
		return nil, err
	}
	for _, byKey := range st.live {
		for k, l := range byKey {
			st.liveByName[k] = l
		}
	}
	st.liveGroups, err = clusterGroups(ctx, r, sortedKeys(namespaces))
	return st, err
}

// planConnection lists the connection's users (and groups) and plans its
// Learners and LearnerGroups.
func planConnection(ctx context.Context, env Env, m *Manifests, key pool.Key, st *planState, prune bool) (*ConnectionPlan, error) {
	conn, err := resolveConnection(ctx, env.Reader, m, key)
	if err != nil {
		return nil, err
	}
	d, err := env.Dialer.Dial(ctx, conn)
	if err != nil {
		return nil, err
	}
	env.progress("listing the users of %s %s ...", key.Kind, key)
	in := learnerInput{manifests: st.learners[key], cluster: st.live[key], prune: prune, caps: d.Client.Capabilities()}
	if in.users, err = d.Client.Users().List(ctx); err != nil {
		return nil, fmt.Errorf("connection %s: list users: %w", key, err)
	}
	env.progress("%s: %d users in %d calls", key, len(in.users), d.Transport.Sent())
	changes := planLearners(in)
	groupChanges, groups, err := planConnectionGroups(ctx, env, d, key, st, in)
	if err != nil {
		return nil, err
	}
	enrollmentChanges, err := planConnectionEnrollments(ctx, env, d, key, st, in, groups)
	if err != nil {
		return nil, err
	}
	changes = append(append(changes, groupChanges...), enrollmentChanges...)
	cp := &ConnectionPlan{Connection: key.Kind + " " + key.String(), Provider: string(d.Settings.Provider),
		Changes: changes, Reads: d.Transport.Sent(),
		RequestsPerHour: d.Settings.Limits.RequestsPerHour, Burst: d.Settings.Limits.Burst}
	cp.tally(conn, len(in.cluster))
	return cp, nil
}

// planConnectionGroups lists the groups, if the manifests have
// LearnerGroups of the connection, and plans them; it returns the groups listed.
func planConnectionGroups(ctx context.Context, env Env, d *Dialed, key pool.Key, st *planState, li learnerInput) ([]Change, []lms.Group, error) {
	gc := d.Client.Groups()
	if len(st.groups[key]) == 0 || gc == nil {
		return nil, nil, nil
	}
	env.progress("listing the groups of %s %s ...", key.Kind, key)
	groups, err := gc.List(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("connection %s: list groups: %w", key, err)
	}
	in := groupInput{caps: li.caps, inv: inventoryOf(li.users), groups: groups,
		members:   func(id string) ([]string, error) { return gc.Members(ctx, id) },
		manifests: st.groups[key], cluster: st.liveGroups, learners: st.byName, liveLearners: st.liveByName}
	changes, err := planGroups(in)
	return changes, groups, err
}

// planConnectionEnrollments plans the connection's Enrollments of the manifests.
func planConnectionEnrollments(ctx context.Context, env Env, d *Dialed, key pool.Key, st *planState, li learnerInput, groups []lms.Group) ([]Change, error) {
	enr := d.Client.Enrollments()
	if len(st.enrollments[key]) == 0 || enr == nil {
		return nil, nil
	}
	env.progress("listing the assignments of the Enrollments of %s %s ...", key.Kind, key)
	return planEnrollments(ctx, enrollmentInput{d: d, enr: enr, inv: inventoryOf(li.users), groups: groups,
		manifests: st.enrollments[key], live: st.liveEnrollments, st: st, targets: map[lms.TargetKind][]lms.Target{}})
}

// clusterEnrollments reads the Enrollments of the namespaces by
// namespace/name; none without a cluster.
func clusterEnrollments(ctx context.Context, r client.Reader, namespaces []string) (map[string]*v1alpha1.Enrollment, error) {
	out := map[string]*v1alpha1.Enrollment{}
	if r == nil {
		return out, nil
	}
	for _, ns := range namespaces {
		var list v1alpha1.EnrollmentList
		if err := r.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return nil, fmt.Errorf("list Enrollments in %s: %w", ns, err)
		}
		for i := range list.Items {
			out[ns+"/"+list.Items[i].Name] = &list.Items[i]
		}
	}
	return out, nil
}

// tally adds up the plan's calls, their time and the deletion guard's view.
func (cp *ConnectionPlan) tally(conn Connection, learners int) {
	for _, c := range cp.Changes {
		cp.Writes += c.Calls
		if c.Deletion {
			cp.Deletions++
		}
	}
	cp.Duration = budgetTime(cp.Writes, cp.RequestsPerHour, cp.Burst).String()
	cp.Threshold = controller.DeletionThreshold(conn.Settings.DeletionProtection, learners)
	if st := conn.Status.DeletionProtection; st != nil {
		cp.SentHour = int(st.SentLastHour)
		if st.Threshold > 0 { // the manager's, which counts every namespace's Learners
			cp.Threshold = int(st.Threshold)
		}
	}
	cp.Held = heldBy(cp.Deletions, cp.Threshold, cp.SentHour)
}

// resolveConnection finds the connection of key in the manifests, else in the cluster.
func resolveConnection(ctx context.Context, r client.Reader, m *Manifests, key pool.Key) (Connection, error) {
	for i := range m.Connections {
		if c := fromLMSConnection(&m.Connections[i]); c.Key == key {
			return withLiveStatus(ctx, r, c), nil
		}
	}
	for i := range m.ClusterConnections {
		if c := fromClusterConnection(&m.ClusterConnections[i]); c.Key == key {
			return withLiveStatus(ctx, r, c), nil
		}
	}
	if r == nil {
		return Connection{}, fmt.Errorf("connection %s is not in the manifests and there is no cluster to read it from", key)
	}
	return getConnection(ctx, r, key)
}

// withLiveStatus gives a connection of the manifests the status of the
// cluster's copy, if there is one: the deletion guard's window lives there.
func withLiveStatus(ctx context.Context, r client.Reader, c Connection) Connection {
	if r == nil {
		return c
	}
	if live, err := getConnection(ctx, r, c.Key); err == nil {
		c.Status = live.Status
	}
	return c
}

// connectionKeys are the connections to plan, sorted: those the manifests
// name and, with prune, those of the cluster's Learners.
func connectionKeys(st *planState, prune bool) []pool.Key {
	set := map[pool.Key]bool{}
	for k := range st.learners {
		set[k] = true
	}
	for k := range st.groups {
		set[k] = true
	}
	for k := range st.enrollments {
		set[k] = true
	}
	for k := range st.live {
		set[k] = set[k] || prune
	}
	var keys []pool.Key
	for k, ok := range set {
		if ok {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Kind+keys[i].String() < keys[j].Kind+keys[j].String() })
	return keys
}

// clusterGroups reads the LearnerGroups of the namespaces by namespace/name;
// none without a cluster.
func clusterGroups(ctx context.Context, r client.Reader, namespaces []string) (map[string]*v1alpha1.LearnerGroup, error) {
	out := map[string]*v1alpha1.LearnerGroup{}
	if r == nil {
		return out, nil
	}
	for _, ns := range namespaces {
		var list v1alpha1.LearnerGroupList
		if err := r.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return nil, fmt.Errorf("list LearnerGroups in %s: %w", ns, err)
		}
		for i := range list.Items {
			out[ns+"/"+list.Items[i].Name] = &list.Items[i]
		}
	}
	return out, nil
}

// clusterLearners reads the Learners of the namespaces, by connection and
// namespace/name; none without a cluster.
func clusterLearners(ctx context.Context, r client.Reader, namespaces []string) (map[pool.Key]map[string]*v1alpha1.Learner, error) {
	out := map[pool.Key]map[string]*v1alpha1.Learner{}
	if r == nil {
		return out, nil
	}
	for _, ns := range namespaces {
		var list v1alpha1.LearnerList
		if err := r.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return nil, fmt.Errorf("list Learners in %s: %w", ns, err)
		}
		for i := range list.Items {
			l := &list.Items[i]
			k := connectionKey(l.Namespace, l.Spec.ConnectionRef)
			if out[k] == nil {
				out[k] = map[string]*v1alpha1.Learner{}
			}
			out[k][l.Namespace+"/"+l.Name] = l
		}
	}
	return out, nil
}
