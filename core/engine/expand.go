package engine

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
	"github.com/reflow-hpc/reflow/pluginapi"
)

// expand evaluates the jobs whose upstream changed: dynamic fan-outs get
// their size, instances their commands, and instances whose upstream broke
// are skipped. Jobs nothing changed for are not evaluated again, so a round
// costs what changed, not the size of the run.
func (d *dispatcher) expand() bool {
	changed := false
	var snap *hclconfig.Snapshot
	if d.round == 1 && d.cfg.Seed != nil && len(d.m.state.Tasks) == 0 {
		snap = d.cfg.Seed // nothing has finished yet: the caller's evaluation holds
	}
	for _, j := range d.m.order {
		if d.skipBroken(j) {
			changed = true
			continue
		}
		if !j.stale {
			continue
		}
		j.stale = false
		if j.size >= 0 && allEvaluated(j) {
			continue
		}
		if !d.upstreamSettled(j) && j.hc.Kind == hclconfig.DynamicArray {
			continue // sized only when everything it reads is done
		}
		if snap == nil {
			snap = d.m.bound.Snapshot(d.m.state)
		}
		exp, diags := snap.Expand(j.hc.Name)
		if diags.HasErrors() {
			d.failJob(j, diagText(diags))
			changed = true
			continue
		}
		if exp.Size < 0 {
			continue
		}
		if j.size < 0 {
			d.size(j, exp.Size)
			changed = true
		}
		j.evaluate(exp, false)
	}
	return changed
}

// evaluate gives j's instances their evaluation; with onlyMissing, only
// those that have none keep the new one.
func (j *job) evaluate(exp *hclconfig.Expansion, onlyMissing bool) {
	for i, hi := range exp.Instances {
		if i < len(j.insts) && !j.insts[i].placeholder && (!onlyMissing || j.insts[i].hc == nil) {
			j.insts[i].hc = hi
		}
	}
}

func allEvaluated(j *job) bool {
	for _, in := range j.unsettled() {
		if in.State == store.InstancePending && (in.hc == nil || !in.hc.Known) {
			return false
		}
	}
	return true
}

// upstreamSettled reports whether every job j needs is done.
func (d *dispatcher) upstreamSettled(j *job) bool {
	for _, n := range j.hc.Needs {
		if !d.m.jobs[n].done() {
			return false
		}
	}
	return true
}

// size creates the instances of a job once its size is known.
func (d *dispatcher) size(j *job, n int) {
	j.size = n
	d.mustCommit = true // a resumed dispatcher must find the instances
	count := n
	if !j.isArray() {
		count = 1
	}
	// One allocation for all of them: an array of 100,000 made 100,000
	// separate objects for the collector to track.
	slab := make([]inst, count)
	j.insts = make([]*inst, count)
	j.resetSettled()
	for i := range j.insts {
		idx := i
		if !j.isArray() {
			idx = store.SingletonIndex
		}
		in := &slab[i]
		in.isNew, in.dirty = true, true
		in.RunID, in.Task, in.Index = d.m.run.ID, j.hc.Name, idx
		in.State, in.ExitCode = store.InstancePending, pluginapi.NoExitCode
		j.insts[i] = in
	}
	if n == 0 {
		// allow_empty: readers see empty lists.
		d.m.state.Tasks[j.hc.Name] = &hclconfig.TaskState{Instances: []*hclconfig.Values{}}
		d.m.markDownstreamStale(j.hc.Name)
	}
}

// failJob fails a job whose evaluation failed (an empty fan-out without
// allow_empty, a value of the wrong type): its pending instances, or a
// stand-in instance when it never got a size.
func (d *dispatcher) failJob(j *job, reason string) {
	d.failed = true
	d.events = append(d.events, fmt.Sprintf("%s failed: %s", j.hc.Name, reason))
	if j.size < 0 && len(j.insts) == 0 {
		j.insts = []*inst{d.placeholder(j, store.InstanceFailed, reason)}
		j.resetSettled()
		return
	}
	for _, in := range j.insts {
		if in.State == store.InstancePending {
			in.set(store.InstanceFailed, reason)
		}
	}
}

