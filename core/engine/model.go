package engine

import (
	"sort"
	"time"

	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
	"github.com/reflow-hpc/reflow/pluginapi"
)

// inst is one instance in the dispatcher's memory: the stored row, plus what
// the latest evaluation said about it.
type inst struct {
	store.Instance
	hc *hclconfig.Instance // nil until evaluated
	// failKind is the failure kind of the attempt that just ended
	// (failed, oom, timeout, node_fail, cancelled), for retry decisions.
	failKind string
	// retryRound is the round in which the instance went back to pending
	// for a retry; it is resubmitted from the next round on, after that
	// state has been committed.
	retryRound int
	// escalations count earlier out-of-memory and timeout failures, so
	// retries multiply mem and time once per such failure.
	oomRetries, timeoutRetries int32
	// unknownPolls counts consecutive polls in which the scheduler did not
	// know the job: it vanished after a grace period.
	unknownPolls int32
	// isNew: not yet in the store; dirty: changed since the last commit.
	isNew, dirty bool
	// placeholder marks the stand-in instance of a job that never got a
	// size (its fan-out failed or its source failed).
	placeholder bool
	// The small fields come last and narrow: a run of 100,000 instances
	// holds 100,000 of these.
}

func (in *inst) set(state store.InstanceState, reason string) {
	in.State, in.Reason, in.dirty = state, reason, true
}

// markSubmitted records that attempt of in went out as the scheduler job h
// at the given time: by the submission itself, or by a journal replay of a
// submission a dead dispatcher made.
func (in *inst) markSubmitted(attempt int, h pluginapi.Handle, at time.Time) {
	in.Attempt = attempt
	in.Handle = h
	in.set(store.InstanceSubmitted, "")
	in.NativeState = "SUBMITTED"
	in.Submitted = at
	in.Started, in.Finished = time.Time{}, time.Time{}
	in.ExitCode = pluginapi.NoExitCode
	in.unknownPolls = 0
}

// job is one job of the run in memory.
type job struct {
	hc       *hclconfig.Job
	executor string
	// size is the number of instances, -1 while unknown.
	size  int
	insts []*inst // by index; a singleton's only instance at 0
	// stale means something upstream changed since the last evaluation.
	stale bool
	// identity of the whole job (the ordered identities of its instances),
	// computed once all instances are done; gathers and broadcasts consume
	// it, so 100,000 readers hash one value, not 100,000 each.
	identity string
	// settled counts the leading instances that can no longer change in
	// this dispatcher (see settle). The round's scans start after them, so
	// a round of a 100,000-element array costs what is still going on,
	// not the whole array; settledCounts and firstBroken keep what the
	// other questions (progress, done, broken) need of them.
	settled       int
	settledCounts map[store.InstanceState]int
	firstBroken   *inst
}

// settle moves the settled mark past the instances that have ended for
// good: terminal, their failure already weighed for a retry (failKind
// empty: retries runs before this in a round), committed, and not a
// stand-in that evaluation may still replace. Nothing sends such an
// instance anywhere else while this dispatcher lives: reconcile, polls,
// cancels and retries only touch active, pending or just-failed ones, and
// `reflow retry` and `resume` build a new model.
func (j *job) settle() {
	for j.settled < len(j.insts) {
		in := j.insts[j.settled]
		if !in.State.Terminal() || in.isNew || in.dirty || in.failKind != "" || in.placeholder {
			return
		}
		if j.settledCounts == nil {
			j.settledCounts = map[store.InstanceState]int{}
		}
		j.settledCounts[in.State]++
		if j.firstBroken == nil && !in.State.Done() {
			j.firstBroken = in
		}
		j.settled++
	}
}

// unsettled are the instances after the settled mark.
func (j *job) unsettled() []*inst { return j.insts[j.settled:] }

// resetSettled forgets the mark when the job's instances are replaced.
func (j *job) resetSettled() {
	j.settled, j.settledCounts, j.firstBroken = 0, nil, nil
}

func (j *job) isArray() bool { return j.hc.Kind != hclconfig.Singleton }

