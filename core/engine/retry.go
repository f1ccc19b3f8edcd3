package engine

import (
	"fmt"
	"slices"

	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/pluginapi"
)

// retries sends instances whose attempt just failed back to pending when
// their retry {} block allows another attempt for that kind of failure.
func (d *dispatcher) retries() bool {
	changed := false
	d.m.live(func(j *job, in *inst) {
		if in.failKind == "" {
			return
		}
		kind := in.failKind
		in.failKind = ""
		changed = true
		r := j.hc.Retry
		attempts := max(r.Attempts, 1)
		if d.cancelled || in.Attempt >= attempts || (len(r.On) > 0 && !slices.Contains(r.On, kind)) {
			d.failed = true
			d.events = append(d.events, fmt.Sprintf("%s failed: %s", displayName(j, in), in.Reason))
			return
		}
		switch kind {
		case "oom":
			in.oomRetries++
		case "timeout":
			in.timeoutRetries++
		}
		d.events = append(d.events, fmt.Sprintf("%s attempt %d of %d failed (%s); retrying",
			displayName(j, in), in.Attempt, attempts, in.Reason))
		in.set(store.InstancePending, "retrying after: "+in.Reason)
		in.retryRound = d.round
		// The failed attempt's record must be stored before the next
		// attempt goes out (the journal knows only submissions).
		d.mustCommit = true
		in.Handle = pluginapi.Handle{}
		in.ExitCode = pluginapi.NoExitCode
	})
	return changed
}
