package localexec

import (
	"context"
	"strconv"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Cancel cancels many jobs: pending elements end as cancelled at once,
// running ones get SIGTERM now and SIGKILL from the scheduler loop after
// the grace period. Finished and unknown jobs are left alone without
// complaint.
func (e *Executor) Cancel(ctx context.Context, req *pluginapi.CancelRequest) (*pluginapi.CancelResponse, error) {
	if req == nil {
		return &pluginapi.CancelResponse{}, nil
	}
	e.start()
	var diags pluginapi.Diagnostics
	e.mu.Lock()
	now := e.now()
	for i, h := range req.Handles {
		j, ok := e.jobs[h.ID]
		if !ok {
			if j, _ = e.attach(h); j == nil {
				continue
			}
		}
		if j.done() {
			continue
		}
		// The job-level marker goes first: it is what keeps pending
		// elements from starting if this process dies mid-way.
		if err := writeAtomic(cancelPath(j.dir), []byte(now.UTC().Format("2006-01-02T15:04:05.000000000Z")+"\n")); err != nil {
			diags = diags.Errorf("handles["+strconv.Itoa(i)+"]", "cannot record the cancellation of %s: %v", j.id, err)
			continue
		}
		j.cancelled = true
		for _, el := range j.elems {
			if el.st.State == pluginapi.StatePending && exists(elemFile(j.dir, el.index, sufPid)) {
				// Another plugin process claimed it before the marker
				// was there (it checks the marker after claiming): it
				// may be running, so cancel it as a running element.
				el.st = pluginapi.Status{State: pluginapi.StateRunning, ExitCode: pluginapi.NoExitCode, NativeState: "RUNNING", Start: now}
				el.claimedAt = now
				j.running++
				e.used += j.rec.CPUs
			}
			switch el.st.State {
			case pluginapi.StatePending:
				e.setEnded(j, el, cancelledStatus(time.Time{}, now, "cancelled before it started"))
			case pluginapi.StateRunning:
				if el.cancelling {
					continue
				}
				_ = writeAtomic(elemFile(j.dir, el.index, sufCancel), []byte("\n"))
				el.cancelling = true
				e.terminate(el, now)
			}
		}
	}
	e.retire()
	e.mu.Unlock()
	e.wake()
	return &pluginapi.CancelResponse{Diagnostics: diags}, nil
}
