package lms

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

func TestReadAnswer(t *testing.T) {
	type want struct {
		body     string
		tooLarge bool
		kind     ErrorKind
		message  string
	}
	cases := map[string]struct {
		reason string
		body   string
		limit  int64
		want   want
	}{
		"Short":   {"an answer under the limit is read whole", "hello", 10, want{body: "hello"}},
		"AtLimit": {"an answer of exactly the limit is read whole", "0123456789", 10, want{body: "0123456789"}},
		"Over": {"an answer one byte over the limit is a Transient error that says so, not an answer cut short", "0123456789X", 10,
			want{tooLarge: true, kind: KindTransient, message: "the answer is larger than the client reads (10 bytes)"}},
		"Empty": {"an empty answer is an empty body", "", 10, want{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := ReadAnswer(strings.NewReader(tc.body), tc.limit, "op")
			got := want{body: string(b), tooLarge: errors.Is(err, ErrAnswerTooLarge), kind: KindOf(err)}
			if err != nil {
				got.message = Message(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nReadAnswer: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestReadAnswerPassesOnReadErrors(t *testing.T) {
	cause := errors.New("connection reset")
	_, err := ReadAnswer(iotest.ErrReader(cause), 10, "op")
	if !errors.Is(err, cause) || errors.Is(err, ErrAnswerTooLarge) || KindOf(err) != KindTransient {
		t.Errorf("ReadAnswer of a failing reader = %v, want a Transient error wrapping %v", err, cause)
	}
}
