package sgeexec

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// submission is a job as qsub gets it: the command line, the script fed to
// its standard input, and the handle state that describes the job.
type submission struct {
	argv   []string
	script string
	state  handleState
}

// Render returns the exact qsub command line and job script Submit would
// use. The script goes to qsub on standard input.
func (e *Executor) Render(ctx context.Context, req *pluginapi.RenderRequest) (*pluginapi.RenderResponse, error) {
	cfg := e.config()
	sub, diags := build(&cfg, &req.Job)
	if diags.HasErrors() {
		return &pluginapi.RenderResponse{Diagnostics: diags}, nil
	}
	return &pluginapi.RenderResponse{Argv: sub.argv, Script: sub.script, Diagnostics: diags}, nil
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// build checks a job and turns it into a submission. Every problem is a
// diagnostic naming the attribute.
func build(cfg *config, spec *pluginapi.JobSpec) (submission, pluginapi.Diagnostics) {
	var sub submission
	diags := checkSpec(cfg, spec)
	req, d := buildRequest(cfg, spec)
	diags = append(diags, d...)
	opts, d := optionDirectives(spec.Options)
	diags = append(diags, d...)
	deps, d := planDependencies(spec)
	diags = append(diags, d...)
	if diags.HasErrors() {
		return sub, diags
	}

	// Directives, in a fixed order so that Render is deterministic.
	dirs := [][]string{
		{"-N", jobName(spec.Task)},
		{"-S", cfg.Shell},
		{"-wd", spec.WorkDir},
	}
	switch {
	case spec.Array != nil:
		// Elements write their own logs (see script.go).
		dirs = append(dirs, []string{"-o", "/dev/null"}, []string{"-e", "/dev/null"})
	case spec.Stdout == spec.Stderr:
		dirs = append(dirs, []string{"-o", spec.Stdout}, []string{"-j", "y"})
	default:
		dirs = append(dirs, []string{"-o", spec.Stdout}, []string{"-e", spec.Stderr})
	}
	st := handleState{TimeLimit: req.timeLimit, MemLimit: req.memLimit, Hold: deps.hold, Deps: deps.deps}
	if a := spec.Array; a != nil {
		st.Size, st.Offset = a.Size, a.Offset
		dirs = append(dirs, []string{"-t", fmt.Sprintf("%d-%d", a.Offset+1, a.Offset+a.Size)})
		if a.Parallelism > 0 && a.Parallelism < a.Size {
			dirs = append(dirs, []string{"-tc", strconv.Itoa(a.Parallelism)})
		}
	}
	dirs = append(dirs, req.directives...)
	if cfg.ExportEnv {
		dirs = append(dirs, []string{"-V"})
	}
	dirs = append(dirs, opts...)

	body := scriptBody(spec)
	prefix := directivePrefix(body)
	var b strings.Builder
	b.WriteString("#!" + cfg.Shell + "\n")
	for _, w := range dirs {
		b.WriteString(directiveLine(prefix, w))
		b.WriteByte('\n')
	}
	b.WriteString(body)

	argv := []string{cfg.command("qsub"), "-terse"}
	if prefix != "#$" {
		argv = append(argv, "-C", prefix)
	}
	argv = append(argv, cfg.ExtraArgs...)
	argv = append(argv, deps.args()...)
	return submission{argv: argv, script: b.String(), state: st}, diags
}

// checkSpec checks what the engine hands over beyond resources, options
// and dependencies.
func checkSpec(cfg *config, spec *pluginapi.JobSpec) pluginapi.Diagnostics {
	var diags pluginapi.Diagnostics
	if strings.TrimSpace(spec.Script) == "" {
		diags = diags.Errorf("script", "the job's script is empty")
	}
	if spec.WorkDir == "" || !filepath.IsAbs(spec.WorkDir) {
		diags = diags.Errorf("work_dir", "work directory %q must be an absolute path", spec.WorkDir)
	}
	for _, p := range []struct{ attr, v string }{{"work_dir", spec.WorkDir}, {"stdout", spec.Stdout}, {"stderr", spec.Stderr}} {
		if p.v == "" && p.attr != "work_dir" {
			diags = diags.Errorf(p.attr, "the job's %s path is empty", p.attr)
		} else if err := checkDirectiveWord(p.v); err != nil {
			diags = diags.Errorf(p.attr, "%s path %v: Grid Engine cannot take it", p.attr, err)
		}
	}
	if a := spec.Array; a != nil {
		switch {
		case a.Size < 1:
			diags = diags.Errorf("array.size", "an array needs at least one element, not %d", a.Size)
		case a.Size > cfg.MaxArraySize:
			diags = diags.Errorf("array.size", "an array of %d elements is above this cluster's %d tasks per array job (max_aj_tasks); the engine splits arrays by Info's MaxArraySize", a.Size, cfg.MaxArraySize)
		}
		if a.Offset < 0 {
			diags = diags.Errorf("array.offset", "the array offset must not be negative, not %d", a.Offset)
		}
		if a.Parallelism < 0 {
			diags = diags.Errorf("array.parallelism", "array parallelism must not be negative, not %d", a.Parallelism)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(spec.Env)) {
		if !envName.MatchString(k) {
			diags = diags.Errorf("env."+k, "%q is not an environment variable name", k)
		}
	}
	return diags
}
