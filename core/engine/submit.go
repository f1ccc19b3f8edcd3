package engine

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/core/parallel"
	"github.com/reflow-hpc/reflow/core/runspec"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
	"github.com/reflow-hpc/reflow/hclconfig/shell"
	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// submission is one native submission: a single instance, or a contiguous
// run of array elements of one job and attempt.
type submission struct {
	j       *job
	attempt int
	insts   []*inst // index order
}

// submit hands every ready instance to its executor: array elements with
// contiguous indices as one array job (chunked to the executor's maximum
// array size), within the executor's max_queued budget.
func (d *dispatcher) submit(ctx context.Context, toRun []readyInst) (bool, error) {
	if len(toRun) == 0 {
		return false, nil
	}
	budget := d.budgets()
	throttle := d.throttles(ctx, toRun)
	refused := map[string]bool{}
	changed := false
	subs := d.group(ctx, toRun)
	// A job the scheduler refused last round goes last this round, so one
	// job it keeps refusing cannot starve the others of the same executor.
	sort.SliceStable(subs, func(a, b int) bool {
		return d.refusedJob[subs[a].j.executor] != subs[a].j.hc.Name && d.refusedJob[subs[b].j.executor] == subs[b].j.hc.Name
	})
	for _, s := range subs {
		name := s.j.executor
		if refused[name] {
			continue
		}
		if !spend(budget, name, &s) || !spend(throttle, s.j, &s) {
			continue
		}
		ok, err := d.submitOne(ctx, s)
		if err != nil {
			return changed, err
		}
		if !ok {
			// The scheduler refused for a limit: try again next round.
			refused[name] = true
			d.refusedJob[name] = s.j.hc.Name
			continue
		}
		changed = true
	}
	return changed, nil
}

// budgets returns, per executor with max_queued, how many more jobs and
// array elements the run may have pending or running there.
func (d *dispatcher) budgets() map[string]int {
	out := map[string]int{}
	if d.cfg.Site == nil {
		return out
	}
	for name, ex := range d.cfg.Site.Executors {
		if ex.MaxQueued > 0 {
			out[name] = ex.MaxQueued
		}
	}
	d.m.live(func(j *job, in *inst) {
		if b, ok := out[j.executor]; ok && in.State.Active() {
			out[j.executor] = b - 1
		}
	})
	return out
}

// spend trims s to what is left of a limit (max_queued of an executor,
// the engine-kept throttle of a job) and takes that from it. It reports
// false when nothing is left; a key without a limit leaves s whole.
func spend[K comparable](left map[K]int, k K, s *submission) bool {
	b, ok := left[k]
	if !ok {
		return true
	}
	if b <= 0 {
		return false
	}
	if len(s.insts) > b {
		s.insts = s.insts[:b]
	}
	left[k] = b - len(s.insts)
	return true
}

// throttles returns, per array job whose array_parallelism its executor
// cannot enforce (no native throttle, or no arrays at all), how many more
// of its elements may be out: the engine keeps the cap itself by
// submitting in waves.
func (d *dispatcher) throttles(ctx context.Context, toRun []readyInst) map[*job]int {
	out := map[*job]int{}
	checked := map[*job]bool{}
	for _, r := range toRun {
		if checked[r.j] || !r.j.isArray() {
			continue
		}
		checked[r.j] = true
		p := arrayParallelism(r.in)
		if p <= 0 {
			continue
		}
		ex, err := d.executor(ctx, r.j.executor)
		if err != nil || (ex.Info.Capabilities.Arrays && ex.Info.Capabilities.Throttle) {
			continue
		}
		active := 0
		for _, in := range r.j.insts {
			if in.State.Active() {
				active++
			}
		}
		out[r.j] = p - active
	}
	return out
}

// group splits ready instances into submissions.
func (d *dispatcher) group(ctx context.Context, toRun []readyInst) []submission {
	type key struct {
		job     string
		attempt int
	}
	byKey := map[key]*submission{}
	var keys []key
	for _, r := range toRun {
		k := key{r.j.hc.Name, r.in.Attempt + 1}
		s := byKey[k]
		if s == nil {
			s = &submission{j: r.j, attempt: k.attempt}
			byKey[k] = s
			keys = append(keys, k)
		}
		s.insts = append(s.insts, r.in)
	}
	var out []submission
	for _, k := range keys {
		s := byKey[k]
		if !s.j.isArray() {
			out = append(out, *s)
			continue
		}
		sort.Slice(s.insts, func(a, b int) bool { return s.insts[a].Index < s.insts[b].Index })
		maxSize := 0
		arrays := true
		if ex, err := d.executor(ctx, s.j.executor); err == nil {
			arrays, maxSize = ex.Info.Capabilities.Arrays, ex.Info.Capabilities.MaxArraySize
		}
		if !arrays {
			maxSize = 1
		}
		start := 0
		for i := 1; i <= len(s.insts); i++ {
			if i == len(s.insts) || s.insts[i].Index != s.insts[i-1].Index+1 || (maxSize > 0 && i-start >= maxSize) {
				out = append(out, submission{j: s.j, attempt: s.attempt, insts: s.insts[start:i]})
				start = i
			}
		}
	}
	return out
}

