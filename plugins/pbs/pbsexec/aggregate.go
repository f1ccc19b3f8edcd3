package pbsexec

import (
	"fmt"
	"sort"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// fromRecords builds a handle's status from this round's records; found is
// false when qstat did not list the job.
func fromRecords(hi handleInfo, recs map[recKey]record, mc mapCtx) (pluginapi.JobStatus, bool) {
	js := pluginapi.JobStatus{ID: hi.h.ID}
	main, ok := recs[recKey{hi.id.seq, -1}]
	if !ok {
		return js, false
	}
	st := hi.state
	switch {
	case !hi.id.array:
		js.Status = mapRecord(main, mc)
		if hi.ours && st.Plain {
			js.Elements = []pluginapi.ElementStatus{{Index: st.Offset, Status: js.Status}}
		}
	default:
		indices := []int{}
		if hi.ours {
			for i := 0; i < st.Size; i++ {
				indices = append(indices, st.Offset+i)
			}
		} else {
			// Not our handle: report the subjobs qstat lists.
			for k := range recs {
				if k.seq == hi.id.seq && k.index >= 0 {
					indices = append(indices, k.index)
				}
			}
			sort.Ints(indices)
		}
		parent := mapRecord(main, mc)
		for _, i := range indices {
			var es pluginapi.Status
			if r, ok := recs[recKey{hi.id.seq, i}]; ok {
				es = mapRecord(r, mc)
			} else if parent.State.Terminal() {
				// The array ended without listing this subjob: what the
				// parent says applies.
				es = parent
			} else {
				es = pluginapi.Status{State: pluginapi.StatePending, ExitCode: pluginapi.NoExitCode, NativeState: main.State}
			}
			js.Elements = append(js.Elements, pluginapi.ElementStatus{Index: i, Status: es})
		}
		js.Status = summarize(js.Elements, parent)
	}
	return js, true
}

// severity orders final states: the worst one describes a failed array.
var severity = map[pluginapi.State]int{
	pluginapi.StateCompleted: 0, pluginapi.StateCancelled: 1, pluginapi.StateFailed: 2,
	pluginapi.StateTimeout: 3, pluginapi.StateOutOfMemory: 4, pluginapi.StateNodeFail: 5,
}

// summarize makes an array's own status from its elements (the parent's
// Exit_status is not trusted: servers take it from one subjob): running
// while any element runs or some ended and others wait, completed only
// when all completed, else the worst final state with a count.
func summarize(elems []pluginapi.ElementStatus, parent pluginapi.Status) pluginapi.Status {
	out := pluginapi.Status{ExitCode: pluginapi.NoExitCode, NativeState: parent.NativeState}
	if len(elems) == 0 {
		return parent
	}
	running, pending, bad := 0, 0, 0
	var worst *pluginapi.ElementStatus
	for i := range elems {
		e := &elems[i]
		if !e.Start.IsZero() && (out.Start.IsZero() || e.Start.Before(out.Start)) {
			out.Start = e.Start
		}
		if e.End.After(out.End) {
			out.End = e.End
		}
		switch {
		case e.State == pluginapi.StateRunning:
			running++
		case !e.State.Terminal():
			pending++
		case e.State != pluginapi.StateCompleted:
			bad++
			if worst == nil || severity[e.State] > severity[worst.State] {
				worst = e
			}
		}
	}
	switch {
	case running > 0 || pending > 0 && pending < len(elems):
		out.State, out.End = pluginapi.StateRunning, time.Time{}
	case pending > 0:
		out.State = parent.State
		if out.State.Terminal() || out.State == pluginapi.StateUnknown {
			out.State = pluginapi.StatePending
		}
		out.Reason = parent.Reason
	case bad == 0:
		out.State, out.ExitCode = pluginapi.StateCompleted, 0
	default:
		out.State, out.ExitCode = worst.State, worst.ExitCode
		out.Reason = fmt.Sprintf("%d of %d elements did not complete; element %d: %s", bad, len(elems), worst.Index, worst.Reason)
	}
	return out
}
