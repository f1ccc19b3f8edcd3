package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/reflow-hpc/reflow/core/runspec"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/pluginapi"
)

// status is what the scheduler said of one instance this round.
type status = pluginapi.Status

// answer is what the scheduler said of one job this round: the job's own
// status and, for an array, its elements (one by one or in runs).
type answer struct {
	job   status
	elems pluginapi.ElementLookup
}

// statuses holds this round's answers by handle id. Looking an instance up
// costs a map access and a binary search over the job's element runs, so a
// round over a 10,000-element array costs what changed in it, not 10,000
// map entries.
type statuses map[string]*answer

// of returns the status of in's element, or of its job when the answer
// lists no such element, and whether the scheduler answered for in at all.
func (s statuses) of(in *inst) (status, bool) {
	return s.answerOf(s[in.Handle.ID], in)
}

func (s statuses) answerOf(a *answer, in *inst) (status, bool) {
	if a == nil {
		return status{}, false
	}
	if in.Index >= 0 {
		if st, ok := a.elems.Find(in.Index); ok {
			return *st, true
		}
	}
	return a.job, true
}

// statusWalk looks up the statuses of instances taken in job and index
// order, where neighbours share a handle (the elements of one array job):
// one map access per handle instead of one per instance, which is most of
// a round over a 100,000-element array.
type statusWalk struct {
	s  statuses
	id string
	a  *answer
}

func (w *statusWalk) of(in *inst) (status, bool) {
	if w.a == nil || in.Handle.ID != w.id {
		w.id, w.a = in.Handle.ID, w.s[in.Handle.ID]
	}
	return w.s.answerOf(w.a, in)
}

// maxPollFailures is how many Polls of one executor in a row may fail
// before the dispatcher stops (and the run can be resumed).
const maxPollFailures = 10

// poll asks every executor, in one call each, about all the run's jobs that
// are out, and moves submitted instances the scheduler reports running.
func (d *dispatcher) poll(ctx context.Context) (statuses, bool, error) {
	type batch struct {
		handles []pluginapi.Handle
		seen    map[string]bool
	}
	batches := map[string]*batch{}
	var lastJob *job
	last := ""
	d.m.live(func(j *job, in *inst) {
		if !in.State.Active() || (j == lastJob && in.Handle.ID == last) {
			return // neighbours share the handle of their array job
		}
		lastJob, last = j, in.Handle.ID
		b := batches[j.executor]
		if b == nil {
			b = &batch{seen: map[string]bool{}}
			batches[j.executor] = b
		}
		if !b.seen[in.Handle.ID] {
			b.seen[in.Handle.ID] = true
			b.handles = append(b.handles, in.Handle)
		}
	})
	out := statuses{}
	for name, b := range batches {
		ex, err := d.executor(ctx, name)
		if err != nil {
			return nil, false, err
		}
		resp, err := ex.Executor().Poll(ctx, &pluginapi.PollRequest{Handles: b.handles})
		if err == nil {
			err = resp.Diagnostics.Err()
		}
		if err != nil {
			// A scheduler that does not answer for a while (a controller
			// restarting, a slow accounting database) is not the end of
			// a run: its jobs go on. Give up only when it keeps failing.
			d.pollFailures[name]++
			if n := d.pollFailures[name]; n < maxPollFailures && ctx.Err() == nil {
				d.events = append(d.events, fmt.Sprintf("executor %q: Poll failed (%d of %d tries): %v; trying again next round", name, n, maxPollFailures, err))
				continue
			}
			return nil, false, fmt.Errorf("executor %q: Poll: %w", name, err)
		}
		d.pollFailures[name] = 0
		if len(resp.Diagnostics) > 0 {
			if msg := resp.Diagnostics[0].String(); msg != d.pollWarned[name] {
				d.pollWarned[name] = msg
				d.events = append(d.events, fmt.Sprintf("executor %q: %s", name, msg))
			}
		}
		for i := range resp.Jobs {
			js := &resp.Jobs[i]
			out[b.handles[i].ID] = &answer{job: js.Status, elems: pluginapi.NewElementLookup(js.Elements)}
		}
	}
	changed := false
	now := time.Now()
	walk := statusWalk{s: out}
	d.m.live(func(j *job, in *inst) {
		if in.State != store.InstanceSubmitted {
			return
		}
		st, ok := walk.of(in)
		if ok && st.State == pluginapi.StateRunning {
			in.set(store.InstanceRunning, "")
			in.Started = orNow(st.Start, now)
			in.NativeState = st.NativeState
			changed = true
		}
	})
	return out, changed, nil
}

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}

