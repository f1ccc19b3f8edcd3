package pbsexec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// maxArgBytes bounds one qstat command line; Poll splits the ids over
// several calls only beyond it (Linux takes about 2 MiB of arguments).
const maxArgBytes = 100 << 10

// maxRemembered bounds the in-memory final statuses; beyond it they are
// forgotten (a job then reads back from qstat, or vanishes, as for a new
// process).
const maxRemembered = 200_000

// recKey addresses a record: a job (index -1) or a subjob.
type recKey struct {
	seq   int
	index int
}

// Poll answers for every handle from one qstat call: OpenPBS
// `qstat -x -f -F json -t -E ID...` (without -x when the server keeps no
// history), Torque `qstat -f -t ID...`. The ids of upstream jobs ride
// along, so a job the server deleted for a dependency can say which
// upstream failed.
func (e *Executor) Poll(ctx context.Context, req *pluginapi.PollRequest) (*pluginapi.PollResponse, error) {
	if req == nil {
		req = &pluginapi.PollRequest{}
	}
	cfg, fl := e.snapshot()
	his := make([]handleInfo, len(req.Handles))
	var ids []string
	seen := map[string]bool{}
	want := func(id string) {
		if _, ok := parseJobID(id); ok && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for i, h := range req.Handles {
		his[i] = readHandle(h)
		if !his[i].valid {
			continue
		}
		if st, done := e.remembered(h.ID); done && st.State.Terminal() {
			continue // final: qstat need not be asked
		}
		want(h.ID)
		if his[i].ours {
			for _, d := range his[i].state.Deps {
				want(d)
			}
		}
	}
	resp := &pluginapi.PollResponse{Jobs: make([]pluginapi.JobStatus, len(req.Handles))}
	recs, failure := e.queryQstat(ctx, cfg, fl, ids)
	if failure != "" {
		resp.Diagnostics = resp.Diagnostics.Warnf("", "%s; job states are not known this round", failure)
	}
	now := e.now()
	for i, hi := range his {
		resp.Jobs[i] = e.statusOf(hi, recs, fl, failure != "", now)
	}
	return resp, nil
}

// queryQstat runs qstat for ids (split only when the command line would be
// too long) and returns the records by key. failure is set when qstat
// itself failed; unknown ids are not a failure.
func (e *Executor) queryQstat(ctx context.Context, cfg config, fl flavor, ids []string) (map[recKey]record, string) {
	recs := map[recKey]record{}
	for start := 0; start < len(ids); {
		end, size := start, 0
		for end < len(ids) && (end == start || size+len(ids[end])+1 <= maxArgBytes) {
			size += len(ids[end]) + 1
			end++
		}
		chunk := ids[start:end]
		start = end
		out, failure := e.qstatOnce(ctx, cfg, fl, chunk)
		if failure != "" {
			return recs, failure
		}
		var list []record
		if fl.Dialect == dialectTorque {
			list = parseQstatFull(out)
		} else {
			var err error
			if list, err = parseQstatJSON(out); err != nil {
				return recs, err.Error()
			}
		}
		for _, r := range list {
			recs[recKey{r.Seq, r.Index}] = r
		}
	}
	return recs, ""
}

// qstatOnce runs one qstat. Exit statuses that only report unknown or
// finished ids (153, 35) still come with the other jobs on stdout. When
// the server keeps no history (36) the plugin stops asking for it.
func (e *Executor) qstatOnce(ctx context.Context, cfg config, fl flavor, ids []string) ([]byte, string) {
	for attempt := 0; attempt < 2; attempt++ {
		args := []string{"-f", "-t"}
		e.mu.Lock()
		history := !e.noHistory
		e.mu.Unlock()
		if fl.Dialect == dialectOpenPBS {
			args = []string{"-f", "-F", "json", "-t", "-E"}
			if history {
				args = append([]string{"-x"}, args...)
			}
		}
		res, err := sdk.Run(ctx, sdk.Command{Path: cfg.Qstat, Args: append(args, ids...), Timeout: cfg.CommandTimeout})
		if err == nil {
			return res.Stdout, ""
		}
		var ce *sdk.CommandError
		if !errors.As(err, &ce) {
			return nil, err.Error()
		}
		switch {
		case ce.ExitCode == 153 || ce.ExitCode == 35:
			return res.Stdout, ""
		case fl.Dialect == dialectOpenPBS && history && (ce.ExitCode == 36 || strings.Contains(ce.Stderr, "not configured to maintain job history")):
			e.mu.Lock()
			e.noHistory = true
			e.mu.Unlock()
			sdk.Logger().Warn("the PBS server keeps no job history (qstat -x refused); finished jobs vanish from qstat at once, so their states are kept in memory and jobs missing for history_grace are reported vanished")
			continue
		case ce.ExitCode > 0 && len(res.Stdout) > 0 && strings.Contains(ce.Stderr, "Unknown Job Id"):
			return res.Stdout, ""
		}
		return nil, fmt.Sprintf("qstat failed: %v", err)
	}
	return nil, "qstat failed twice"
}

// remembered returns the final status this process saw for id.
func (e *Executor) remembered(id string) (pluginapi.JobStatus, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, ok := e.final[id]
	return st, ok
}

// statusOf answers for one handle.
func (e *Executor) statusOf(hi handleInfo, recs map[recKey]record, fl flavor, qstatFailed bool, now time.Time) pluginapi.JobStatus {
	id := hi.h.ID
	if !hi.valid {
		return unknownStatus(id, "not a PBS job id")
	}
	if st, ok := e.remembered(id); ok {
		return st
	}
	if qstatFailed {
		return pluginapi.JobStatus{ID: id, Status: pluginapi.Status{State: pluginapi.StatePending,
			ExitCode: pluginapi.NoExitCode, Reason: "qstat failed this round; asking again next round"}}
	}
	dialect := fl.Dialect
	if hi.ours {
		dialect = hi.state.Dialect
	}
	e.mu.Lock()
	cancelled := e.cancelled[id]
	e.mu.Unlock()
	mc := mapCtx{dialect: dialect, state: hi.state, ours: hi.ours, cancelled: cancelled}
	mc.upstream = func(up string) (pluginapi.Status, bool) {
		upi := readHandle(pluginapi.Handle{ID: up})
		if !upi.valid {
			return pluginapi.Status{}, false
		}
		if st, ok := e.remembered(up); ok {
			return st.Status, true
		}
		js, found := fromRecords(upi, recs, mapCtx{dialect: dialect})
		return js.Status, found
	}
	js, found := fromRecords(hi, recs, mc)
	if !found {
		return e.missingStatus(hi, mc, now)
	}
	e.mu.Lock()
	delete(e.missing, id)
	if js.State.Terminal() {
		if len(e.final) >= maxRemembered {
			e.final = map[string]pluginapi.JobStatus{}
			e.cancelled = map[string]bool{}
		}
		e.final[id] = js
	}
	e.mu.Unlock()
	return js
}

func unknownStatus(id, why string) pluginapi.JobStatus {
	return pluginapi.JobStatus{ID: id, Status: pluginapi.Status{State: pluginapi.StateUnknown, ExitCode: pluginapi.NoExitCode, Reason: why}}
}
