package kubectllms

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

func TestPrintStatus(t *testing.T) {
	until := metav1.NewTime(time.Now().Add(time.Hour).UTC().Truncate(time.Second))
	past := metav1.NewTime(time.Now().Add(-time.Hour))
	conn := func(p *metav1.Time) Connection {
		return Connection{Key: pool.Key{Kind: v1alpha1.LMSConnectionKind, Namespace: "ns", Name: "c"},
			Status: v1alpha1.ConnectionStatus{
				CommonStatus: v1alpha1.CommonStatus{Conditions: []metav1.Condition{{Type: v1alpha1.ConditionReady,
					Status: metav1.ConditionFalse, Reason: "RateLimited"}}},
				RateLimit:          &v1alpha1.RateLimitStatus{RequestsPerHour: 2500, RequestsLastHour: 2490, PausedUntil: p},
				DeletionProtection: &v1alpha1.DeletionProtectionStatus{Held: 7, Threshold: 100}}}
	}
	reasons := map[string]map[string]int{"Learner": {"Synced": 3, "Drifted": 1}}
	cases := map[string]struct {
		reason string
		c      Connection
		want   string
	}{
		"Paused": {"a pause still running is shown, with the budget, the held deletions and the reasons", conn(&until),
			"LMSConnection ns/c: Ready False (RateLimited)\n  budget: 2490 of 2500 requests in the last hour\n" +
				"  paused until " + until.Format(time.RFC3339) + "\n  deletions held: 7 (threshold 100/hour)\n  Learners: Drifted 1, Synced 3\n"},
		"PauseOver": {"a pause that ended is not shown", conn(&past),
			"LMSConnection ns/c: Ready False (RateLimited)\n  budget: 2490 of 2500 requests in the last hour\n" +
				"  deletions held: 7 (threshold 100/hour)\n  Learners: Drifted 1, Synced 3\n"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			PrintStatus(&b, []ConnectionStatus{statusOf(tc.c, reasons)})
			if diff := cmp.Diff(tc.want, b.String()); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
