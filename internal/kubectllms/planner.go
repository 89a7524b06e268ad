package kubectllms

import (
	"context"
	"fmt"
	"io"
	"sort"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/controller"
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
	live, err := clusterLearners(ctx, env.Reader, namespacesOf(m.Learners))
	if err != nil {
		return nil, err
	}
	byConn := learnersByConnection(m.Learners)
	keys := connectionKeys(byConn, live, opts.Prune)
	plan := &Plan{Connections: []ConnectionPlan{}}
	for _, key := range keys {
		cp, err := planConnection(ctx, env, m, key, learnerInput{manifests: byConn[key], cluster: live[key], prune: opts.Prune})
		if err != nil {
			return nil, err
		}
		plan.Connections = append(plan.Connections, *cp)
		plan.Changes += len(cp.Changes)
	}
	return plan, nil
}

// planConnection lists the connection's users and plans its Learners.
func planConnection(ctx context.Context, env Env, m *Manifests, key pool.Key, in learnerInput) (*ConnectionPlan, error) {
	conn, err := resolveConnection(ctx, env.Reader, m, key)
	if err != nil {
		return nil, err
	}
	d, err := env.Dialer.Dial(ctx, conn)
	if err != nil {
		return nil, err
	}
	env.progress("listing the users of %s %s ...", key.Kind, key)
	in.users, err = d.Client.Users().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("connection %s: list users: %w", key, err)
	}
	env.progress("%s: %d users in %d calls", key, len(in.users), d.Transport.Sent())
	in.caps = d.Client.Capabilities()
	cp := &ConnectionPlan{Connection: key.Kind + " " + key.String(), Provider: string(d.Settings.Provider),
		Changes: planLearners(in), Reads: d.Transport.Sent(),
		RequestsPerHour: d.Settings.Limits.RequestsPerHour, Burst: d.Settings.Limits.Burst}
	cp.tally(conn, len(in.cluster))
	return cp, nil
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

// learnersByConnection groups Learners by the connection they name.
func learnersByConnection(ls []v1alpha1.Learner) map[pool.Key][]v1alpha1.Learner {
	out := map[pool.Key][]v1alpha1.Learner{}
	for _, l := range ls {
		k := connectionKey(l.Namespace, l.Spec.ConnectionRef)
		out[k] = append(out[k], l)
	}
	return out
}

// connectionKeys are the connections to plan, sorted: those the manifests
// name and, with prune, those of the cluster's Learners.
func connectionKeys(byConn map[pool.Key][]v1alpha1.Learner, live map[pool.Key]map[string]*v1alpha1.Learner, prune bool) []pool.Key {
	set := map[pool.Key]bool{}
	for k := range byConn {
		set[k] = true
	}
	for k := range live {
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

// namespacesOf are the namespaces of the Learners, which prune is limited to.
func namespacesOf(ls []v1alpha1.Learner) []string {
	set := map[string]bool{}
	for _, l := range ls {
		set[l.Namespace] = true
	}
	out := make([]string, 0, len(set))
	for ns := range set {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
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
