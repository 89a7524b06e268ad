package lms

import (
	"errors"
	"fmt"
	"io"
)

// ErrAnswerTooLarge is wrapped by ReadAnswer's error for an answer longer
// than the client reads.
var ErrAnswerTooLarge = errors.New("the answer is larger than the client reads")

// ReadAnswer reads the body of an answer to the operation op to its end, at
// most limit bytes. It reads one byte more, so that a longer answer is an
// error that says so, never an answer cut short without a word. Its errors
// are KindTransient *Error values; the one of a long answer wraps
// ErrAnswerTooLarge and says the limit in its Message.
func ReadAnswer(r io.Reader, limit int64, op string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, &Error{Kind: KindTransient, Op: op, Err: fmt.Errorf("read answer: %w", err)}
	}
	if int64(len(b)) > limit {
		return nil, &Error{Kind: KindTransient, Op: op, Err: ErrAnswerTooLarge,
			Message: fmt.Sprintf("%s (%d bytes)", ErrAnswerTooLarge, limit)}
	}
	return b, nil
}