// submitOne writes the specs of a submission and submits it. It returns
// false when the scheduler asked to try again later.
func (d *dispatcher) submitOne(ctx context.Context, s submission) (bool, error) {
	ex, err := d.executor(ctx, s.j.executor)
	if err != nil {
		return false, err
	}
	name := s.j.hc.Name
	asArray := s.j.isArray() && ex.Info.Capabilities.Arrays
	useShell := d.useShellWorker(s)
	if err := d.writeSpecs(s, useShell); err != nil {
		return false, err
	}
	spec := d.nativeSpec(s, asArray, useShell)
	if err := d.mkdir(spec.WorkDir); err != nil {
		return false, err
	}
	if err := d.mkdir(filepath.Dir(spec.Stdout)); err != nil {
		return false, err
	}
	resp, err := ex.Executor().Submit(ctx, &pluginapi.SubmitRequest{Job: spec})
	if err != nil {
		return false, fmt.Errorf("executor %q: Submit %s: %w", s.j.executor, name, err)
	}
	if resp.RetryLater {
		d.events = append(d.events, fmt.Sprintf("%s: the scheduler is at a limit; submitting later", name))
		return false, nil
	}
	now := time.Now()
	if resp.Diagnostics.Err() == nil && d.journal != nil {
		l := journalLine{Task: name, Attempt: s.attempt, Handle: resp.Handle, At: now}
		for _, in := range s.insts {
			l.Indices = append(l.Indices, in.Index)
		}
		if err := d.journal.append(l); err != nil {
			return false, fmt.Errorf("recording the submission of %s (job %s): %w", name, resp.Handle.ID, err)
		}
	}
	if err := resp.Diagnostics.Err(); err != nil {
		for _, in := range s.insts {
			in.Attempt = s.attempt
			in.set(store.InstanceFailed, fmt.Sprintf("executor %q refused the job: %v", s.j.executor, err))
			in.Finished = now
			d.attempts = append(d.attempts, in.AttemptRecord())
		}
		d.failed = true
		d.events = append(d.events, fmt.Sprintf("%s: executor %q refused the job: %v", name, s.j.executor, err))
		return true, nil
	}
	for _, in := range s.insts {
		in.markSubmitted(s.attempt, resp.Handle, now)
	}
	return true, nil
}

// parallelSpecs is the submission size from which specs are written on
// every core.
const parallelSpecs = 512

