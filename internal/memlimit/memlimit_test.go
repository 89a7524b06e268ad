package memlimit

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseLimit(t *testing.T) {
	cases := map[string]struct {
		in      string
		want    int64
		wantErr bool
	}{
		"v2 bytes":     {in: "268435456\n", want: 268435456},
		"v2 no limit":  {in: "max\n", want: 0},
		"v1 no limit":  {in: "9223372036854771712", want: 0},
		"not a number": {in: "lots", wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := parseLimit(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("parseLimit(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestContainerLimitReadsTheFirstFileThatExists(t *testing.T) {
	dir := t.TempDir()
	v1 := filepath.Join(dir, "memory.limit_in_bytes")
	if err := os.WriteFile(v1, []byte("134217728\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := containerLimit([]string{filepath.Join(dir, "memory.max"), v1})
	if err != nil || got != 134217728 {
		t.Errorf("containerLimit = %d, %v; want the v1 file's 134217728", got, err)
	}
	if _, err := containerLimit([]string{filepath.Join(dir, "none")}); err == nil {
		t.Error("containerLimit without any file: no error")
	}
}
