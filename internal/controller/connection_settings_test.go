package controller

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

func TestPagesPerSyncOfASpec(t *testing.T) {
	cases := map[string]struct {
		reason string
		rl     *v1alpha1.RateLimit
		sync   time.Duration
		want   int
	}{
		"NoRateLimit": {
			reason: "without spec.rateLimit, a quarter of the 600 requests 3,600 an hour allow in the default 10m",
			want:   150,
		},
		"Unset": {
			reason: "a rateLimit without pagesPerSync takes a quarter of its own interval's requests",
			rl:     &v1alpha1.RateLimit{RequestsPerHour: ptr.To[int32](1200), Burst: ptr.To[int32](5)}, sync: time.Minute,
			want: 5,
		},
		"TinyBudget": {
			reason: "a budget that allows less than four requests an interval still reads a page an interval",
			rl:     &v1alpha1.RateLimit{RequestsPerHour: ptr.To[int32](60)}, sync: time.Minute,
			want: 1,
		},
		"Set": {reason: "pagesPerSync is taken as given", rl: &v1alpha1.RateLimit{PagesPerSync: ptr.To[int32](4)}, want: 4},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := &v1alpha1.ConnectionSettings{Provider: v1alpha1.ProviderEnabley, RateLimit: tc.rl}
			if tc.sync > 0 {
				s.SyncInterval = &metav1.Duration{Duration: tc.sync}
			}
			if diff := cmp.Diff(tc.want, settingsOf(s).PagesPerSync); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
