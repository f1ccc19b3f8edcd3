package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/core/runspec"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/pluginapi"
)

// ingestOne applies the result file of in's current attempt, if there is
// one, and reports whether there was.
func (d *dispatcher) ingestOne(j *job, in *inst, sts statuses) bool {
	b, err := os.ReadFile(d.resultPath(j, in))
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	if err == nil && !bytes.HasSuffix(b, []byte("\n")) && !json.Valid(b) {
		// The shell worker is still writing its one line (the Go worker
		// renames a complete file into place). If its job has ended and
		// the line never completes, reconcile fails the attempt.
		return false
	}
	var res runspec.Result
	if err == nil {
		if bytes.HasPrefix(b, []byte(`{"shell":`)) {
			var sr shellResult
			if err = json.Unmarshal(b, &sr); err == nil {
				res, err = d.complete(j, in, sr.ExitCode, sr.Host, epoch(sr.Start), epoch(sr.End))
			}
		} else {
			err = json.Unmarshal(b, &res)
		}
	}
	if err != nil {
		d.failAttempt(j, in, "failed", fmt.Sprintf("unreadable result file %s: %v", d.resultPath(j, in), err), "BAD_RESULT", pluginapi.NoExitCode)
		return true
	}
	d.applyResult(j, in, res, sts)
	return true
}

// applyResult settles in's current attempt with a worker's result.
func (d *dispatcher) applyResult(j *job, in *inst, res runspec.Result, sts statuses) {
	in.Host, in.PeakMemory = res.Host, res.PeakRSS
	in.Started, in.Finished = res.Start, res.End
	switch res.Outcome {
	case runspec.Succeeded:
		value, verr := resultJSON(res.Value)
		if verr != nil {
			d.failAttempt(j, in, "failed", verr.Error(), "BAD_RESULT", res.ExitCode)
			return
		}
		in.set(store.InstanceSucceeded, "")
		in.ExitCode = 0
		in.NativeState = "COMPLETED"
		in.Result = value
		in.Outputs = toStoreOutputs(res.Outputs)
		d.attempts = append(d.attempts, in.AttemptRecord())
		d.m.record(j, in)
		if j.hc.Cache && in.Identity != "" {
			d.cachePut = append(d.cachePut, store.CacheEntry{Identity: in.Identity, RunID: in.RunID, Task: in.Task,
				Index: in.Index, Outputs: in.Outputs, Result: in.Result, Created: time.Now(), LastUsed: time.Now()})
		}
	case runspec.Terminated:
		// The scheduler sent SIGTERM: its own state says why (time limit,
		// cancellation, preemption).
		kind, reason := "failed", "terminated by the scheduler ("+res.Signal+")"
		if st, ok := schedulerEnded(sts, in); ok {
			kind, reason = failureOf(st)
		} else if st, ok := sts.of(in); ok && st.State == pluginapi.StateFailed && st.Reason != "" {
			reason += ": " + st.Reason
		}
		d.failAttempt(j, in, kind, reason, "TERMINATED", res.ExitCode)
	default:
		reason := res.Reason
		if reason == "" {
			reason = fmt.Sprintf("command exited with status %d", res.ExitCode)
		}
		kind, native := "failed", "FAILED"
		// A command the scheduler killed (the cgroup OOM killer, a time
		// limit) looks to the surviving worker like any death by signal:
		// the scheduler's word decides the kind, so retry { on = ["oom"] }
		// and mem_factor apply.
		if st, ok := schedulerEnded(sts, in); ok {
			var why string
			kind, why = failureOf(st)
			reason = why + " (" + reason + ")"
			native = st.NativeState
		}
		d.failAttempt(j, in, kind, reason, native, res.ExitCode)
	}
}

// schedulerEnded returns the scheduler's status of in when the scheduler
// itself ended the job (out of memory, time limit, node failure, cancel):
// a terminal state that is neither the job's own success nor its own
// failure. Its word then explains a worker's result better than the
// worker can.
func schedulerEnded(sts statuses, in *inst) (status, bool) {
	st, ok := sts.of(in)
	if !ok || !st.State.Terminal() || st.State == pluginapi.StateCompleted || st.State == pluginapi.StateFailed {
		return status{}, false
	}
	return st, true
}

// resultJSON turns the content of $REFLOW_RESULT into the JSON the store
// keeps: JSON stays as it is, other text becomes a JSON string (without its
// trailing newline), nothing stays nothing.
func resultJSON(raw []byte) (json.RawMessage, error) {
	if err := runspec.CheckValue(raw); err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(raw)
	switch {
	case len(trimmed) == 0:
		return nil, nil
	case json.Valid(trimmed):
		return json.RawMessage(trimmed), nil
	}
	s, _ := json.Marshal(strings.TrimRight(string(raw), "\n"))
	return s, nil
}
