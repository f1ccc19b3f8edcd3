package localexec

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// This file turns what is on disk into reflow states, and element states
// into a job's summary.

const (
	reasonVanished = "process vanished without an exit status"
	// claimTimeout is how long an element may stay claimed without a pid
	// before it is given up: the launching plugin died between claiming the
	// element and recording the process.
	claimTimeout = 30 * time.Second
)

// exitStatus interprets a status the runner recorded. Like any shell,
// bash reports a child killed by signal N as 128+N.
func exitStatus(code int) pluginapi.Status {
	st := pluginapi.Status{ExitCode: code, NativeState: "EXITED"}
	switch {
	case code == 0:
		st.State = pluginapi.StateCompleted
	case code > 128 && code < 128+65:
		sig := syscall.Signal(code - 128)
		st.State = pluginapi.StateFailed
		st.NativeState = "SIGNALED"
		st.Reason = fmt.Sprintf("killed by signal %d (%s)", int(sig), sig)
	default:
		st.State = pluginapi.StateFailed
		st.Reason = fmt.Sprintf("exit status %d", code)
	}
	return st
}

func cancelledStatus(start, end time.Time, reason string) pluginapi.Status {
	return pluginapi.Status{State: pluginapi.StateCancelled, ExitCode: pluginapi.NoExitCode,
		NativeState: "CANCELLED", Reason: reason, Start: start, End: end}
}

// resolveEnded decides the final status of an element whose process is
// gone, from its files: a decision another plugin wrote, then the plugin's
// markers (timeout, cancel), then the exit status the runner wrote. A process
// gone without any of them was killed from outside together with its runner.
func resolveEnded(j *job, el *elem, now time.Time) pluginapi.Status {
	if st, ok := readFinal(j.dir, el.index); ok {
		return st
	}
	start := el.st.Start
	if start.IsZero() {
		if b, err := os.ReadFile(elemFile(j.dir, el.index, sufPid)); err == nil {
			if pi, ok := parsePid(b); ok {
				start = pi.launch
			}
		}
	}
	code, exitAt, haveExit := readExit(j.dir, el.index)
	var st pluginapi.Status
	// A marker only counts if it came before the job exited by itself:
	// a job finishing just as its limit passed keeps its own status.
	marker := func(suf string) bool {
		fi, err := os.Stat(elemFile(j.dir, el.index, suf))
		return err == nil && (!haveExit || !exitAt.Before(fi.ModTime()))
	}
	switch {
	case marker(sufTimeout):
		st = pluginapi.Status{State: pluginapi.StateTimeout, ExitCode: pluginapi.NoExitCode, NativeState: "TIMEOUT",
			Reason: "exceeded time limit " + fmtDuration(j.rec.TimeLimit)}
	case marker(sufCancel):
		st = cancelledStatus(time.Time{}, time.Time{}, "cancelled while running")
	case haveExit:
		st = exitStatus(code)
	default:
		st = pluginapi.Status{State: pluginapi.StateFailed, ExitCode: pluginapi.NoExitCode,
			NativeState: "LOST", Reason: reasonVanished}
	}
	if haveExit {
		st.ExitCode = code
		st.End = exitAt
	} else {
		st.End = now
	}
	st.Start = start
	if !haveExit && st.State == pluginapi.StateFailed {
		// Record the verdict: a later reattach must not date it anew.
		_ = writeFinal(j.dir, el.index, st)
	}
	return st
}

// readExit reads the status file the runner wrote, and when.
func readExit(dir string, index int) (int, time.Time, bool) {
	p := elemFile(dir, index, sufExit)
	b, err := os.ReadFile(p)
	if err != nil || len(b) == 0 || b[len(b)-1] != '\n' {
		// Absent, or still being written: the runner writes one line.
		return 0, time.Time{}, false
	}
	code, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, time.Time{}, false
	}
	return code, mtime(p), true
}

// statusOf is an element's status as Poll reports it.
func statusOf(j *job, el *elem) pluginapi.Status {
	st := el.st
	if st.State == pluginapi.StatePending {
		st.Reason = el.waitWhy
		if st.Reason == "" {
			st.Reason = j.waitWhy
		}
	}
	return st
}

// summarize is a job's status: for a plain job its element's, for an array
// a summary (running while any element runs, completed only when all did,
// otherwise the most telling failure) plus every element.
func summarize(j *job) *pluginapi.JobStatus {
	js := &pluginapi.JobStatus{ID: j.id}
	if !j.rec.Array {
		js.Status = statusOf(j, j.elems[0])
		return js
	}
	js.Elements = make([]pluginapi.ElementStatus, len(j.elems))
	var start, end time.Time
	counts := map[pluginapi.State]int{}
	for i, el := range j.elems {
		st := statusOf(j, el)
		js.Elements[i] = pluginapi.ElementStatus{Index: el.index, Status: st}
		counts[st.State]++
		if !st.Start.IsZero() && (start.IsZero() || st.Start.Before(start)) {
			start = st.Start
		}
		if st.End.After(end) {
			end = st.End
		}
	}
	s := pluginapi.Status{ExitCode: pluginapi.NoExitCode, Start: start}
	n := len(j.elems)
	switch {
	case counts[pluginapi.StateRunning] > 0:
		s.State, s.NativeState = pluginapi.StateRunning, "RUNNING"
		s.Reason = fmt.Sprintf("%d of %d elements running, %d ended", counts[pluginapi.StateRunning], n, j.ended)
	case counts[pluginapi.StatePending] > 0:
		s.State, s.NativeState = pluginapi.StatePending, "PENDING"
		s.Reason = j.waitWhy
	case counts[pluginapi.StateCompleted] == n:
		s.State, s.NativeState, s.ExitCode, s.End = pluginapi.StateCompleted, "EXITED", 0, end
	default:
		// The worst outcome names the job; the reason says how many
		// elements did not complete and why the first one did not.
		for _, cand := range []pluginapi.State{pluginapi.StateFailed, pluginapi.StateOutOfMemory,
			pluginapi.StateTimeout, pluginapi.StateNodeFail, pluginapi.StateCancelled} {
			if counts[cand] > 0 {
				s.State = cand
				break
			}
		}
		s.End = end
		bad := j.firstBad
		s.NativeState = bad.st.NativeState
		s.Reason = fmt.Sprintf("%d of %d elements did not complete; element %d: %s",
			n-counts[pluginapi.StateCompleted], n, bad.index, describe(bad.st))
	}
	js.Status = s
	// Runs of elements in the same state go out as one entry each: a
	// 10,000-element array being worked through is a handful of runs.
	js.Elements = pluginapi.MergeElements(js.Elements)
	return js
}

// describe is a short phrase for a terminal status.
func describe(st pluginapi.Status) string {
	if st.Reason != "" {
		return st.Reason
	}
	return string(st.State)
}
