package localexec

import (
	"context"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Poll reports every handle's state from memory. A handle this process has
// not seen is reattached from disk first; from then on it is scheduled and
// watched here. Finished jobs answer from their cached summary, so polling
// thousands of handles costs map lookups, not file reads.
func (e *Executor) Poll(ctx context.Context, req *pluginapi.PollRequest) (*pluginapi.PollResponse, error) {
	if req == nil {
		return &pluginapi.PollResponse{}, nil
	}
	e.start()
	out := make([]pluginapi.JobStatus, len(req.Handles))
	attached := false
	e.mu.Lock()
	for i, h := range req.Handles {
		j, ok := e.jobs[h.ID]
		if !ok {
			var why string
			j, why = e.attach(h)
			if j == nil {
				out[i] = pluginapi.JobStatus{ID: h.ID, Status: pluginapi.Status{State: pluginapi.StateUnknown,
					ExitCode: pluginapi.NoExitCode, NativeState: "UNKNOWN", Reason: why}}
				continue
			}
			attached = true
		}
		if j.final != nil {
			out[i] = copyStatus(j.final)
		} else {
			out[i] = *summarize(j)
		}
	}
	e.mu.Unlock()
	if attached {
		e.wake()
	}
	return &pluginapi.PollResponse{Jobs: out}, nil
}

// copyStatus copies a cached status so callers cannot change the cache.
func copyStatus(js *pluginapi.JobStatus) pluginapi.JobStatus {
	c := *js
	if js.Elements != nil {
		c.Elements = append([]pluginapi.ElementStatus(nil), js.Elements...)
	}
	return c
}

// attach reattaches a handle this process does not know, or says why it
// cannot. Handles that are not ours are remembered so repeated polls of the
// same garbage do not go to the disk again. e.mu is held.
func (e *Executor) attach(h pluginapi.Handle) (*job, string) {
	key := h.ID + "\x00" + string(h.State)
	if why, ok := e.unknown[key]; ok {
		return nil, why
	}
	dir, err := decodeHandle(h)
	if err == nil {
		var j *job
		if j, err = e.loadJob(h.ID, dir); err == nil {
			return j, ""
		}
	}
	why := "not a job of the local executor: " + err.Error()
	if len(e.unknown) < 100_000 {
		e.unknown[key] = why
	}
	return nil, why
}