// writeSpecs writes what the workers of a submission read: one file per
// instance, so a 100,000-element array is 100,000 files, written on every
// core.
func (d *dispatcher) writeSpecs(s submission, useShell bool) error {
	write := d.writeSpec
	if useShell {
		write = d.writeShellSpec
	}
	errs := make([]error, len(s.insts))
	parallel.Blocks(len(s.insts), parallelSpecs, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			in := s.insts[i]
			if !useShell && s.j.executor == "local" {
				// A shell spec left by an earlier attempt would make the
				// dispatcher read this attempt's end as the shell worker's.
				_ = os.Remove(shellSpecPath(d.m.run.RunDir, s.j.hc.Name, in.Index))
			}
			errs[i] = write(s.j, in, s.attempt)
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// nativeSpec is the job a submission hands its executor: the worker's
// command line (or, for the shell worker, its script), log paths, resources
// and the array shape. It writes nothing, so `reflow plan --show-native`
// renders exactly what apply would submit.
func (d *dispatcher) nativeSpec(s submission, asArray, useShell bool) pluginapi.JobSpec {
	runDir := d.m.run.RunDir
	name := s.j.hc.Name
	first := s.insts[0]
	argv := []string{d.cfg.Reflow, "worker", "--run-dir", runDir, "--task", name, "--attempt", strconv.Itoa(s.attempt)}
	logBase := name
	if s.j.isArray() {
		if asArray {
			logBase += "." + pluginapi.IndexToken
		} else {
			argv = append(argv, "--index", strconv.Itoa(first.Index))
			logBase += "." + strconv.Itoa(first.Index)
		}
	}
	logDir := filepath.Join(runspec.StateDir(runDir), "logs")
	resources, options := d.resources(s.j, first)
	spec := pluginapi.JobSpec{
		RunID: d.m.run.ID, Task: name, WorkDir: runspec.WorkDir(runDir, name, -1), WorkerArgv: argv,
		Script:    "exec " + shell.Words(argv) + "\n",
		Stdout:    filepath.Join(logDir, fmt.Sprintf("%s.a%d.job.out", logBase, s.attempt)),
		Stderr:    filepath.Join(logDir, fmt.Sprintf("%s.a%d.job.err", logBase, s.attempt)),
		Resources: resources, Options: options,
	}
	if useShell {
		spec.Script = shellWorkerScript(runDir, name)
		// The shell worker needs no bash of its own: the local executor
		// sources it in the element's process, one process start less
		// per task.
		if spec.Options == nil {
			spec.Options = map[string]string{}
		}
		spec.Options["inline"] = "true"
		if s.j.isArray() && !asArray {
			spec.Env = map[string]string{pluginapi.IndexEnv: strconv.Itoa(first.Index)}
		}
	}
	if asArray {
		spec.Array = &pluginapi.ArraySpec{Size: len(s.insts), Offset: first.Index, Parallelism: arrayParallelism(first)}
	}
	return spec
}

// writeSpec writes what the worker of one instance reads.
func (d *dispatcher) writeSpec(j *job, in *inst, attempt int) error {
	runDir := d.m.run.RunDir
	stdout, stderr := runspec.LogPaths(runDir, j.hc.Name, in.Index, attempt)
	spec := runspec.Spec{
		Version: runspec.Version, RunID: d.m.run.ID, RunDir: runDir, Task: j.hc.Name, Index: in.Index,
		Attempt: attempt, WorkDir: in.hc.WorkDir(), Command: in.hc.Command, Env: in.hc.Env, Outputs: in.hc.Outputs,
		Stdout: stdout, Stderr: stderr, Result: runspec.ResultPath(runDir, j.hc.Name, in.Index, attempt),
		MaxResultBytes: runspec.DefaultMaxResultBytes,
	}
	return runspec.WriteSpec(runspec.SpecPath(runDir, j.hc.Name, in.Index), &spec)
}

// resources layers the site's defaults for the executor under the job's,
// escalates mem and time for retries after out-of-memory and timeout
// failures, and renders them for the plugin.
func (d *dispatcher) resources(j *job, in *inst) (map[string]string, map[string]string) {
	var site *hclconfig.Resources
	if d.cfg.Site != nil {
		if ex := d.cfg.Site.Executors[j.executor]; ex != nil {
			site = ex.Resources
		}
	}
	res, opts := RenderResources(hclconfig.MergeResources(site, in.hc.Resources))
	delete(res, "array_parallelism") // the engine passes it as Array.Parallelism
	r := j.hc.Retry
	if in.oomRetries > 0 && r.MemFactor > 1 {
		if m, err := sdk.ParseMemory(res["mem"]); err == nil {
			mb := math.Ceil(float64(m.Megabytes()) * math.Pow(r.MemFactor, float64(in.oomRetries)))
			res["mem"] = strconv.FormatInt(int64(mb), 10) + "M"
		}
	}
	if in.timeoutRetries > 0 && r.TimeFactor > 1 {
		if t, err := sdk.ParseDuration(res["time"]); err == nil {
			secs := math.Ceil(t.Seconds() * math.Pow(r.TimeFactor, float64(in.timeoutRetries)))
			res["time"] = strconv.FormatInt(int64(secs), 10) + "s"
		}
	}
	return res, opts
}

// RenderResources renders resource values and native options as the
// strings plugins receive (numbers without a decimal point when whole).
func RenderResources(r *hclconfig.Resources) (values, options map[string]string) {
	values, options = map[string]string{}, map[string]string{}
	if r == nil {
		return values, options
	}
	for k, v := range r.Values {
		values[k] = renderValue(v)
	}
	for k, v := range r.Options {
		options[k] = renderValue(v)
	}
	return values, options
}

func arrayParallelism(in *inst) int {
	if in.hc == nil {
		return 0
	}
	return in.hc.Resources.ArrayParallelism()
}

// renderValue writes a resource value as the contract wants it: whole
// numbers without a decimal point.
func renderValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	return strings.TrimSpace(fmt.Sprint(v))
}
