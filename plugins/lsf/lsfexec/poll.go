package lsfexec

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// polled is one handle of a Poll request, decoded.
type polled struct {
	h     pluginapi.Handle
	st    *handleState // nil: not a job this plugin submitted (or state lost)
	valid bool         // an LSF job id with a state this plugin can read
}

// Poll answers with one bjobs call for every handle, and the upstream jobs
// of their dependencies (to see when a dependent can never start), chunked
// only when the ids would make the command line too long.
//
// A dependent whose dependency can never hold is reported failed with the
// reason and bkilled (LSF would keep it pending forever); that costs a
// bkill call in the poll that first sees it.
func (e *Executor) Poll(ctx context.Context, req *pluginapi.PollRequest) (*pluginapi.PollResponse, error) {
	if req == nil {
		req = &pluginapi.PollRequest{}
	}
	cfg := e.config()
	now := e.now()
	entries := make([]polled, len(req.Handles))
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for i, h := range req.Handles {
		st, ok := decodeState(h.State)
		entries[i] = polled{h: h, st: st, valid: ok && validID(h.ID)}
		if !entries[i].valid {
			continue
		}
		add(h.ID)
		if st != nil {
			for _, d := range st.Deps {
				if validID(d.ID) {
					add(d.ID)
				}
			}
		}
	}
	resp := &pluginapi.PollResponse{Jobs: make([]pluginapi.JobStatus, len(entries))}
	jobs := map[string]*bjobsJob{}
	if len(ids) > 0 {
		var err error
		if jobs, err = query(ctx, cfg, ids); err != nil {
			return e.lastKnownStatuses(entries, err), nil
		}
	}
	var kill []string
	for i, en := range entries {
		js, k := jobStatus(en, jobs, now, cfg)
		resp.Jobs[i] = js
		kill = append(kill, k...)
	}
	e.remember(resp.Jobs)
	if len(kill) > 0 {
		e.killNever(ctx, cfg, kill)
	}
	return resp, nil
}

// jobStatus is the status of one handle, and the LSF ids (jobs or
// elements) to bkill because their dependencies can never hold.
func jobStatus(en polled, jobs map[string]*bjobsJob, now time.Time, cfg config) (pluginapi.JobStatus, []string) {
	js := pluginapi.JobStatus{ID: en.h.ID}
	js.ExitCode = pluginapi.NoExitCode
	if !en.valid {
		js.State, js.Reason = pluginapi.StateUnknown, "not a job of the LSF executor (the handle holds no LSF job id and state it wrote)"
		return js, nil
	}
	st := en.st
	j := jobs[en.h.ID]
	if j == nil || !j.Found {
		switch {
		case st == nil:
			js.State, js.Reason = pluginapi.StateUnknown, "LSF does not know job "+en.h.ID
		case now.Sub(time.Unix(st.Submitted, 0)) < cfg.HistoryGrace:
			js.State, js.Reason = pluginapi.StateUnknown, "bjobs does not list job "+en.h.ID+" (yet)"
		default:
			js.State, js.NativeState = pluginapi.StateFailed, "NOT_FOUND"
			js.Reason = fmt.Sprintf("vanished from scheduler: bjobs no longer lists job %s (LSF forgets finished jobs after CLEAN_PERIOD), so how it ended is unknown", en.h.ID)
			for i := 0; i < st.Size; i++ {
				js.Elements = append(js.Elements, pluginapi.ElementStatus{Index: st.Offset + i, Status: js.Status})
			}
		}
		return js, nil
	}
	runLimit := st != nil && st.RunLimit > 0
	var deps []depState
	if st != nil {
		deps = st.Deps
	}
	// judge is a record's status, unless its dependencies can never hold:
	// then it failed, and if it still pends it is to be killed.
	judge := func(r bjobsRecord) (pluginapi.Status, bool) {
		s := recordStatus(r, runLimit)
		neverRan := r.Stat == "PEND" || r.Stat == "PSUSP" || r.Stat == "EXIT" && r.ExitCode == ""
		if len(deps) == 0 || !neverRan {
			return s, false
		}
		why, never := neverHolds(deps, jobs, r.Index)
		if !never {
			return s, false
		}
		s.State, s.ExitCode, s.Reason = pluginapi.StateFailed, pluginapi.NoExitCode, why
		return s, r.Stat == "PEND" || r.Stat == "PSUSP"
	}
	isArray := st != nil && st.Size > 0
	for _, r := range j.Records {
		isArray = isArray || r.Index > 0
	}
	if !isArray {
		s, kill := judge(j.Records[0])
		js.Status = s
		if kill {
			return js, []string{en.h.ID}
		}
		return js, nil
	}
	var kill []string
	listed := map[int]bool{}
	for _, r := range j.Records {
		if r.Index < 1 || listed[r.Index] {
			continue
		}
		listed[r.Index] = true
		s, k := judge(r)
		js.Elements = append(js.Elements, pluginapi.ElementStatus{Index: st.engineIndex(r.Index), Status: s})
		if k {
			kill = append(kill, en.h.ID+"["+strconv.Itoa(r.Index)+"]")
		}
	}
	if st != nil {
		for k := 1; k <= st.Size; k++ {
			if !listed[k] {
				js.Elements = append(js.Elements, pluginapi.ElementStatus{Index: st.engineIndex(k), Status: pluginapi.Status{
					State: pluginapi.StateUnknown, ExitCode: pluginapi.NoExitCode, Reason: fmt.Sprintf("bjobs does not list element %s[%d]", en.h.ID, k)}})
			}
		}
	}
	sort.Slice(js.Elements, func(a, b int) bool { return js.Elements[a].Index < js.Elements[b].Index })
	js.Status = summarize(js.Elements)
	if len(kill) == len(js.Elements) && len(kill) > 0 {
		kill = []string{en.h.ID} // one id for the whole array
	}
	return js, kill
}

