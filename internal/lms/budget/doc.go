// Package budget keeps one connection's request budget: a token bucket that
// refills at requestsPerHour, a hard cap of requestsPerHour in any sliding
// hour, and a pause of the whole connection when the vendor reports its rate
// limit.
//
// One Budget serves every controller that uses the connection, so no
// controller can spend another's budget. Calls are never queued for long
// inside a worker: a caller with no token gets the delay until its tokens
// are due, and requeues.
//
// # Order of service
//
// An operation takes the tokens of all its calls (its reads and its writes)
// together with AcquireFor, capped at the burst. It names its caller, the
// object it works for ("Learner/ns/name"). When the tokens are not there, the
// caller gets a place in a first-in first-out queue of its priority and a wait
// that counts the tokens of every caller ahead of it, so that waiters wake one
// after the other instead of all at once. The tokens that come back are held
// for the callers ahead: a newcomer is served only from tokens beyond theirs.
// A caller that comes back keeps its place (one per caller and priority); one
// that has not come back Grace after it was due has vanished, and its place
// lapses so that it cannot block the queue. Anonymous callers (Acquire, Take,
// calls whose context names no caller) get no place and are served only from
// tokens no waiter holds.
//
// Priorities are served highest first (see lms.Priority): single-object
// writes, batches of membership writes, drift reads, progress reads. A lower
// priority must leave part of the burst in the bucket (batches a tenth, drift
// reads a fifth, progress half) and the last part of the sliding hour
// (2.5%, 5%, 10%) to the ones above. So that no priority starves for ever, each
// one below writes has a floor of the sliding hour (batches 10%, drift reads
// 5%, progress 2%): while it used less than its floor, a waiter of it that has
// waited StarveAfter is served before the higher priorities, with no reserve.
//
// # Shares
//
// Progress reads may use no more than Limits.ProgressShare of RequestsPerHour
// (DefaultProgressShare, 10%) in any sliding hour, so that per-learner
// progress never crowds out writes. When the share is spent, progress callers
// wait until enough of their calls have left the hour, staggered like any
// waiters, and hold no tokens meanwhile. The floors above are what the other
// priorities are guaranteed; progress's floor never exceeds its share.
//
// # Pause
//
// When the vendor answers HTTP 429, or reports its rate limit in an answer's
// body, the whole connection pauses: for the Retry-After the vendor gave,
// capped at MaxRetryAfter, or else for a backoff from MinPause doubling to
// MaxPause, with jitter. Nothing is sent during the pause; the waiters keep
// their places and are told to come back staggered after it.
package budget