// vanishGrace is how long a job may be unknown to its scheduler before it
// counts as lost: schedulers take a moment to list a new job.
const vanishGrace = 30 * time.Second

// reconcile settles every instance whose job the scheduler reports ended:
// it ingests the worker's result file, or, when there is none, fails the
// attempt with the scheduler's reason — the worker died (OOM killer, node
// failure, time limit, kill -9) and nothing else will ever say so. This is
// what keeps a run from hanging on a dead worker. Only instances whose job
// ended are looked at, so a round costs what changed: 10,000 running
// elements cost no file system calls at all.
func (d *dispatcher) reconcile(sts statuses) bool {
	changed := false
	now := time.Now()
	walk := statusWalk{s: sts}
	d.m.live(func(j *job, in *inst) {
		if !in.State.Active() {
			return
		}
		st, ok := walk.of(in)
		if !ok {
			return
		}
		if st.State == pluginapi.StateUnknown {
			// A scheduler that forgot a finished job (purged from its
			// history) may still have let the worker write its result.
			if d.ingestOne(j, in, sts) {
				changed = true
				return
			}
			in.unknownPolls++
			if in.unknownPolls < 3 || now.Sub(in.Submitted) < vanishGrace {
				return
			}
			d.failAttempt(j, in, "failed", "the job vanished from the scheduler without a result", "VANISHED", pluginapi.NoExitCode)
			changed = true
			return
		}
		in.unknownPolls = 0
		if !st.State.Terminal() {
			return
		}
		changed = true
		if d.ingestOne(j, in, sts) {
			return
		}
		if d.shellRan(j, in) && d.ingestShell(j, in, st, sts) {
			return
		}
		kind, reason := failureOf(st)
		d.failAttempt(j, in, kind, reason, st.NativeState, st.ExitCode)
		in.Started = orNow(in.Started, st.Start)
	})
	return changed
}

// failureOf turns a scheduler's final word on a job that left no result
// into a retry kind and a reason a user can act on.
func failureOf(st status) (kind, reason string) {
	detail := st.Reason
	if detail == "" {
		detail = st.NativeState
	}
	switch st.State {
	case pluginapi.StateOutOfMemory:
		return "oom", "out of memory: " + detail
	case pluginapi.StateTimeout:
		return "timeout", "time limit exceeded: " + detail
	case pluginapi.StateNodeFail:
		return "node_fail", "node failure: " + detail
	case pluginapi.StateCancelled:
		return "cancelled", "cancelled by the scheduler: " + detail
	case pluginapi.StateCompleted:
		return "failed", "the job ended without the worker writing a result (" + detail + ")"
	}
	if detail == "" {
		detail = "no reason given"
	}
	return "failed", "the worker died without writing a result: " + detail
}

// failAttempt ends the current attempt of in as failed; retries() may turn
// it into a new attempt.
func (d *dispatcher) failAttempt(j *job, in *inst, kind, reason, native string, exit int) {
	in.set(store.InstanceFailed, reason)
	in.failKind = kind
	in.NativeState = native
	in.ExitCode = exit
	in.Finished = time.Now()
	d.attempts = append(d.attempts, in.AttemptRecord())
}

// resultPath is where the worker of in's current attempt writes its result.
func (d *dispatcher) resultPath(j *job, in *inst) string {
	return runspec.ResultPath(d.m.run.RunDir, j.hc.Name, in.Index, in.Attempt)
}
