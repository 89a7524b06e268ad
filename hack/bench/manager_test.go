package main

import (
	"bufio"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseVmHWM(t *testing.T) {
	type want struct {
		bytes int64
		err   bool
	}
	cases := map[string]struct {
		reason string
		status string
		want   want
	}{
		"Found": {reason: "VmHWM is in kB; the peak is read, not VmRSS",
			status: "Name:\tmanager\nVmPeak:\t 2000000 kB\nVmHWM:\t   81234 kB\nVmRSS:\t   80000 kB\n",
			want:   want{bytes: 81234 * 1024}},
		"Missing":   {reason: "a status without VmHWM is an error, not a peak of 0", status: "Name:\tmanager\n", want: want{err: true}},
		"OtherUnit": {reason: "a unit other than kB is an error", status: "VmHWM:\t 81234 MB\n", want: want{err: true}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			n, err := parseVmHWM(bufio.NewScanner(strings.NewReader(tc.status)))
			if diff := cmp.Diff(tc.want, want{bytes: n, err: err != nil}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nparseVmHWM: -want, +got:\n%s (err %v)", tc.reason, diff, err)
			}
		})
	}
}
