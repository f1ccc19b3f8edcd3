package sgeexec

import (
	"fmt"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// report turns a view's task statuses into the JobStatus of a handle. An
// array lists its elements by engine index (native task - 1) and sums them
// up: running while any runs, pending while any waits, completed when all
// completed, else the worst outcome, with the first bad element's reason.
func (v *view) report(id string) pluginapi.JobStatus {
	js := pluginapi.JobStatus{ID: id}
	if !v.ours || !v.st.isArray() {
		js.Status = *v.status[0]
		return js
	}
	tasks := v.st.tasks()
	js.Elements = make([]pluginapi.ElementStatus, len(tasks))
	counts := map[pluginapi.State]int{}
	sum := pluginapi.Status{ExitCode: pluginapi.NoExitCode}
	var bad *pluginapi.ElementStatus
	for i, t := range tasks {
		s := *v.status[t]
		js.Elements[i] = pluginapi.ElementStatus{Index: t - 1, Status: s}
		counts[s.State]++
		if !s.Start.IsZero() && (sum.Start.IsZero() || s.Start.Before(sum.Start)) {
			sum.Start = s.Start
		}
		if s.End.After(sum.End) {
			sum.End = s.End
		}
		if bad == nil && s.State.Terminal() && s.State != pluginapi.StateCompleted {
			bad = &js.Elements[i]
		}
	}
	n := len(tasks)
	switch {
	case counts[pluginapi.StateRunning] > 0:
		sum.State, sum.NativeState = pluginapi.StateRunning, "r"
		sum.Reason = fmt.Sprintf("%d of %d elements running", counts[pluginapi.StateRunning], n)
	case counts[pluginapi.StatePending] > 0 || counts[pluginapi.StateUnknown] > 0:
		sum.State, sum.NativeState = pluginapi.StatePending, "qw"
		sum.Reason = fmt.Sprintf("%d of %d elements waiting", counts[pluginapi.StatePending]+counts[pluginapi.StateUnknown], n)
	case counts[pluginapi.StateCompleted] == n:
		sum.State, sum.ExitCode, sum.NativeState = pluginapi.StateCompleted, 0, "done"
	default:
		for _, cand := range []pluginapi.State{pluginapi.StateFailed, pluginapi.StateOutOfMemory,
			pluginapi.StateTimeout, pluginapi.StateNodeFail, pluginapi.StateCancelled} {
			if counts[cand] > 0 {
				sum.State = cand
				break
			}
		}
		sum.NativeState = bad.NativeState
		sum.Reason = fmt.Sprintf("%d of %d elements did not complete; element %d: %s",
			n-counts[pluginapi.StateCompleted], n, bad.Index, bad.Reason)
	}
	if !sum.State.Terminal() {
		sum.End = time.Time{} // the job has not ended
	}
	js.Status = sum
	return js
}