func (d *dispatcher) placeholder(j *job, state store.InstanceState, reason string) *inst {
	return &inst{isNew: true, dirty: true, placeholder: true, Instance: store.Instance{
		RunID: d.m.run.ID, Task: j.hc.Name, Index: store.SingletonIndex, State: state,
		Reason: reason, ExitCode: pluginapi.NoExitCode,
	}}
}

// skipBroken skips what can never run because something it needs failed,
// was cancelled or skipped.
func (d *dispatcher) skipBroken(j *job) bool {
	changed := false
	whole := ""
	for _, n := range j.hc.Needs {
		up := d.m.jobs[n]
		if b := up.broken(); b != nil && !elementwiseFrom(j, n) {
			whole = displayName(up, b)
			break
		}
	}
	if j.size < 0 && len(j.insts) == 0 {
		if whole != "" {
			j.insts = []*inst{d.placeholder(j, store.InstanceSkipped, "upstream "+whole+" failed")}
			j.resetSettled()
			return true
		}
		return false
	}
	for _, in := range j.unsettled() {
		if in.State != store.InstancePending {
			continue
		}
		reason := ""
		if whole != "" {
			reason = "upstream " + whole + " failed"
		} else if in.hc != nil {
			for _, r := range in.hc.Consumes {
				if r.Index < 0 {
					continue
				}
				if u := d.m.jobs[r.Job].at(r.Index); u != nil && brokenState(u.State) {
					reason = "upstream " + displayName(d.m.jobs[r.Job], u) + " failed"
				}
			}
		} else if j.hc.Kind == hclconfig.ElementWise {
			if u := d.m.jobs[j.hc.Source].at(in.Index); u != nil && brokenState(u.State) {
				reason = "upstream " + displayName(d.m.jobs[j.hc.Source], u) + " failed"
			}
		}
		if reason != "" {
			in.set(store.InstanceSkipped, reason)
			changed = true
		}
	}
	return changed
}

func elementwiseFrom(j *job, upstream string) bool {
	return j.hc.Kind == hclconfig.ElementWise && j.hc.Source == upstream
}

func brokenState(s store.InstanceState) bool {
	return s == store.InstanceFailed || s == store.InstanceCancelled || s == store.InstanceSkipped
}

// ready lists the pending instances that can run now: evaluated, and
// everything they read or wait for is done.
func (d *dispatcher) ready() []readyInst {
	var out []readyInst
	if d.round == 1 {
		// The first round usually finds a whole array ready: sized once
		// rather than grown through twice its size.
		n := 0
		for _, j := range d.m.order {
			n += len(j.insts)
		}
		out = make([]readyInst, 0, n)
	}
	for _, j := range d.m.order {
		for _, in := range j.unsettled() {
			if in.State != store.InstancePending || in.hc == nil || !in.hc.Known || in.retryRound == d.round {
				continue
			}
			if d.waiting(j, in) {
				continue
			}
			out = append(out, readyInst{j, in})
		}
	}
	return out
}

type readyInst struct {
	j  *job
	in *inst
}

func (d *dispatcher) waiting(j *job, in *inst) bool {
	for _, r := range in.hc.Consumes {
		up := d.m.jobs[r.Job]
		if r.Index >= 0 {
			if u := up.at(r.Index); u == nil || !u.State.Done() {
				return true
			}
		} else if !up.done() {
			return true
		}
	}
	for _, a := range in.hc.After {
		if !d.m.jobs[a].done() {
			return true
		}
	}
	return false
}

func diagText(diags hcl.Diagnostics) string {
	var parts []string
	for _, dg := range diags {
		if dg.Severity != hcl.DiagError {
			continue
		}
		s := dg.Summary
		if dg.Detail != "" {
			s += ": " + dg.Detail
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// evaluated makes sure in carries its evaluation. A resumed dispatcher
// loads instances that are out from the store without one, and finishing a
// shell worker's result needs the work dir and output globs.
func (d *dispatcher) evaluated(j *job, in *inst) bool {
	if in.hc != nil {
		return true
	}
	exp, diags := d.m.bound.Snapshot(d.m.state).Expand(j.hc.Name)
	if diags.HasErrors() || exp.Size < 0 {
		return false
	}
	j.evaluate(exp, true)
	return in.hc != nil
}
