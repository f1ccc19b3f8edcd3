package engine

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/reflow-hpc/reflow/core/cache"
	"github.com/reflow-hpc/reflow/core/pluginhost"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
	"github.com/reflow-hpc/reflow/pluginapi"
)

// Plan statuses of an instance.
const (
	PlanCached  = "cached"
	PlanRun     = "run"
	PlanUnknown = "unknown" // waits for values of upstream jobs that will run
	PlanFails   = "fails"   // its evaluation already fails (e.g. an empty fan-out)
	PlanSkipped = "skipped" // an upstream fails
)

// PlanItem is what apply would do with one instance.
type PlanItem struct {
	Index   int // -1 for a singleton
	Status  string
	Reasons []string // why it runs: new, command changed, input X changed, ...; shared between items, so read-only
	Preview string   // the command, unknown parts shown as their source

	hc *hclconfig.Instance // its evaluation, for RenderNative
}

// JobPlan is what apply would do with one job.
type JobPlan struct {
	Job      *hclconfig.Job
	Executor string
	// Size is the number of instances, -1 when it depends on upstream jobs
	// that will run.
	Size   int
	Counts map[string]int
	Items  []PlanItem
}

// Plan works out, without running or writing anything, what `reflow apply`
// would do: which instances the cache satisfies, which run and why, and
// which cannot be known until upstream jobs have run. It evaluates the
// workflow the way the dispatcher does, feeding cache hits forward as if
// they had finished, so a fully cached pipeline plans as fully cached.
//
// runID and runDir are what the run would be called (NewRunDir); cfg.Seed
// may hold the caller's evaluation for them.
func Plan(ctx context.Context, cfg Config, bound *hclconfig.Bound, runID, runDir, executor string) ([]*JobPlan, error) {
	run := store.Run{ID: runID, RunDir: runDir, Executor: executor}
	m := newModel(run, bound, func(j *hclconfig.Job) string { return executorFor(j, executor) })
	d := &dispatcher{cfg: cfg, m: m, digests: cache.NewDigestCache(), madeDirs: map[string]bool{}}
	prev := previousParts(ctx, cfg.Store, bound)
	// reasons[j][k] says why instance k of job j would run.
	reasons := map[*job][][]string{}
	for {
		d.round++
		progress := d.expand()
		ready := d.ready()
		if len(ready) == 0 && !progress {
			break
		}
		idents, _, errs := d.identify(ready, false)
		ids := make([]string, 0, len(ready))
		for i, r := range ready {
			if errs[i] != nil {
				r.in.set(store.InstanceFailed, errs[i].Error())
				continue
			}
			r.in.Identity = idents[i]
			ids = append(ids, idents[i])
		}
		entries, err := d.lookupCache(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, r := range ready {
			if r.in.State != store.InstancePending {
				continue
			}
			e, hit := entries[r.in.Identity]
			why := ""
			if hit && d.cacheable(r.j) {
				ok, reason := cache.Verify(runspecOutputs(e.Outputs), d.verifyMode())
				if ok {
					r.in.set(store.InstanceCached, "")
					r.in.Outputs, r.in.Result = e.Outputs, e.Result
					d.m.record(r.j, r.in)
					continue
				}
				why = reason
			}
			// It would run: its dependents cannot be known before it has.
			r.in.set(store.InstanceSubmitted, "")
			if reasons[r.j] == nil {
				reasons[r.j] = make([][]string, len(r.j.insts))
			}
			reasons[r.j][max(r.in.Index, 0)] = runReasons(d, r.j, r.in, prev, why)
		}
	}
	return d.planOf(reasons), nil
}

// runReasons says why an instance would run.
func runReasons(d *dispatcher, j *job, in *inst, prev map[string]map[int]RecordedParts, why string) []string {
	switch {
	case d.cfg.Force || d.cfg.ForceTasks[j.hc.Name]:
		return reasonForced
	case !j.hc.Cache:
		return reasonUncached
	case why != "":
		return []string{why}
	}
	old, ok := prev[j.hc.Name][in.Index]
	if !ok {
		return reasonNew
	}
	// identify did not keep the parts: computed again, only here.
	p, err := d.parts(j, in)
	if err != nil {
		return []string{err.Error()}
	}
	rs := cache.Diff(old.Parts, p)
	if len(rs) == 0 {
		return []string{"outputs of the last run are gone"}
	}
	return rs
}

// The reasons most instances share, one slice each rather than one per
// instance. PlanItem.Reasons must not be modified.
var (
	reasonForced   = []string{cache.ReasonForced}
	reasonUncached = []string{"cache = false"}
	reasonNew      = []string{cache.ReasonNew}
)

// previousParts reads the recorded identity parts of the latest earlier run
// of the same workflow file, per task and index.
func previousParts(ctx context.Context, st *store.Store, bound *hclconfig.Bound) map[string]map[int]RecordedParts {
	file, _ := filepath.Abs(bound.Workflow.File)
	var runs []store.Run
	_ = st.View(ctx, func(tx *store.Tx) (err error) {
		runs, err = tx.ListRuns(ctx, store.RunFilter{Workflow: bound.Workflow.Name, Limit: 20})
		return err
	})
	out := map[string]map[int]RecordedParts{}
	for _, r := range runs {
		if r.FilePath != file {
			continue
		}
		for _, j := range bound.Workflow.Jobs {
			if recs, err := ReadTaskParts(r.RunDir, j.Name); err == nil {
				out[j.Name] = recs
			}
		}
		break
	}
	return out
}

// planOf turns the simulated model into the plan.
func (d *dispatcher) planOf(reasons map[*job][][]string) []*JobPlan {
	var out []*JobPlan
	for _, j := range d.m.order {
		jp := &JobPlan{Job: j.hc, Executor: j.executor, Size: j.size, Counts: map[string]int{},
			Items: make([]PlanItem, 0, max(len(j.insts), 1))}
		if len(j.insts) == 0 {
			jp.Items = []PlanItem{{Index: -1, Status: PlanUnknown, Preview: previewOf(d, j, nil)}}
		}
		why := reasons[j]
		for k, in := range j.insts {
			it := PlanItem{Index: in.Index, Preview: previewOf(d, j, in), hc: in.hc}
			switch in.State {
			case store.InstanceCached:
				it.Status = PlanCached
			case store.InstanceSubmitted:
				it.Status = PlanRun
				if k < len(why) {
					it.Reasons = why[k]
				}
			case store.InstanceFailed:
				it.Status, it.Reasons = PlanFails, []string{in.Reason}
			case store.InstanceSkipped:
				it.Status, it.Reasons = PlanSkipped, []string{in.Reason}
			default:
				it.Status = PlanUnknown
			}
			if in.placeholder {
				it.Index = -1
			}
			jp.Counts[it.Status]++
			jp.Items = append(jp.Items, it)
		}
		if len(j.insts) == 0 {
			jp.Counts[PlanUnknown]++
		}
		out = append(out, jp)
	}
	return out
}

func previewOf(d *dispatcher, j *job, in *inst) string {
	if in != nil && in.hc != nil {
		if in.hc.Known {
			return in.hc.Command
		}
		return in.hc.Preview
	}
	exp, _ := d.m.bound.Snapshot(d.m.state).Expand(j.hc.Name)
	if exp != nil && len(exp.Instances) > 0 {
		return exp.Instances[0].Preview
	}
	return fmt.Sprintf("(%s: known once its upstream jobs have run)", j.hc.Name)
}

// RenderNative asks each job's executor for the native submission of the
// instances the plan would run (its first contiguous group of them), as
// `reflow plan --show-native` shows it.
func RenderNative(ctx context.Context, cfg Config, bound *hclconfig.Bound, runID, runDir, executor string, jobs []*JobPlan) (map[string]*pluginapi.RenderResponse, error) {
	run := store.Run{ID: runID, RunDir: runDir, Executor: executor}
	m := newModel(run, bound, func(j *hclconfig.Job) string { return executorFor(j, executor) })
	d := &dispatcher{cfg: cfg, m: m, executors: map[string]*pluginhost.Running{}}
	out := map[string]*pluginapi.RenderResponse{}
	for _, jp := range jobs {
		j := m.jobs[jp.Job.Name]
		var insts []*inst
		for _, it := range jp.Items {
			if it.Status != PlanRun {
				continue
			}
			if len(insts) > 0 && it.Index != insts[len(insts)-1].Index+1 {
				break
			}
			insts = append(insts, &inst{Instance: store.Instance{Index: it.Index}, hc: it.hc})
		}
		if len(insts) == 0 {
			continue
		}
		ex, err := d.executor(ctx, j.executor)
		if err != nil {
			return nil, err
		}
		s := submission{j: j, attempt: 1, insts: insts}
		spec := d.nativeSpec(s, j.isArray() && ex.Info.Capabilities.Arrays, d.useShellWorker(s))
		resp, err := ex.Executor().Render(ctx, &pluginapi.RenderRequest{Job: spec})
		if err != nil {
			return nil, fmt.Errorf("executor %q: Render %s: %w", j.executor, j.hc.Name, err)
		}
		out[j.hc.Name] = resp
	}
	return out, nil
}
