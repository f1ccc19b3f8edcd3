package localexec

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// localKeys are the resource keys the local executor understands. Other
// portable keys (gpus, nodes, partition, ...) would be silently meaningless
// on one machine, so they are refused rather than ignored.
var localKeys = []struct{ name, desc string }{
	{"cpus", "Slots the job occupies while it runs (default 1)."},
	{"mem", "Accepted for portability; informational, not enforced."},
	{"time", "Wall-clock limit; past it the job is killed and ends as timeout."},
	{"array_parallelism", "Most elements of an array running at once."},
}

// resourceKeys returns localKeys with the aliases the SDK defines for them,
// so a workflow written for a cluster keeps working locally.
func resourceKeys() []pluginapi.ResourceKey {
	out := make([]pluginapi.ResourceKey, 0, len(localKeys))
	for _, k := range localKeys {
		rk := pluginapi.ResourceKey{Name: k.name, Description: k.desc}
		for _, p := range sdk.PortableKeys {
			if p.Name == k.name {
				rk.Aliases = append([]string(nil), p.Aliases...)
			}
		}
		out = append(out, rk)
	}
	return out
}

// optInline is the local executor's one native option: source the job
// script in the element's own process (forked from a runner) instead of
// starting a bash for it. A tiny task then costs one process start less;
// the price is that $$ in the job script is the runner's pid ($BASHPID is
// the element's). reflow's own shell worker sets it.
const optInline = "inline"

// checkWorkDir is Submit's check that the work dir exists. Render leaves it
// out: `reflow plan --show-native` renders jobs of a run whose directories
// are made only when it starts.
func checkWorkDir(spec pluginapi.JobSpec) pluginapi.Diagnostics {
	if !filepath.IsAbs(spec.WorkDir) {
		return nil // buildRecord reports it
	}
	if fi, err := os.Stat(spec.WorkDir); err != nil || !fi.IsDir() {
		return pluginapi.Diagnostics{}.Errorf("work_dir", "the work dir %s does not exist", spec.WorkDir)
	}
	return nil
}

// buildRecord validates a job spec and turns it into the record Submit
// stores. Dependencies are resolved by the caller, which knows the jobs.
func buildRecord(spec pluginapi.JobSpec, slots int) (*jobRecord, pluginapi.Diagnostics) {
	var diags pluginapi.Diagnostics
	res, rd := sdk.ParseResources(spec.Resources, resourceKeys())
	diags = append(diags, rd...)

	rec := &jobRecord{Version: recordVersion, Spec: spec, CPUs: 1}
	if res.CPUs < 0 {
		diags = diags.Errorf("resources.cpus", "cpus must be at least 1")
	} else if res.CPUs > 0 {
		rec.CPUs = res.CPUs
	}
	if rec.CPUs > slots {
		diags = diags.Errorf("resources.cpus",
			"the job asks for %d cpus but the local executor has only %d slots; lower cpus or raise the executor's slots setting",
			rec.CPUs, slots)
	}
	if res.Time < 0 {
		diags = diags.Errorf("resources.time", "time must be positive")
	}
	rec.TimeLimit = res.Time

	if spec.WorkDir == "" || !filepath.IsAbs(spec.WorkDir) {
		diags = diags.Errorf("work_dir", "the work dir must be an absolute path, not %q", spec.WorkDir)
	}
	for k, v := range spec.Options {
		switch {
		case k == optInline && (v == "" || v == "true"):
			rec.Inline = true
		case k == optInline && v == "false":
		case k == optInline:
			diags = diags.Errorf("options."+k, "inline takes true or false, not %q", v)
		default:
			diags = diags.Warnf("options."+k, "the local executor's only native option is %q; %q is ignored", optInline, k)
		}
	}
	for k := range spec.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			diags = diags.Errorf("env", "%q is not a valid environment variable name", k)
		}
	}

	if a := spec.Array; a != nil {
		rec.Array = true
		rec.Size, rec.Offset = a.Size, a.Offset
		switch {
		case a.Size < 1:
			diags = diags.Errorf("array.size", "an array needs at least one element, not %d", a.Size)
		case a.Size > maxArraySize:
			diags = diags.Errorf("array.size", "an array of %d elements is larger than the local executor's limit of %d", a.Size, maxArraySize)
		}
		if a.Offset < 0 || a.Offset > 1<<40 {
			diags = diags.Errorf("array.offset", "the array offset must be a non-negative index, not %d", a.Offset)
		}
		// The engine fills ArraySpec.Parallelism from the resource; the
		// resource is only a fallback for hosts that do not.
		rec.Parallelism = a.Parallelism
		if rec.Parallelism == 0 {
			rec.Parallelism = res.ArrayParallelism
		}
		if rec.Parallelism < 0 {
			diags = diags.Errorf("array.parallelism", "parallelism must not be negative")
		}
	}
	return rec, diags
}

// fmtDuration prints a limit the way people write it: "10m", "1h30m".
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
