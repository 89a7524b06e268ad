package main

import (
	"fmt"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// maxExamples bounds the violations printed for one check.
const maxExamples = 20

// A pauseCall is a request the simulator saw during a pause a 429 asked for.
type pauseCall struct {
	rec   lmssim.CallRecord
	pause lmssim.Pause
	// afterRestart is true when the manager was restarted between the 429
	// and the request: the new process could only know of the pause from
	// the connection's status.rateLimit.pausedUntil.
	afterRestart bool
	// killedAfter is, when afterRestart, how long after the 429 the first
	// of those restarts came: a kill within milliseconds of the 429 left the
	// process no time to record the pause.
	killedAfter time.Duration
}

// pauseCalls finds, for every logged request sent during a pause, the pause
// (the latest covering it) and whether a restart came in between.
func pauseCalls(log []lmssim.CallRecord, pauses []lmssim.Pause, restarts []time.Time) []pauseCall {
	var out []pauseCall
	for _, rec := range log {
		if !rec.InPause {
			continue
		}
		pc := pauseCall{rec: rec}
		for _, p := range pauses {
			if !rec.Time.Before(p.Start.Add(lmssim.PauseGrace)) && rec.Time.Before(p.Until) && p.Start.After(pc.pause.Start) {
				pc.pause = p
			}
		}
		for _, r := range restarts {
			if r.After(pc.pause.Start) && !r.After(rec.Time) && !pc.afterRestart {
				pc.afterRestart, pc.killedAfter = true, r.Sub(pc.pause.Start)
			}
		}
		out = append(out, pc)
	}
	return out
}

// pauseCheck is the invariant "no call sent during a 429 pause" of one
// vendor: total is the simulator's count, calls the logged ones explained.
func pauseCheck(vendor string, total, pauses int, calls []pauseCall) check {
	c := check{vendor: vendor, name: namePauses, of: pauses}
	if total == 0 {
		c.figure = fmt.Sprintf("0 calls in %d pauses", pauses)
		return c
	}
	restarted := 0
	for _, pc := range calls {
		if pc.afterRestart {
			restarted++
		}
	}
	c.figure = fmt.Sprintf("%d calls in %d pauses", total, pauses)
	c.fail("%d calls sent during a pause: %d by a manager process started after the 429, %d by the process that got it",
		total, restarted, len(calls)-restarted)
	for i, pc := range calls {
		if i == maxExamples {
			break
		}
		who := "the same process"
		if pc.afterRestart {
			who = fmt.Sprintf("a process started after a kill %s after the 429", pc.killedAfter.Round(time.Millisecond))
		}
		c.fail("%s at %s, %s after a 429 on %s (Retry-After %q, pause until %s), by %s", pc.rec.Endpoint,
			pc.rec.Time.Format("15:04:05.000"), pc.rec.Time.Sub(pc.pause.Start).Round(time.Millisecond), pc.pause.Endpoint,
			pc.pause.RetryAfter, pc.pause.Until.Format("15:04:05.000"), who)
	}
	return c
}
