package controller

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

func TestPagesPerSyncOfASpec(t *testing.T) {
	cases := map[string]struct {
		reason string
		rl     *v1alpha1.RateLimit
		want   int
	}{
		"NoRateLimit": {reason: "without spec.rateLimit every read is whole", want: 0},
		"Unset":       {reason: "a rateLimit without pagesPerSync reads whole", rl: &v1alpha1.RateLimit{Burst: ptr.To[int32](5)}, want: 0},
		"Set":         {reason: "pagesPerSync is taken as given", rl: &v1alpha1.RateLimit{PagesPerSync: ptr.To[int32](4)}, want: 4},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := &v1alpha1.ConnectionSettings{Provider: v1alpha1.ProviderEnabley, RateLimit: tc.rl}
			if diff := cmp.Diff(tc.want, settingsOf(s).PagesPerSync); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
