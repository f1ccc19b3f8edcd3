package fluxexec

import (
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// oomMarker is what Flux's job shell logs to the job's stderr when the
// cgroup memory controller kills a task (flux-core 0.53+, cgroup v2).
const oomMarker = "Memory cgroup out of memory"

// statusOf maps a Flux record to reflow's vocabulary:
//
//	DEPEND, PRIORITY, SCHED            pending
//	RUN, CLEANUP                       running
//	INACTIVE + COMPLETED               completed
//	INACTIVE + CANCELED                cancelled
//	INACTIVE + TIMEOUT                 timeout
//	INACTIVE + FAILED, returncode 137, no exception, and the OOM line in stderr
//	                                   out_of_memory
//	INACTIVE + FAILED, exec exception "lost contact …", or node-failure
//	                                   node_fail
//	INACTIVE + FAILED otherwise        failed (dependency never satisfiable,
//	                                   cannot be allocated, exit status, signal)
//
// stderrPath is the job's stderr file, read only for a SIGKILL that may
// have been the OOM killer.
func statusOf(r record, stderrPath string) pluginapi.Status {
	st := pluginapi.Status{ExitCode: pluginapi.NoExitCode, NativeState: r.State}
	if r.TRun > 0 {
		st.Start = epochTime(r.TRun)
	}
	switch r.State {
	case "DEPEND":
		st.State = pluginapi.StatePending
		st.Reason = "waiting for dependencies"
		if len(r.Dependencies) > 0 {
			st.Reason += ": " + strings.Join(r.Dependencies, ", ")
		}
		return st
	case "NEW", "PRIORITY", "SCHED":
		st.State = pluginapi.StatePending
		if r.Urgency != nil && *r.Urgency == 0 {
			st.Reason = "held (urgency 0); release with flux job urgency ID default"
		}
		return st
	case "RUN", "CLEANUP":
		st.State = pluginapi.StateRunning
		return st
	case "INACTIVE":
	default:
		st.State = pluginapi.StateUnknown
		st.Reason = fmt.Sprintf("flux reports an unknown state %q", r.State)
		return st
	}

	st.NativeState = r.Result
	if r.TInactive > 0 {
		st.End = epochTime(r.TInactive)
	}
	ran := r.TRun > 0
	if ran && r.Returncode != nil && *r.Returncode >= 0 {
		st.ExitCode = *r.Returncode
	}
	x := r.Exception
	note := func(prefix string) string {
		if x.Note != "" {
			return prefix + ": " + x.Note
		}
		return prefix
	}
	switch r.Result {
	case "COMPLETED":
		st.State = pluginapi.StateCompleted
		st.ExitCode = 0
	case "CANCELED":
		st.State = pluginapi.StateCancelled
		st.Reason = note("cancelled")
	case "TIMEOUT":
		st.State = pluginapi.StateTimeout
		st.Reason = note("exceeded its time limit")
	case "FAILED":
		st.State = pluginapi.StateFailed
		switch {
		case x.Occurred && x.Type == "dependency":
			st.Reason = note("dependency can never be satisfied")
		case x.Occurred && x.Type == "alloc":
			st.Reason = note("Flux cannot allocate what the job asks for")
		case x.Occurred && (x.Type == "node-failure" || x.Type == "exec" && strings.Contains(x.Note, "lost contact")):
			st.State = pluginapi.StateNodeFail
			st.Reason = note("node failure")
		case x.Occurred:
			st.Reason = note("exception " + x.Type)
		case r.Returncode != nil && *r.Returncode == 128+9 && stderrHasOOM(stderrPath):
			st.State = pluginapi.StateOutOfMemory
			st.Reason = "killed by the out-of-memory killer (" + oomMarker + ")"
		case r.Returncode != nil && *r.Returncode > 128:
			sig := syscall.Signal(*r.Returncode - 128)
			st.Reason = fmt.Sprintf("killed by signal %d (%v)", int(sig), sig)
		case r.Returncode != nil && *r.Returncode < 0:
			st.Reason = fmt.Sprintf("the job shell was killed by signal %d", -*r.Returncode)
		case r.Returncode != nil:
			st.Reason = fmt.Sprintf("exit status %d", *r.Returncode)
		default:
			st.Reason = "failed"
		}
		if !ran {
			st.ExitCode = pluginapi.NoExitCode
		}
	default:
		st.State = pluginapi.StateFailed
		st.Reason = fmt.Sprintf("Flux result %q", r.Result)
	}
	if r.InactiveReason != "" && st.State != pluginapi.StateCompleted && !strings.Contains(st.Reason, r.InactiveReason) {
		st.Reason += " (flux: " + r.InactiveReason + ")"
	}
	return st
}

func epochTime(f float64) time.Time {
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9))
}

// stderrHasOOM looks for the job shell's OOM line in the last 64 KiB of
// the job's stderr.
func stderrHasOOM(path string) bool {
	if path == "" {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > 64<<10 {
		f.Seek(fi.Size()-64<<10, io.SeekStart)
	}
	b, _ := io.ReadAll(io.LimitReader(f, 64<<10))
	return strings.Contains(string(b), oomMarker)
}

// stateRank orders how badly an element ended, for an array's summary.
var stateRank = map[pluginapi.State]int{
	pluginapi.StateFailed: 5, pluginapi.StateOutOfMemory: 4, pluginapi.StateTimeout: 3,
	pluginapi.StateNodeFail: 2, pluginapi.StateCancelled: 1,
}

// summarize is an array's status from its elements': running while any
// runs, pending while the rest wait, completed only when all completed;
// otherwise the worst way an element ended, naming it.
func summarize(els []pluginapi.ElementStatus) pluginapi.Status {
	var (
		running, waiting, unknown, bad int
		worst                          *pluginapi.ElementStatus
		start, end                     time.Time
	)
	for i := range els {
		e := &els[i]
		if !e.Start.IsZero() && (start.IsZero() || e.Start.Before(start)) {
			start = e.Start
		}
		if e.End.After(end) {
			end = e.End
		}
		switch e.State {
		case pluginapi.StateRunning:
			running++
		case pluginapi.StatePending:
			waiting++
		case pluginapi.StateUnknown:
			unknown++
		case pluginapi.StateCompleted:
		default:
			bad++
			if worst == nil || stateRank[e.State] > stateRank[worst.State] {
				worst = e
			}
		}
	}
	st := pluginapi.Status{ExitCode: pluginapi.NoExitCode, Start: start}
	n := len(els)
	switch {
	case running > 0:
		st.State, st.NativeState = pluginapi.StateRunning, "RUN"
		st.Reason = fmt.Sprintf("%d of %d elements running", running, n)
	case waiting > 0 || (unknown > 0 && unknown < n):
		st.State, st.NativeState = pluginapi.StatePending, "PENDING"
		st.Reason = fmt.Sprintf("%d of %d elements waiting", waiting+unknown, n)
	case unknown == n:
		st.State = pluginapi.StateUnknown
		st.Reason = "Flux knows none of the array's jobs"
	case worst == nil:
		st.State, st.NativeState, st.ExitCode, st.End = pluginapi.StateCompleted, "COMPLETED", 0, end
	default:
		st = worst.Status
		st.Start, st.End = start, end
		st.Reason = fmt.Sprintf("element %d: %s", worst.Index, worst.Reason)
		if bad > 1 {
			st.Reason += fmt.Sprintf(" (%d of %d elements did not complete)", bad, n)
		}
	}
	return st
}
