package slurmexec

// Jobs the status sources no longer list.

import (
	"fmt"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// goneElement is the status of an array element no source lists while
// others of its array are listed. With accounting that only happens to
// pending elements that were cancelled (Slurm drops them without a
// trace); without it, an element may also have been forgotten after it
// ended. When accounting should have been asked but could not be, nothing
// is concluded yet.
func (e *Executor) goneElement(acct, acctFailed bool) pluginapi.Status {
	st := pluginapi.Status{State: pluginapi.StateCancelled, ExitCode: pluginapi.NoExitCode, NativeState: "CANCELLED",
		Reason: "cancelled while pending; Slurm keeps no record of it"}
	switch {
	case acctFailed:
		st = pluginapi.Status{State: pluginapi.StatePending, ExitCode: pluginapi.NoExitCode,
			Reason: "no longer listed by squeue; accounting could not be asked about its end yet"}
	case !acct:
		st.State, st.NativeState = pluginapi.StateFailed, "VANISHED"
		st.Reason = "vanished from the scheduler: Slurm no longer lists this element and there is no accounting to ask"
	}
	return st
}

// vanished answers for a job this plugin submitted that Slurm no longer
// lists: pending while the grace lasts (a controller restarting, a
// listing in flux), then failed, so the host reads the job's result, if
// any, and a run never waits forever.
func (e *Executor) vanished(id string, hs handleState, ours bool, cfg config, now time.Time, why string) pluginapi.JobStatus {
	if !ours {
		return pluginapi.JobStatus{Status: pluginapi.Status{State: pluginapi.StateUnknown, ExitCode: pluginapi.NoExitCode,
			Reason: "Slurm does not know this job"}}
	}
	e.mu.Lock()
	first, ok := e.missing[id]
	if !ok {
		first = now
		e.missing[id] = now
	}
	e.mu.Unlock()
	if gone := now.Sub(first); gone < cfg.VanishGrace {
		return pluginapi.JobStatus{Status: pluginapi.Status{State: pluginapi.StatePending, ExitCode: pluginapi.NoExitCode,
			Reason: fmt.Sprintf("not listed by squeue for %v (%s); declared vanished after %v", gone.Round(time.Second), why, cfg.VanishGrace)}}
	}
	return pluginapi.JobStatus{Status: pluginapi.Status{State: pluginapi.StateFailed, ExitCode: pluginapi.NoExitCode,
		NativeState: "VANISHED",
		Reason:      fmt.Sprintf("vanished from the scheduler: squeue has not listed it for %v and %s", now.Sub(first).Round(time.Second), why)}}
}

func (e *Executor) forget(id string) {
	e.mu.Lock()
	delete(e.missing, id)
	e.mu.Unlock()
}
