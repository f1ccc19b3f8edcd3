package slurmexec

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// submission is one sbatch call: its command line and the parts of its
// batch script. The script goes to sbatch on standard input, so nothing is
// written to disk and Slurm keeps the exact script with the job
// (`scontrol write batch_script ID` shows it).
type submission struct {
	argv    []string
	spec    pluginapi.JobSpec
	name    string
	array   *arrayPlan
	deps    depPlan
	dirs    []directive // resources, then native options
	cluster string      // from --clusters in the options or sbatch_args, else ""
}

// build checks a job and prepares its submission. Nothing here asks Slurm:
// Render shows exactly this, and Submit adds only the upstream check.
func (e *Executor) build(cfg config, cl clusterInfo, spec pluginapi.JobSpec) (*submission, pluginapi.Diagnostics) {
	s := &submission{spec: spec, argv: append([]string{cfg.Sbatch, "--parsable"}, cfg.SbatchArgs...)}
	var diags pluginapi.Diagnostics
	if strings.TrimSpace(spec.Script) == "" {
		diags = diags.Errorf("script", "the job has an empty script")
	}
	if !filepath.IsAbs(spec.WorkDir) {
		diags = diags.Errorf("work_dir", "the work directory %q is not an absolute path", spec.WorkDir)
	} else if why := badDirectiveValue(spec.WorkDir); why != "" {
		diags = diags.Errorf("work_dir", "the work directory %q %s, which an #SBATCH line cannot carry", spec.WorkDir, why)
	}
	for _, p := range []struct{ attr, path string }{{"stdout", spec.Stdout}, {"stderr", spec.Stderr}} {
		switch {
		case p.path == "":
			diags = diags.Errorf(p.attr, "no %s path", p.attr)
		case badDirectiveValue(p.path) != "":
			diags = diags.Errorf(p.attr, "the %s path %q %s, which an #SBATCH line cannot carry", p.attr, p.path, badDirectiveValue(p.path))
		case strings.Contains(p.path, `\`):
			diags = diags.Errorf(p.attr, "the %s path %q contains a backslash, which turns off Slurm's file name patterns", p.attr, p.path)
		}
	}

	res, rd := sdk.ParseResources(spec.Resources, resourceKeys())
	diags = append(diags, rd...)
	if a := spec.Array; a != nil {
		switch {
		case a.Size < 1:
			diags = diags.Errorf("array.size", "an array job needs at least one element, not %d", a.Size)
		case a.Size > cl.maxElements():
			diags = diags.Errorf("array.size", "an array of %d elements is more than one Slurm array job may have (%d); submit it in chunks", a.Size, cl.maxElements())
		case a.Offset < 0 || a.Parallelism < 0:
			diags = diags.Errorf("array", "array offset %d and parallelism %d must not be negative", a.Offset, a.Parallelism)
		default:
			if a.Size > maxArray(cfg, cl) {
				// The cluster takes it; only the site's max_array_size is
				// exceeded, by a host that chunked by what Info said before
				// Configure. Refusing would fail the task for nothing.
				diags = diags.Warnf("array.size", "an array of %d elements is above max_array_size %d; submitted as one array job all the same",
					a.Size, cfg.MaxArraySize)
			}
			p := planArray(a, cl.maxIndex())
			if p.Parallelism == 0 {
				p.Parallelism = res.ArrayParallelism
			}
			s.array = &p
		}
	}
	dirs, dd := resourceDirectives(res, cfg)
	diags = append(diags, dd...)
	opts, od := optionDirectives(spec.Options, res)
	diags = append(diags, od...)
	s.dirs = append(dirs, opts...)
	for _, d := range opts {
		if d.Name == "clusters" {
			s.cluster = d.Value
		}
	}
	for i, a := range cfg.SbatchArgs {
		if v, ok := strings.CutPrefix(a, "--clusters="); ok {
			s.cluster = v
		} else if (a == "--clusters" || a == "-M") && i+1 < len(cfg.SbatchArgs) {
			s.cluster = cfg.SbatchArgs[i+1]
		}
	}
	diags = append(diags, checkEnv(spec.Env)...)
	if spec.Array != nil && s.array == nil {
		return s, diags // the array's own problems hide the dependency checks'
	}
	plan, pd := checkDeps(spec.Dependencies, s.array)
	diags = append(diags, pd...)
	s.deps = plan
	s.name = jobName(spec)
	return s, diags
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// checkEnv checks that every environment variable can be exported by
// name.
func checkEnv(env map[string]string) pluginapi.Diagnostics {
	var diags pluginapi.Diagnostics
	for _, k := range sortedKeys(env) {
		if !envName.MatchString(k) {
			diags = diags.Errorf("env."+k, "%q is not a valid environment variable name (letters, digits and underscores, not starting with a digit)", k)
		}
	}
	return diags
}

// jobName names the job after its task and run, so squeue's NAME column
// (8 characters by default) starts with the task.
func jobName(spec pluginapi.JobSpec) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._+-", r) {
				return r
			}
			return '_'
		}, s)
	}
	name := clean(spec.Task)
	if spec.RunID != "" {
		name += "." + clean(spec.RunID)
	}
	if name == "" {
		name = "reflow"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// script is the batch script: directives, then the environment, then the
// job's own script.
func (s *submission) script() string {
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	fmt.Fprintf(&b, "# reflow: task %s of run %s (reflow-executor-slurm %s)\n", oneLine(s.spec.Task), oneLine(s.spec.RunID), Version)
	dir := func(d directive) { b.WriteString("#SBATCH " + d.String() + "\n") }
	dir(directive{Name: "job-name", Value: s.name})
	dir(directive{Name: "chdir", Value: s.spec.WorkDir})
	dir(directive{Name: "output", Value: slurmLogPath(s.spec.Stdout, s.array)})
	dir(directive{Name: "error", Value: slurmLogPath(s.spec.Stderr, s.array)})
	if s.array != nil {
		dir(directive{Name: "array", Value: s.array.spec()})
	}
	if len(s.deps.Items) > 0 {
		dir(directive{Name: "dependency", Value: s.deps.expr()})
		// Slurm then cancels the job itself as soon as its dependency can
		// never hold, even while no plugin polls; Poll reports it failed.
		dir(directive{Name: "kill-on-invalid-dep", Value: "yes"})
	}
	for _, d := range s.dirs {
		dir(d)
	}
	// The first line that is not a comment ends the directives.
	for _, k := range sortedKeys(s.spec.Env) {
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(s.spec.Env[k]))
	}
	if s.array != nil {
		b.WriteString(s.array.indexEnv() + "\n")
		if r := redirect(s.spec.Stdout, s.spec.Stderr, s.array); r != "" {
			b.WriteString(r + "\n")
		}
	}
	b.WriteString(s.spec.Script)
	if !strings.HasSuffix(s.spec.Script, "\n") {
		b.WriteByte('\n')
	}
	return b.String()
}

func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
