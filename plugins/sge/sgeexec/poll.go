package sgeexec

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// view is one job a Poll looks at: a handle it was asked about, or the
// upstream of a held dependent, whose outcome decides the dependent's.
type view struct {
	id   int
	st   handleState
	ours bool
	// status of each native task (0 for a job that is not an array),
	// filled in by Poll step by step.
	status map[int]*pluginapi.Status
}

func (v *view) tasks() []int {
	if !v.ours {
		return []int{0}
	}
	return v.st.tasks()
}

// Poll reports many jobs with one `qstat -xml` for the jobs still in the
// queue, plus accounting records (the accounting file, or qacct) for the
// tasks that left it and are not settled yet. Settled statuses are kept,
// so a task costs one accounting lookup in its life. Poll also acts:
// jobs in an error state (Eqw) are deleted and reported failed, and held
// dependents are released or deleted once their upstream has ended
// (deps.go).
func (e *Executor) Poll(ctx context.Context, req *pluginapi.PollRequest) (*pluginapi.PollResponse, error) {
	cfg := e.config()
	now := e.now()
	resp := &pluginapi.PollResponse{Jobs: make([]pluginapi.JobStatus, len(req.Handles))}

	views := map[int]*view{}
	asked := make([]*view, len(req.Handles))
	for i, h := range req.Handles {
		id, st, ours := decodeHandle(h)
		if id == 0 {
			continue // not a Grid Engine job number: unknown
		}
		v := views[id]
		if v == nil || ours && !v.ours {
			v = &view{id: id, st: st, ours: ours}
			views[id] = v
		}
		asked[i] = v
	}
	for _, v := range valuesOf(views) {
		if v.ours && v.st.Hold {
			for _, d := range v.st.Deps {
				if views[d.ID] == nil {
					views[d.ID] = &view{id: d.ID, st: d.Up, ours: true}
				}
			}
		}
	}

	// 1. Settled tasks need no command at all.
	pending := false
	for _, v := range views {
		v.status = map[int]*pluginapi.Status{}
		for _, t := range v.tasks() {
			if s, ok := e.track.finalOf(taskKey{v.id, t}); ok {
				v.status[t] = &s
			} else {
				pending = true
			}
		}
	}

	if pending {
		diags := e.refresh(ctx, &cfg, views, now)
		resp.Diagnostics = append(resp.Diagnostics, diags...)
	}

	for i, h := range req.Handles {
		v := asked[i]
		if v == nil {
			resp.Jobs[i] = pluginapi.JobStatus{ID: h.ID, Status: unknownStatus("not a Grid Engine job number")}
			continue
		}
		resp.Jobs[i] = v.report(h.ID)
	}
	return resp, nil
}

// refresh fills in every unsettled task of views from qstat and the
// accounting, and carries out what that calls for (Eqw jobs, held
// dependents).
func (e *Executor) refresh(ctx context.Context, cfg *config, views map[int]*view, now time.Time) pluginapi.Diagnostics {
	var diags pluginapi.Diagnostics
	res, err := e.command(ctx, cfg, "qstat", []string{"-xml", "-u", cfg.User}, nil)
	var live liveJobs
	if err == nil {
		live, err = parseQstatXML(res.Stdout)
	}
	if err != nil {
		// Without qstat nothing can be said; the last word stands (a
		// transient failure must not make jobs look lost).
		diags = diags.Errorf("settings.qstat", "cannot list jobs with qstat: %v", err)
		for _, v := range views {
			for _, t := range v.tasks() {
				if v.status[t] == nil {
					last, seen := e.track.lastSeen(taskKey{v.id, t})
					if !seen {
						last = pluginapi.Status{State: pluginapi.StatePending, ExitCode: pluginapi.NoExitCode}
					}
					last.Reason = "qstat failed; last known state"
					v.status[t] = &last
				}
			}
		}
		return diags
	}

	// 2. Tasks still in the queue.
	lr := lookupRequest{want: map[taskKey]bool{}, foreign: map[int]bool{}}
	var inError []taskKey
	for _, v := range views {
		held := ""
		if v.ours && v.st.Hold {
			held = "held until its afterok/element-wise dependencies complete (reflow releases it)"
		}
		for _, t := range v.tasks() {
			if v.status[t] != nil {
				continue
			}
			lt, ok := live.task(v.id, t, v.ours)
			if !ok {
				k := taskKey{v.id, t}
				lr.want[k] = true
				if !v.ours {
					lr.foreign[v.id] = true
				} else if sub := v.st.submittedAt(); lr.earliest.IsZero() || sub.Before(lr.earliest) {
					lr.earliest = sub
				}
				continue
			}
			s := liveStatus(lt, held)
			if strings.Contains(lt.State, "E") {
				inError = append(inError, taskKey{v.id, t})
			}
			e.track.live(taskKey{v.id, t}, s, strings.Contains(lt.State, "d"))
			v.status[t] = &s
		}
	}

	// 3. Tasks that left it: their accounting records.
	recs, err := e.lookup(ctx, cfg, lr)
	if err != nil {
		diags = diags.Warnf("settings.accounting", "reading the accounting: %v", err)
	}
	for k := range lr.want {
		v := views[k.Job]
		r, ok := recs[k]
		if ok && v.ours && !r.Submit.IsZero() && r.Submit.Before(v.st.submittedAt().Add(-clockSlack)) {
			ok = false // an earlier job that had the same number
		}
		if ok {
			s := finalStatus(r, v.st, e.track.isCancelled(k.Job))
			if why, errored := e.track.errorOf(k); errored {
				// Deleted from Eqw: the error reason says more than the
				// record's failed code.
				s.State, s.Reason = pluginapi.StateFailed, why
			}
			e.track.settle(k, s)
			v.status[k.Task] = &s
		}
	}

	// 4. Tasks in neither: deleted before they ran, or accounting lags.
	// Upstreams first, since a held dependent's fate follows theirs.
	done := map[int]bool{}
	var resolve func(v *view)
	resolve = func(v *view) {
		if done[v.id] {
			return
		}
		done[v.id] = true
		if v.ours && v.st.Hold {
			for _, d := range v.st.Deps {
				if up := views[d.ID]; up != nil {
					resolve(up)
				}
			}
		}
		for _, t := range v.tasks() {
			if v.status[t] == nil {
				s := e.missing(cfg, views, v, t, now)
				v.status[t] = &s
			}
		}
	}
	for _, v := range views {
		resolve(v)
	}

	// 5. Act: delete jobs in error, release or delete held dependents.
	diags = append(diags, e.act(ctx, cfg, views, inError)...)
	return diags
}