// remember keeps the unfinished statuses for lastKnownStatuses.
func (e *Executor) remember(js []pluginapi.JobStatus) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, j := range js {
		if j.State == pluginapi.StatePending || j.State == pluginapi.StateRunning {
			e.lastKnown[j.ID] = j
		} else {
			delete(e.lastKnown, j.ID)
		}
	}
}

// lastKnownStatuses answers a Poll whose bjobs call failed (LSF down,
// mbatchd restarting): the last status this process saw for each job, or
// unknown, with a warning carrying bjobs' complaint. Calling every job
// unknown would make a long outage look like lost jobs.
func (e *Executor) lastKnownStatuses(entries []polled, err error) *pluginapi.PollResponse {
	resp := &pluginapi.PollResponse{Jobs: make([]pluginapi.JobStatus, len(entries))}
	resp.Diagnostics = resp.Diagnostics.Warnf("", "bjobs failed, reporting the last known job states: %v", err)
	sdk.Logger().Warn("bjobs failed; reporting the last known job states", "error", err)
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, en := range entries {
		if j, ok := e.lastKnown[en.h.ID]; ok {
			resp.Jobs[i] = j
			continue
		}
		resp.Jobs[i] = pluginapi.JobStatus{ID: en.h.ID, Status: pluginapi.Status{State: pluginapi.StateUnknown,
			ExitCode: pluginapi.NoExitCode, Reason: "bjobs failed: " + err.Error()}}
	}
	return resp
}

// killNever bkills pending jobs whose dependencies can never hold, so they
// leave the queue; a failure is only logged, the next poll tries again.
func (e *Executor) killNever(ctx context.Context, cfg config, ids []string) {
	for _, chunk := range chunks(ids) {
		if _, err := sdk.Run(ctx, sdk.Command{Path: cfg.Bkill, Args: chunk, Env: commandEnv(), Timeout: cfg.CommandTimeout}); err != nil {
			sdk.Logger().Debug("bkill of jobs whose dependencies can never hold", "ids", chunk, "error", err)
		}
	}
}