// at returns the instance with the given store index (-1 for a singleton).
func (j *job) at(index int) *inst {
	if index < 0 {
		index = 0
	}
	if index >= len(j.insts) {
		return nil
	}
	return j.insts[index]
}

// done reports whether every instance of the job is done (succeeded or
// cached) and the job's size is known.
func (j *job) done() bool {
	if j.size < 0 || len(j.insts) != j.size {
		return false
	}
	if j.firstBroken != nil {
		return false
	}
	for _, in := range j.unsettled() {
		if !in.State.Done() {
			return false
		}
	}
	return true
}

// broken returns the first instance that failed, was cancelled or skipped,
// or nil.
func (j *job) broken() *inst {
	if j.firstBroken != nil {
		return j.firstBroken
	}
	for _, in := range j.unsettled() {
		switch in.State {
		case store.InstanceFailed, store.InstanceCancelled, store.InstanceSkipped:
			return in
		}
	}
	return nil
}

// model is the whole run in memory.
type model struct {
	run   store.Run
	bound *hclconfig.Bound
	order []*job
	jobs  map[string]*job
	// downstream lists, per job, the jobs that read it or wait for it.
	downstream map[string][]string
	// state is what hclconfig evaluates against; kept up to date as
	// instances finish.
	state *hclconfig.State
}

func newModel(run store.Run, bound *hclconfig.Bound, executorOf func(*hclconfig.Job) string) *model {
	m := &model{run: run, bound: bound, jobs: map[string]*job{}, downstream: map[string][]string{},
		state: &hclconfig.State{RunID: run.ID, RunDir: run.RunDir, Tasks: map[string]*hclconfig.TaskState{}}}
	for _, hj := range bound.Workflow.Order() {
		j := &job{hc: hj, executor: executorOf(hj), size: -1, stale: true}
		m.order = append(m.order, j)
		m.jobs[hj.Name] = j
	}
	for _, hj := range bound.Workflow.Order() {
		for _, up := range hj.Needs {
			m.downstream[up] = append(m.downstream[up], hj.Name)
		}
	}
	for k := range m.downstream {
		sort.Strings(m.downstream[k])
	}
	return m
}

// all calls fn for every instance, in job order then index order.
func (m *model) all(fn func(*job, *inst)) {
	for _, j := range m.order {
		for _, in := range j.insts {
			fn(j, in)
		}
	}
}

// live calls fn for every instance that is not settled, in job order then
// index order: what a round looks at when it only cares about instances
// that are pending, out, just ended or not yet committed.
func (m *model) live(fn func(*job, *inst)) {
	for _, j := range m.order {
		for _, in := range j.unsettled() {
			fn(j, in)
		}
	}
}

// settle moves every job's settled mark; the end of a round calls it.
func (m *model) settle() {
	for _, j := range m.order {
		j.settle()
	}
}

// markDownstreamStale flags every job that reads or waits for name.
func (m *model) markDownstreamStale(name string) {
	for _, d := range m.downstream[name] {
		m.jobs[d].stale = true
	}
}

// record puts a finished instance's values where evaluation sees them.
func (m *model) record(j *job, in *inst) {
	ts := m.state.Tasks[j.hc.Name]
	if ts == nil {
		ts = &hclconfig.TaskState{}
		m.state.Tasks[j.hc.Name] = ts
	}
	n := 1
	if j.isArray() {
		n = j.size
	}
	if len(ts.Instances) < n {
		grown := make([]*hclconfig.Values, n)
		copy(grown, ts.Instances)
		ts.Instances = grown
	}
	pos := in.Index
	if pos < 0 {
		pos = 0
	}
	if pos >= len(ts.Instances) {
		return
	}
	v := &hclconfig.Values{Result: in.Result}
	for _, o := range in.Outputs {
		v.Outputs = append(v.Outputs, o.Path)
	}
	sort.Strings(v.Outputs)
	ts.Instances[pos] = v
	m.markDownstreamStale(j.hc.Name)
}
