package budget

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"k8s.io/utils/clock"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// Codes of the RateLimited errors the Transport returns, in lms.Error.Code.
const (
	// CodeBudgetExhausted: the connection's budget has no token now.
	CodeBudgetExhausted = "BudgetExhausted"
	// CodePaused: the connection is paused after a 429.
	CodePaused = "Paused"
	// CodeTooManyRequests: the vendor answered 429 to this call.
	CodeTooManyRequests = "429"
)

// An Observer is told of every call a Transport sends or holds back, for metrics.
type Observer interface {
	// Sent records a call that reached the vendor, with its HTTP status (0 on a
	// transport error) and how long it took.
	Sent(op string, status int, d time.Duration)
	// Held records a call the budget held back; paused when after a 429.
	Held(op string, paused bool)
	// Paused records a pause of d after a 429.
	Paused(d time.Duration)
}

// A Transport sends every request through a Budget: it holds back a request
// with no token, and pauses the connection when the vendor answers 429.
type Transport struct {
	// Budget is the connection's budget.
	Budget *Budget
	// Base sends the requests; http.DefaultTransport when nil.
	Base http.RoundTripper
	// MaxWait is how long a request may wait for a token inside the transport
	// before it is refused with a RateLimited error; 0 never waits. Keep it short:
	// a reconcile worker must not block.
	MaxWait time.Duration
	// Clock tells the time; the real clock when nil.
	Clock clock.Clock
	// Observer, when set, is told of every call.
	Observer Observer
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	op := lms.Operation(req.Context())
	if err := t.take(req, op); err != nil {
		closeBody(req)
		return nil, err
	}
	start := t.clock().Now()
	resp, err := t.base().RoundTrip(req)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	t.observeSent(op, status, t.clock().Since(start))
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		if err == nil {
			t.Budget.Succeeded()
		}
		return resp, err
	}
	return nil, t.tooMany(resp, op)
}

// take spends the request's token: from the grant its context carries, else
// from the budget as the caller its context names (keeping its place while it
// waits up to MaxWait).
func (t *Transport) take(req *http.Request, op string) error {
	ctx := req.Context()
	spent, granted := t.Budget.spendGrant(ctx)
	if spent {
		return nil
	}
	for {
		var ok bool
		var w Wait
		if granted {
			ok, w = t.Budget.continueGrant(ctx)
		} else {
			ok, w = t.Budget.take(lms.CallerOf(ctx), lms.PriorityOf(ctx))
		}
		if ok {
			return nil
		}
		if w.After > t.MaxWait {
			if t.Observer != nil {
				t.Observer.Held(op, w.Paused)
			}
			return heldError(op, w)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.clock().After(w.After):
		}
	}
}

// heldError is the RateLimited error of a call the budget held back.
func heldError(op string, w Wait) *lms.Error {
	e := &lms.Error{Kind: lms.KindRateLimited, Op: op, RetryAfter: w.After,
		Code: CodeBudgetExhausted, Message: "the connection's request budget has no token now"}
	if w.Paused {
		e.Code = CodePaused
		e.Message = "the connection is paused after the vendor answered 429"
	} else if w.Reason != WaitTokens {
		e.Message = w.Message()
	}
	return e
}

// tooMany pauses the connection after a 429 and returns the error to report.
func (t *Transport) tooMany(resp *http.Response, op string) error {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	now := t.clock().Now()
	retryAfter, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), now)
	if ok && retryAfter < time.Second {
		retryAfter = time.Second // "retry now" still gets a breath, not a backoff
	}
	d := t.paused(now, t.Budget.Pause(retryAfter))
	return &lms.Error{Kind: lms.KindRateLimited, Op: op, Code: CodeTooManyRequests,
		Message: "the vendor answered 429 Too Many Requests", RetryAfter: d}
}

// Pause pauses the connection for a rate limit a vendor reported in the body
// of an answer, exactly as an HTTP 429 does: for retryAfter (capped at
// MaxRetryAfter), or for the backoff when it is 0, telling the Observer. It
// returns how long the pause lasts. It is what lms.Config.Pause calls.
func (t *Transport) Pause(retryAfter time.Duration) time.Duration {
	now := t.clock().Now()
	return t.paused(now, t.Budget.pauseAfterAnswer(retryAfter))
}

// paused tells the Observer of a pause until until, and returns its length.
func (t *Transport) paused(now, until time.Time) time.Duration {
	d := until.Sub(now)
	if t.Observer != nil {
		t.Observer.Paused(d)
	}
	return d
}

// ParseRetryAfter reads a Retry-After header: seconds or an HTTP date, capped
// at MaxRetryAfter (a number too large to read is the cap too). It returns
// false when the header is absent or unreadable.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, int64(MaxRetryAfter/time.Second))) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(at.Sub(now), 0), MaxRetryAfter), true
}

func (t *Transport) observeSent(op string, status int, d time.Duration) {
	if t.Observer != nil {
		t.Observer.Sent(op, status, d)
	}
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

func (t *Transport) clock() clock.Clock {
	if t.Clock != nil {
		return t.Clock
	}
	return clock.RealClock{}
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
