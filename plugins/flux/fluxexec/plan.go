package fluxexec

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// plan is the native submission of one job spec: everything Render shows
// and Submit runs.
type plan struct {
	// mode is modeBatch or modeSubmit.
	mode string
	// array is set for an array; perElement when it is submitted as one
	// flux batch per element (argv then holds IndexToken where each
	// element's index goes), else with one flux submit --cc.
	array      bool
	perElement bool
	indices    []int
	argv       []string
	script     string
	scriptPath string
	stderr     string // stderr path, with IndexToken for arrays
	// depIDs are the job ids each dependency names, for mapping a refusal
	// back to dependencies[i].
	depIDs [][]uint64
}

// shape is a job's size in Flux's terms.
type shape struct {
	tasks, cpus, gpusPerTask, nodes int
}

// optionNameRE is what a native option's key may look like.
var optionNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`)

// managedOptions are flux options the plugin sets itself; a native option
// of the same name would fight it.
var managedOptions = map[string]bool{
	"cc": true, "bcc": true, "job-name": true, "output": true, "error": true, "cwd": true,
	"dependency": true, "quiet": true, "dry-run": true, "wait": true, "wait-event": true,
	"watch": true, "log": true, "log-stderr": true, "progress": true, "jps": true, "wrap": true,
	"help": true, "h": true, "input": true,
}

// buildPlan turns a job spec into its native submission. It checks
// everything it can without Flux: every problem is a diagnostic naming the
// attribute.
func (e *Executor) buildPlan(spec pluginapi.JobSpec) (*plan, pluginapi.Diagnostics) {
	cfg := e.config()
	res, diags := sdk.ParseResources(spec.Resources, resourceKeys())
	if spec.WorkDir == "" || !filepath.IsAbs(spec.WorkDir) {
		diags = diags.Errorf("work_dir", "the work dir must be an absolute path, not %q", spec.WorkDir)
	}
	if res.Memory > 0 {
		diags = diags.Warnf("resources.mem", "flux-core has no memory option: mem = %q is not passed to Flux and not enforced", spec.Resources[memKey(spec.Resources)])
	}

	sh := shape{tasks: max(res.Tasks, 1), cpus: res.CPUs, nodes: res.Nodes}
	if res.Tasks == 0 && res.Nodes > 0 {
		sh.tasks = res.Nodes // one task (slot) per node, as Flux defaults
	}
	if res.Tasks > 0 && res.Nodes > res.Tasks {
		diags = diags.Errorf("resources.nodes", "%d nodes for %d tasks: Flux needs at least one task per node; raise tasks or lower nodes", res.Nodes, res.Tasks)
	}
	if res.GPUs > 0 {
		if res.GPUs%sh.tasks != 0 {
			diags = diags.Errorf("resources.gpus", "%d GPUs cannot be shared evenly by %d tasks: Flux allocates GPUs per task; make gpus a multiple of tasks", res.GPUs, sh.tasks)
		}
		sh.gpusPerTask = res.GPUs / sh.tasks
	}

	p := &plan{mode: cfg.SubmitCommand}
	multi := sh.tasks > 1 || sh.nodes > 1
	switch {
	case p.mode == modeAuto && multi:
		p.mode = modeBatch
	case p.mode == modeAuto:
		p.mode = modeSubmit
	case p.mode == modeSubmit && multi:
		diags = diags.Errorf("resources.tasks", "submit_command = \"submit\" runs the job's script once per task, so a job of %d tasks on %d nodes would run it %d times; use submit_command = \"auto\" or \"batch\" (flux batch allocates the tasks and runs the script once)", sh.tasks, max(sh.nodes, 1), sh.tasks)
	}

	if a := spec.Array; a != nil {
		p.array = true
		switch {
		case a.Size < 1:
			diags = diags.Errorf("array.size", "an array needs at least one element, not %d", a.Size)
		case a.Size > cfg.MaxArraySize:
			diags = diags.Errorf("array.size", "an array of %d elements is larger than max_array_size (%d); the engine splits arrays by the size Info reports", a.Size, cfg.MaxArraySize)
		}
		if a.Offset < 0 {
			diags = diags.Errorf("array.offset", "the array offset must not be negative, not %d", a.Offset)
		}
		if a.Parallelism > 0 || res.ArrayParallelism > 0 {
			diags = diags.Warnf("array.parallelism", "Flux has no array throttle: all %d elements may run at once", a.Size)
		}
		if !diags.HasErrors() {
			p.indices = a.Indices()
		}
		p.perElement = p.mode == modeBatch
	} else if res.ArrayParallelism > 0 {
		diags = diags.Warnf("resources.array_parallelism", "array_parallelism applies to arrays only; this job is not one")
	}

	opts, od := e.commonOptions(spec, cfg, res, sh, p)
	diags = append(diags, od...)
	deps, depIDs, dd := dependencyOptions(spec.Dependencies)
	diags = append(diags, dd...)
	p.depIDs = depIDs
	for k := range spec.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") || !envNameRE.MatchString(k) {
			diags = diags.Errorf("env", "%q is not a valid environment variable name", k)
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	opts = append(opts, deps...)
	p.script = renderScript(spec, p, opts)
	p.scriptPath = scriptPath(spec, cfg, p.script)
	p.stderr = spec.Stderr
	p.argv = e.argv(spec, cfg, p, opts)
	return p, diags
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func memKey(r map[string]string) string {
	for k := range r {
		if c, ok := sdk.Normalize(k, resourceKeys()); ok && c == sdk.KeyMem {
			return k
		}
	}
	return "mem"
}

// scriptPath is where Submit writes the job script: script_dir, else the
// directory of the job's stdout file; the name carries a hash of the
// content, so Render and Submit agree and retries never overwrite a
// script a queued job still needs.
func scriptPath(spec pluginapi.JobSpec, cfg config, script string) string {
	dir := cfg.ScriptDir
	if dir == "" {
		dir = spec.WorkDir
		if spec.Stdout != "" && !strings.Contains(filepath.Dir(spec.Stdout), "{") {
			dir = filepath.Dir(spec.Stdout)
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(spec.WorkDir, dir)
			}
		}
	}
	sum := sha256.Sum256([]byte(script))
	return filepath.Join(dir, safeName(spec.Task)+"."+hex.EncodeToString(sum[:6])+".flux.sh")
}

// safeName makes a task name usable in file and job names.
func safeName(s string) string {
	out := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, s)
	if out == "" {
		return "job"
	}
	return out
}
