package fluxexec

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Poll answers for many handles with one `flux jobs --json ID...` over
// every element id of every handle (split only when the command line would
// be too long). Ids Flux no longer lists were purged from its history (or
// never existed): a job this plugin submitted is reported failed
// ("vanished") once history_grace has passed since its submission, unless
// this process saw how it ended; a bare id from elsewhere is unknown.
func (e *Executor) Poll(ctx context.Context, req *pluginapi.PollRequest) (*pluginapi.PollResponse, error) {
	if req == nil {
		req = &pluginapi.PollRequest{}
	}
	resp := &pluginapi.PollResponse{Jobs: make([]pluginapi.JobStatus, len(req.Handles))}
	ts := make([]tracked, len(req.Handles))
	bad := make([]error, len(req.Handles))
	seen := map[uint64]bool{}
	var ids []uint64
	for i, h := range req.Handles {
		ts[i], bad[i] = parseHandle(h)
		if bad[i] != nil {
			continue
		}
		for _, id := range ts[i].ids {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	byID := map[uint64]record{}
	var qerr error
	if len(ids) > 0 {
		var recs []record
		recs, _, qerr = e.query(ctx, ids)
		for _, r := range recs {
			byID[r.ID] = r
		}
	}
	if qerr != nil {
		resp.Diagnostics = resp.Diagnostics.Errorf("", "flux jobs failed; reporting the last states seen: %v", qerr)
	}

	cfg := e.config()
	now := time.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, h := range req.Handles {
		js := pluginapi.JobStatus{ID: h.ID}
		if bad[i] != nil {
			js.Status = pluginapi.Status{State: pluginapi.StateUnknown, ExitCode: pluginapi.NoExitCode, Reason: bad[i].Error()}
			resp.Jobs[i] = js
			continue
		}
		t := ts[i]
		elem := func(k int) pluginapi.Status {
			id := t.ids[k]
			stderr := t.stderr
			if t.array {
				stderr = strings.ReplaceAll(stderr, pluginapi.IndexToken, strconv.Itoa(t.offset+k))
			}
			return e.elementStatus(id, byID, qerr, t, stderr, cfg, now)
		}
		if !t.array {
			js.Status = elem(0)
		} else {
			for k := range t.ids {
				js.Elements = append(js.Elements, pluginapi.ElementStatus{Index: t.offset + k, Status: elem(k)})
			}
			js.Status = summarize(js.Elements)
		}
		resp.Jobs[i] = js
	}
	return resp, nil
}

// elementStatus is one job's status from this round's records. Call with
// e.mu held.
func (e *Executor) elementStatus(id uint64, byID map[uint64]record, qerr error, t tracked, stderr string, cfg config, now time.Time) pluginapi.Status {
	if r, ok := byID[id]; ok {
		st := statusOf(r, stderr)
		e.last[id] = st // only what Flux said, never a guess
		return st
	}
	last, seen := e.last[id]
	switch {
	case qerr != nil && seen:
		return last
	case qerr != nil:
		return pluginapi.Status{State: pluginapi.StatePending, ExitCode: pluginapi.NoExitCode, Reason: "flux jobs failed; state not known yet"}
	case seen && last.State.Terminal():
		return last // purged after this process saw it end
	case t.submitted.IsZero():
		return pluginapi.Status{State: pluginapi.StateUnknown, ExitCode: pluginapi.NoExitCode,
			Reason: fmt.Sprintf("Flux does not know job %s", f58(id))}
	case now.Sub(t.submitted) < cfg.HistoryGrace:
		return pluginapi.Status{State: pluginapi.StatePending, ExitCode: pluginapi.NoExitCode,
			Reason: fmt.Sprintf("job %s is not listed by flux jobs yet", f58(id))}
	}
	return pluginapi.Status{State: pluginapi.StateFailed, ExitCode: pluginapi.NoExitCode, NativeState: "PURGED",
		Reason: fmt.Sprintf("vanished from scheduler: Flux no longer lists job %s (purged from its job history before reflow saw it end)", f58(id))}
}
