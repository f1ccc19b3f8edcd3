package lsfexec

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// submission is a job ready for bsub: the command line, the script it
// reads from stdin, and what the handle will record.
type submission struct {
	argv   []string
	script string
	state  handleState
	// attrs maps a bsub option to the request attribute it came from, so a
	// refusal by bsub can name what the user should fix.
	attrs map[string]string
}

// Render shows exactly what Submit runs: bsub's argv, and the job script
// that Submit feeds to it on stdin.
func (e *Executor) Render(ctx context.Context, req *pluginapi.RenderRequest) (*pluginapi.RenderResponse, error) {
	if req == nil {
		req = &pluginapi.RenderRequest{}
	}
	sub, diags := build(req.Job, e.config())
	resp := &pluginapi.RenderResponse{Diagnostics: diags}
	if sub != nil {
		resp.Argv, resp.Script = sub.argv, sub.script
	}
	return resp, nil
}

// build checks a job and turns it into a submission. It reports every
// problem at once; the submission is nil when there is an error.
func build(spec pluginapi.JobSpec, cfg config) (*submission, pluginapi.Diagnostics) {
	res, diags := sdk.ParseResources(spec.Resources, resourceKeys())
	opts, d := resourceOptions(res, cfg)
	diags = append(diags, d...)
	sub := &submission{attrs: map[string]string{}}

	if spec.WorkDir == "" || !filepath.IsAbs(spec.WorkDir) {
		diags = diags.Errorf("work_dir", "the work dir must be an absolute path, not %q", spec.WorkDir)
	}
	if strings.TrimSpace(spec.Script) == "" {
		diags = diags.Errorf("script", "the job has no script; bsub refuses a job without a command")
	}
	if l := directiveLine(spec.Script); l != "" {
		diags = diags.Errorf("script", "the job script has a line bsub would take as a directive: %q", l)
	}
	name := jobName(spec)
	jobOpt := option{Name: "-J", Value: name, Attr: "task"}
	if a := spec.Array; a != nil {
		parallel := a.Parallelism
		if parallel == 0 {
			parallel = res.ArrayParallelism // for hosts that leave it in the resources
		}
		switch {
		case a.Size < 1:
			diags = diags.Errorf("array.size", "an array needs at least one element, not %d", a.Size)
		case a.Size > cfg.MaxArraySize:
			diags = diags.Errorf("array.size", "an array of %d elements is larger than MAX_JOB_ARRAY_SIZE (%d, the max_array_size setting); reflow splits larger arrays when Info says so", a.Size, cfg.MaxArraySize)
		}
		if a.Offset < 0 {
			diags = diags.Errorf("array.offset", "the array offset must not be negative, not %d", a.Offset)
		}
		if parallel < 0 {
			diags = diags.Errorf("array.parallelism", "parallelism must not be negative, not %d", parallel)
		}
		jobOpt.Value = fmt.Sprintf("%s[1-%d]", name, max(a.Size, 1))
		if parallel > 0 {
			jobOpt.Value += "%" + strconv.Itoa(parallel)
		}
		sub.state.Size, sub.state.Offset = a.Size, a.Offset
	}
	all := append([]option{jobOpt}, opts...)
	all = append(all, outputOptions(spec)...)

	expr, deps, d := dependencies(spec)
	diags = append(diags, d...)
	if expr != "" {
		all = append(all, option{Name: "-w", Value: expr, Attr: "dependencies"})
	}
	native, d := nativeOptions(spec.Options, all)
	diags = append(diags, d...)
	all = append(all, native...)

	for k := range spec.Env {
		if !envNameRe.MatchString(k) {
			diags = diags.Errorf("env", "%q is not a valid environment variable name", k)
		}
	}

	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	for _, o := range all {
		sub.attrs[o.Name] = o.Attr
		if o.Flag {
			fmt.Fprintf(&b, "#BSUB %s\n", o.Name)
			continue
		}
		w, err := bsubWord(o.Value)
		if err != nil {
			diags = diags.Errorf(o.Attr, "the value %q for bsub %s %v", o.Value, o.Name, err)
			continue
		}
		fmt.Fprintf(&b, "#BSUB %s %s\n", o.Name, w)
	}
	fmt.Fprintf(&b, "# reflow: task %s of run %s\n", oneLine(spec.Task), oneLine(spec.RunID))
	if spec.Array != nil {
		writeArrayPrologue(&b, spec)
	}
	fmt.Fprintf(&b, "cd %s || { echo \"reflow: cannot enter the work dir\" >&2; exit 70; }\n", shellWord(spec.WorkDir))
	keys := make([]string, 0, len(spec.Env))
	for k := range spec.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "export %s=%s\n", k, shellWord(spec.Env[k]))
	}
	b.WriteString(spec.Script)
	if !strings.HasSuffix(spec.Script, "\n") {
		b.WriteByte('\n')
	}
	if diags.HasErrors() {
		return nil, diags
	}
	sub.argv = append([]string{cfg.Bsub}, cfg.BsubArgs...)
	sub.script = b.String()
	sub.state.V, sub.state.Name, sub.state.Deps = stateVersion, name, deps
	sub.state.RunLimit = sdk.Minutes(res.Time)
	return sub, diags
}

var envNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// directiveRe is a line bsub reads as a directive, wherever it is in the
// script (even inside a quoted string).
var directiveRe = regexp.MustCompile(`(?m)^[ \t]*#[ ]?BSUB\b.*$`)

// directiveLine returns the first line of script that bsub would honour
// as a #BSUB directive, or "".
func directiveLine(script string) string {
	return directiveRe.FindString(script)
}

