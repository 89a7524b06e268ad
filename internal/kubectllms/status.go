package kubectllms

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// A ConnectionStatus is what status prints of one connection.
type ConnectionStatus struct {
	Connection       string `json:"connection"`
	Ready            string `json:"ready"`
	RequestsLastHour int32  `json:"requestsLastHour"`
	RequestsPerHour  int32  `json:"requestsPerHour"`
	PausedUntil      string `json:"pausedUntil,omitempty"`
	HeldDeletions    int32  `json:"heldDeletions"`
	Threshold        int32  `json:"deletionThreshold"`
	// Reasons counts the dependents by kind and Ready reason ("Pending" when none yet).
	Reasons map[string]map[string]int `json:"reasons"`
}

// RunStatus reads the connections of namespace ns, and every
// ClusterLMSConnection, with their dependents' Ready reasons.
func RunStatus(ctx context.Context, r client.Reader, ns string) ([]ConnectionStatus, error) {
	if r == nil {
		return nil, fmt.Errorf("status reads the cluster: it cannot run --offline")
	}
	var conns v1alpha1.LMSConnectionList
	if err := r.List(ctx, &conns, client.InNamespace(ns)); err != nil {
		return nil, fmt.Errorf("list LMSConnections: %w", err)
	}
	var clusterConns v1alpha1.ClusterLMSConnectionList
	if err := r.List(ctx, &clusterConns); err != nil {
		return nil, fmt.Errorf("list ClusterLMSConnections: %w", err)
	}
	all := make([]Connection, 0, len(conns.Items)+len(clusterConns.Items))
	for i := range conns.Items {
		all = append(all, fromLMSConnection(&conns.Items[i]))
	}
	for i := range clusterConns.Items {
		all = append(all, fromClusterConnection(&clusterConns.Items[i]))
	}
	reasons, err := dependentReasons(ctx, r, ns)
	if err != nil {
		return nil, err
	}
	out := make([]ConnectionStatus, 0, len(all))
	for _, c := range all {
		out = append(out, statusOf(c, reasons[c.Key]))
	}
	return out, nil
}

// statusOf renders a connection's status fields.
func statusOf(c Connection, reasons map[string]map[string]int) ConnectionStatus {
	s := ConnectionStatus{Connection: c.Key.Kind + " " + c.Key.String(), Ready: readyOf(c.Status.Conditions), Reasons: reasons}
	if rl := c.Status.RateLimit; rl != nil {
		s.RequestsLastHour, s.RequestsPerHour = rl.RequestsLastHour, rl.RequestsPerHour
		if rl.PausedUntil != nil && rl.PausedUntil.After(time.Now()) {
			s.PausedUntil = rl.PausedUntil.UTC().Format(time.RFC3339)
		}
	}
	if dp := c.Status.DeletionProtection; dp != nil {
		s.HeldDeletions, s.Threshold = dp.Held, dp.Threshold
	}
	if s.Reasons == nil {
		s.Reasons = map[string]map[string]int{}
	}
	return s
}

// readyOf is "True (Reason)" of the Ready condition, or "Pending".
func readyOf(conds []metav1.Condition) string {
	c := apimeta.FindStatusCondition(conds, v1alpha1.ConditionReady)
	if c == nil {
		return "Pending"
	}
	return fmt.Sprintf("%s (%s)", c.Status, c.Reason)
}

// reasonOf is the Ready reason of conds, "Pending" when there is none.
func reasonOf(conds []metav1.Condition) string {
	if c := apimeta.FindStatusCondition(conds, v1alpha1.ConditionReady); c != nil {
		return c.Reason
	}
	return "Pending"
}

// dependentReasons counts the Learners, LearnerGroups and Enrollments of
// namespace ns by connection, kind and Ready reason.
func dependentReasons(ctx context.Context, r client.Reader, ns string) (map[pool.Key]map[string]map[string]int, error) {
	out := map[pool.Key]map[string]map[string]int{}
	add := func(kind, objNS string, ref v1alpha1.ConnectionReference, conds []metav1.Condition) {
		k := connectionKey(objNS, ref)
		if out[k] == nil {
			out[k] = map[string]map[string]int{}
		}
		if out[k][kind] == nil {
			out[k][kind] = map[string]int{}
		}
		out[k][kind][reasonOf(conds)]++
	}
	var ls v1alpha1.LearnerList
	var gs v1alpha1.LearnerGroupList
	var es v1alpha1.EnrollmentList
	for _, l := range []client.ObjectList{&ls, &gs, &es} {
		if err := r.List(ctx, l, client.InNamespace(ns)); err != nil {
			return nil, fmt.Errorf("list %T: %w", l, err)
		}
	}
	for _, o := range ls.Items {
		add("Learner", o.Namespace, o.Spec.ConnectionRef, o.Status.Conditions)
	}
	for _, o := range gs.Items {
		add("LearnerGroup", o.Namespace, o.Spec.ConnectionRef, o.Status.Conditions)
	}
	for _, o := range es.Items {
		add("Enrollment", o.Namespace, o.Spec.ConnectionRef, o.Status.Conditions)
	}
	return out, nil
}

// PrintStatus writes the connections' status as text.
func PrintStatus(w io.Writer, list []ConnectionStatus) {
	for _, s := range list {
		_, _ = fmt.Fprintf(w, "%s: Ready %s\n", s.Connection, s.Ready)
		_, _ = fmt.Fprintf(w, "  budget: %d of %d requests in the last hour\n", s.RequestsLastHour, s.RequestsPerHour)
		if s.PausedUntil != "" {
			_, _ = fmt.Fprintf(w, "  paused until %s\n", s.PausedUntil)
		}
		_, _ = fmt.Fprintf(w, "  deletions held: %d (threshold %d/hour)\n", s.HeldDeletions, s.Threshold)
		for _, kind := range []string{"Learner", "LearnerGroup", "Enrollment"} {
			if r := s.Reasons[kind]; len(r) > 0 {
				_, _ = fmt.Fprintf(w, "  %ss: %s\n", kind, countsLine(r))
			}
		}
	}
}

// countsLine renders counts by reason, sorted: "Synced 3, Drifted 1".
func countsLine(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
