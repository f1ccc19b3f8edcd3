package fluxexec

// The flux options of a submission: shape, limits, queue and bank, paths,
// native options and dependencies.

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// commonOptions are the options every element shares: shape, limits,
// queue, bank, work dir, output paths (single jobs only: array elements
// get theirs per element) and native options.
func (e *Executor) commonOptions(spec pluginapi.JobSpec, cfg config, res sdk.Resources, sh shape, p *plan) ([]string, pluginapi.Diagnostics) {
	var (
		opts  []string
		diags pluginapi.Diagnostics
	)
	if sh.nodes > 0 {
		opts = append(opts, "-N", strconv.Itoa(sh.nodes))
	}
	if p.mode == modeBatch {
		opts = append(opts, "-n", strconv.Itoa(sh.tasks)) // flux batch requires a slot count
	}
	if sh.cpus > 0 {
		opts = append(opts, "-c", strconv.Itoa(sh.cpus))
	}
	if sh.gpusPerTask > 0 {
		opts = append(opts, "-g", strconv.Itoa(sh.gpusPerTask))
	}
	if res.Time > 0 {
		opts = append(opts, "-t", sdk.FormatFluxDuration(res.Time))
	}
	if q := cmpOr(res.Partition, cfg.Queue); q != "" {
		opts = append(opts, "--queue="+q)
	}
	if b := cmpOr(res.Account, cfg.Bank); b != "" {
		if e.bankAsOption() {
			opts = append(opts, "--bank="+b)
		} else {
			opts = append(opts, "--setattr=bank="+b)
		}
	}
	opts = append(opts, "--cwd="+spec.WorkDir)

	stdout, stderr := spec.Stdout, spec.Stderr
	if stdout == "" {
		stdout = filepath.Join(spec.WorkDir, "flux-{{id}}.out")
	}
	for _, ap := range [][2]string{{"stdout", stdout}, {"stderr", stderr}} {
		if d := checkPath(ap[0], ap[1], p); d != nil {
			diags = append(diags, *d)
		}
	}
	if !p.array {
		opts = append(opts, "--output="+stdout)
		if stderr != "" {
			opts = append(opts, "--error="+stderr)
		}
	}

	keys := make([]string, 0, len(spec.Options))
	for k := range spec.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := spec.Options[k]
		name := strings.TrimLeft(k, "-")
		switch {
		case !optionNameRE.MatchString(name):
			diags = diags.Errorf("options."+k, "%q is not a flux option name; write it without dashes, e.g. requires or exclusive", k)
			continue
		case managedOptions[name]:
			diags = diags.Errorf("options."+k, "--%s is set by the flux executor itself and cannot be given as a native option", name)
			continue
		case p.mode == modeSubmit && p.array && strings.ContainsAny(v, "{}"):
			diags = diags.Errorf("options."+k, "value %q has braces, which flux submit --cc would take as a replacement field", v)
			continue
		}
		switch {
		case len(name) == 1 && v == "":
			opts = append(opts, "-"+name)
		case len(name) == 1:
			opts = append(opts, "-"+name, v)
		case v == "":
			opts = append(opts, "--"+name)
		default:
			opts = append(opts, "--"+name+"="+v)
		}
	}
	return opts, diags
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// checkPath refuses output paths Flux would rewrite: mustache templates
// ({{...}}, expanded by the job shell) and, for --cc copies, any brace
// other than the element's index.
func checkPath(attr, path string, p *plan) *pluginapi.Diagnostic {
	rest := path
	if p.array {
		rest = strings.ReplaceAll(rest, pluginapi.IndexToken, "")
	}
	rest = strings.ReplaceAll(rest, "{{id}}", "") // the plugin's own default name
	if strings.ContainsAny(rest, "{}") {
		return &pluginapi.Diagnostic{Severity: pluginapi.Error, Attribute: attr,
			Summary: fmt.Sprintf("the %s path %q contains braces, which Flux expands as templates", attr, path),
			Detail:  "Choose a path without { or }."}
	}
	if p.array && path != "" && !strings.Contains(path, pluginapi.IndexToken) {
		return &pluginapi.Diagnostic{Severity: pluginapi.Warning, Attribute: attr,
			Summary: fmt.Sprintf("the %s path of an array has no %s: every element writes the same file", attr, pluginapi.IndexToken)}
	}
	return nil
}

// dependencyOptions turns dependencies into one --dependency per upstream
// job id: every element of an upstream array.
func dependencyOptions(deps []pluginapi.Dependency) ([]string, [][]uint64, pluginapi.Diagnostics) {
	var (
		opts  []string
		ids   = make([][]uint64, len(deps))
		diags pluginapi.Diagnostics
	)
	for i, d := range deps {
		attr := fmt.Sprintf("dependencies[%d]", i)
		if d.Group != "" {
			diags = diags.Errorf(attr+".group", "Flux has no any-of dependencies (all of a job's dependencies must hold); this executor does not claim AnyOf")
			continue
		}
		var scheme string
		switch d.Kind {
		case pluginapi.AfterOK:
			scheme = "afterok"
		case pluginapi.AfterAny:
			scheme = "afterany"
		default:
			diags = diags.Errorf(attr+".kind", "Flux cannot express %q dependencies natively (a --cc copy cannot depend on its own upstream element); this executor claims afterok and afterany only", d.Kind)
			continue
		}
		t, err := parseHandle(d.Handle)
		if err != nil {
			diags = append(diags, pluginapi.Diagnostic{Severity: pluginapi.Error, Attribute: attr + ".handle",
				Summary: "unknown job handle", Detail: err.Error() + "."})
			continue
		}
		ids[i] = t.ids
		for _, id := range t.ids {
			opts = append(opts, "--dependency="+scheme+":"+dec(id))
		}
	}
	return slices.Compact(opts), ids, diags
}