// task finds a task in qstat's list. A job that is not ours is taken as
// one job: any of its tasks, running ones first, stands for it.
func (l liveJobs) task(job, task int, ours bool) (liveTask, bool) {
	byTask := l[job]
	if ours || len(byTask) == 0 {
		lt, ok := byTask[task]
		return lt, ok
	}
	var pick liveTask
	for _, lt := range byTask {
		if pick.State == "" || strings.ContainsAny(lt.State, "rt") {
			pick = lt
		}
	}
	return pick, true
}

// missing decides the status of a task that is neither in qstat nor in
// the accounting.
func (e *Executor) missing(cfg *config, views map[int]*view, v *view, t int, now time.Time) pluginapi.Status {
	k := taskKey{v.id, t}
	settle := func(s pluginapi.Status) pluginapi.Status {
		e.track.settle(k, s)
		return s
	}
	if !v.ours {
		return unknownStatus("Grid Engine knows no such job: not in qstat, no accounting record")
	}
	if why, errored := e.track.errorOf(k); errored {
		return settle(pluginapi.Status{State: pluginapi.StateFailed, ExitCode: pluginapi.NoExitCode, NativeState: "deleted", Reason: why})
	}
	if e.track.isCancelled(v.id) {
		return settle(pluginapi.Status{State: pluginapi.StateCancelled, ExitCode: pluginapi.NoExitCode, NativeState: "deleted",
			Reason: "cancelled: deleted with qdel by reflow before it started"})
	}
	if v.st.Hold {
		if ok, wait, why := verdict(views, v, t); !ok && !wait {
			return settle(depFailed(why))
		}
	}
	since, last, seen, deleted := e.track.gone(k, now)
	if deleted {
		return settle(pluginapi.Status{State: pluginapi.StateCancelled, ExitCode: pluginapi.NoExitCode, NativeState: "deleted",
			Reason: "deleted with qdel before it started (Grid Engine keeps no accounting record of such jobs)"})
	}
	if now.Sub(since) < cfg.AccountingGrace {
		if !seen {
			last = pluginapi.Status{State: pluginapi.StatePending, ExitCode: pluginapi.NoExitCode}
		}
		last.Reason = "no longer in qstat; waiting for its accounting record"
		return last
	}
	return settle(pluginapi.Status{State: pluginapi.StateFailed, ExitCode: pluginapi.NoExitCode, NativeState: "vanished",
		Reason: fmt.Sprintf("vanished from Grid Engine: not in qstat and no accounting record for %v (deleted by someone else before it ran, or accounting is off or not readable here)",
			cfg.AccountingGrace)})
}

func unknownStatus(reason string) pluginapi.Status {
	return pluginapi.Status{State: pluginapi.StateUnknown, ExitCode: pluginapi.NoExitCode, Reason: reason}
}

func valuesOf(m map[int]*view) []*view {
	out := make([]*view, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// taskLabel names a task for messages: "job 12" or "job 12 element 3".
func taskLabel(job, task int) string {
	if task == 0 {
		return "job " + strconv.Itoa(job)
	}
	return fmt.Sprintf("job %d element %d", job, task-1)
}
