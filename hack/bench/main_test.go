package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseFlags(t *testing.T) {
	type want struct {
		scenarios, vendors, targets []string
		learners                    int
		sync                        time.Duration
		err                         bool
	}
	cases := map[string]struct {
		reason string
		args   []string
		want   want
	}{
		"Defaults": {reason: "every scenario, vendor and eLeaP target, 1,000 Learners at 30s", args: nil,
			want: want{scenarios: []string{"unlimited", "budget"}, vendors: []string{"eleap", "enabley", "exceed"},
				targets: []string{"course", "learningPath"}, learners: 1000, sync: 30 * time.Second}},
		"Lists": {reason: "lists are split on commas, blanks dropped",
			args: []string{"-scenarios", "unlimited", "-vendors", "eleap, exceed,", "-eleap-targets", "course", "-learners", "10000"},
			want: want{scenarios: []string{"unlimited"}, vendors: []string{"eleap", "exceed"}, targets: []string{"course"},
				learners: 10000, sync: 30 * time.Second}},
		"UnknownVendor":   {reason: "a vendor the simulator has not is refused", args: []string{"-vendors", "moodle"}, want: want{err: true}},
		"UnknownScenario": {reason: "an unknown scenario is refused", args: []string{"-scenarios", "huge"}, want: want{err: true}},
		"ChannelOnELeaP":  {reason: "eLeaP has no channels", args: []string{"-eleap-targets", "channel"}, want: want{err: true}},
		"NoLearners":      {reason: "a scenario needs a Learner", args: []string{"-learners", "0"}, want: want{err: true}},
		"ShortSync":       {reason: "the CRD refuses a syncInterval under 1s", args: []string{"-sync", "500ms"}, want: want{err: true}},
		"NegativePages":   {reason: "pagesPerSync is 0 (unset) or more", args: []string{"-pages-per-sync", "-1"}, want: want{err: true}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := parseFlags(tc.args)
			got := want{err: err != nil}
			if err == nil {
				got = want{scenarios: c.scenarios, vendors: c.vendors, targets: c.eleapTargets, learners: c.learners, sync: c.sync}
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nparseFlags(%q): -want, +got:\n%s (err %v)", tc.reason, tc.args, diff, err)
			}
		})
	}
}

func TestManagerEnvGivesTheSoftLimitOfTheContainer(t *testing.T) {
	cases := map[string]struct {
		reason string
		args   []string
		want   []string
		err    bool
	}{
		"Chart":   {reason: "by default the manager runs as under the chart's 256Mi: 40 % of it", want: []string{"GOMEMLIMIT=107374182"}},
		"Larger":  {reason: "a quantity is read as Kubernetes writes it", args: []string{"-memory-limit", "1Gi"}, want: []string{"GOMEMLIMIT=429496729"}},
		"None":    {reason: "0 runs the manager without a soft limit", args: []string{"-memory-limit", "0"}},
		"Garbage": {reason: "what is not a quantity is refused", args: []string{"-memory-limit", "lots"}, err: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := parseFlags(tc.args)
			if (err != nil) != tc.err {
				t.Fatalf("%s\nparseFlags(%q): error %v, want error %v", tc.reason, tc.args, err, tc.err)
			}
			if diff := cmp.Diff(tc.want, c.managerEnv()); err == nil && diff != "" {
				t.Errorf("%s\nmanagerEnv(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