// jobName is the job's LSF name: "rf.<task>.<hash>", where the hash covers
// the whole job spec. It is unique per submission in practice (element-wise
// dependents refer to arrays by name, and LSF applies a name condition to
// every job of that name) yet the same every time the same job is
// rendered. Characters LSF does not allow in an array name become '_'.
func jobName(spec pluginapi.JobSpec) string {
	b, _ := json.Marshal(spec)
	sum := sha256.Sum256(b)
	task := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, spec.Task)
	if len(task) > 100 {
		task = task[:100]
	}
	if task == "" {
		task = "job"
	}
	return "rf." + task + "." + hex.EncodeToString(sum[:4])
}

// outputOptions are -o and -e. A plain job writes straight to the job's
// files. An array's elements need files named by their engine index, which
// LSF's %I (the 1-based LSF index) cannot express when the array has an
// offset; the job script itself redirects to them (writeArrayPrologue), and
// LSF's own -o/-e (its job report, and anything before the redirection)
// go to the same names with the index replaced by "lsf%I".
func outputOptions(spec pluginapi.JobSpec) []option {
	stdout, stderr := spec.Stdout, spec.Stderr
	if stdout == "" {
		stdout = "/dev/null" // without -o LSF mails the output
	}
	if spec.Array != nil {
		stdout = strings.ReplaceAll(stdout, pluginapi.IndexToken, "lsf%I")
		stderr = strings.ReplaceAll(stderr, pluginapi.IndexToken, "lsf%I")
	}
	out := []option{{Name: "-o", Value: stdout, Attr: "stdout"}}
	if stderr != "" {
		out = append(out, option{Name: "-e", Value: stderr, Attr: "stderr"})
	}
	return out
}

// writeArrayPrologue writes the lines that give an array element its
// engine index, from LSB_JOBINDEX (1-based), and point its output at the
// job's files for that index.
func writeArrayPrologue(b *strings.Builder, spec pluginapi.JobSpec) {
	a := spec.Array
	fmt.Fprintf(b, "# reflow: LSF elements 1..%d are engine indices %d..%d\n", a.Size, a.Offset, a.Offset+a.Size-1)
	b.WriteString(`[ "${LSB_JOBINDEX:-0}" -ge 1 ] 2>/dev/null || { echo "reflow: LSB_JOBINDEX is not set; this script runs as an element of an LSF job array" >&2; exit 70; }` + "\n")
	switch d := a.Offset - 1; {
	case d < 0:
		fmt.Fprintf(b, "export %s=$((LSB_JOBINDEX - %d))\n", pluginapi.IndexEnv, -d)
	default:
		fmt.Fprintf(b, "export %s=$((LSB_JOBINDEX + %d))\n", pluginapi.IndexEnv, d)
	}
	redirect := func(path string) string {
		parts := strings.Split(path, pluginapi.IndexToken)
		for i, p := range parts {
			if p != "" {
				parts[i] = shellWord(p)
			}
		}
		return strings.Join(parts, `"$`+pluginapi.IndexEnv+`"`)
	}
	stdout := spec.Stdout
	if stdout == "" {
		stdout = "/dev/null"
	}
	if spec.Stderr == "" {
		fmt.Fprintf(b, "exec >>%s 2>&1\n", redirect(stdout))
	} else {
		fmt.Fprintf(b, "exec >>%s 2>>%s\n", redirect(stdout), redirect(spec.Stderr))
	}
}

// optionNameRe is a bsub option name as a native option key, with or
// without its dash.
var optionNameRe = regexp.MustCompile(`^-?[A-Za-z][A-Za-z0-9_]*$`)

// reservedOptions are bsub options the plugin manages itself: the job's
// name and array, its output files, its dependencies, and the options that
// would make bsub wait for the job (interactive, -K).
var reservedOptions = map[string]string{
	"-J": "the plugin names the job (and its array)", "-o": "the job's stdout is the engine's", "-e": "the job's stderr is the engine's",
	"-oo": "the job's stdout is the engine's", "-eo": "the job's stderr is the engine's", "-w": "reflow writes the dependencies itself",
	"-K": "bsub would wait for the job", "-I": "interactive jobs cannot be followed", "-Ip": "interactive jobs cannot be followed",
	"-Is": "interactive jobs cannot be followed", "-IS": "interactive jobs cannot be followed", "-ISp": "interactive jobs cannot be followed",
	"-ISs": "interactive jobs cannot be followed", "-IX": "interactive jobs cannot be followed", "-cwd": "the job starts in its work dir",
}

// nativeOptions turns JobSpec.Options into bsub options, sorted by name:
// key "x" (or "-x") with value "v" is "#BSUB -x v", with an empty value a
// flag. An option the plugin writes from the resources may not be given
// again.
func nativeOptions(in map[string]string, have []option) ([]option, pluginapi.Diagnostics) {
	var diags pluginapi.Diagnostics
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	used := map[string]string{}
	for _, o := range have {
		used[o.Name] = o.Attr
	}
	var out []option
	for _, k := range keys {
		attr := "options." + k
		if !optionNameRe.MatchString(k) {
			diags = diags.Errorf(attr, "%q is not a bsub option name", k)
			continue
		}
		name := "-" + strings.TrimPrefix(k, "-")
		if why, ok := reservedOptions[name]; ok {
			diags = diags.Errorf(attr, "bsub %s cannot be a native option: %s", name, why)
			continue
		}
		if from, ok := used[name]; ok {
			diags = diags.Errorf(attr, "bsub %s is already written from %s; set one or the other", name, from)
			continue
		}
		used[name] = attr
		v := in[k]
		out = append(out, option{Name: name, Value: v, Flag: v == "", Attr: attr})
	}
	return out, diags
}

func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
}
