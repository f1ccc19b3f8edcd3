package slurmexec

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// directive is one sbatch option, written as an #SBATCH line.
type directive struct {
	Name  string // long name without dashes: "cpus-per-task"
	Value string
	Flag  bool // an option without a value: --exclusive
}

// String renders the option as sbatch reads it in a directive: a value with
// anything but safe characters goes in double quotes, which sbatch strips.
func (d directive) String() string {
	if d.Flag {
		return "--" + d.Name
	}
	v := d.Value
	if v == "" || strings.IndexFunc(v, func(r rune) bool { return !safeRune(r) }) >= 0 {
		v = `"` + v + `"`
	}
	return "--" + d.Name + "=" + v
}

func safeRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_@%+=:,./-[]?", r)
}

// badDirectiveValue says why v cannot be carried by an #SBATCH line, or "".
// sbatch reads a directive up to the end of its line and strips one pair
// of double quotes; there is no escape for a quote or a newline.
func badDirectiveValue(v string) string {
	switch {
	case strings.ContainsAny(v, "\n\r"):
		return "contains a line break"
	case strings.Contains(v, `"`):
		return "contains a double quote"
	case strings.ContainsRune(v, 0):
		return "contains a NUL byte"
	}
	return ""
}

// owned are the sbatch options the plugin sets itself, with why a user may
// not: setting them would break how the plugin submits, names, logs or
// follows the job.
var owned = map[string]string{
	"array":               "the plugin submits arrays itself (engine arrays and array_parallelism)",
	"dependency":          "dependencies come from the workflow",
	"kill-on-invalid-dep": "the plugin decides what happens to a job whose dependency fails",
	"parsable":            "the plugin always submits with --parsable",
	"output":              "the job's output file is set by reflow",
	"error":               "the job's error file is set by reflow",
	"job-name":            "the plugin names jobs after the run and task",
	"chdir":               "the job's work directory is set by reflow",
	"wrap":                "the plugin submits a batch script",
	"wait":                "sbatch would block until the job ends",
	"test-only":           "nothing would be submitted",
	"help":                "nothing would be submitted",
	"usage":               "nothing would be submitted",
	"version":             "nothing would be submitted",
}

// ownedShort maps sbatch's short options to the owned long ones.
var ownedShort = map[string]string{
	"a": "array", "d": "dependency", "o": "output", "e": "error", "J": "job-name",
	"D": "chdir", "W": "wait", "h": "help", "V": "version",
}

// portableOptions are sbatch options a portable resource key sets: writing
// them as native options would fight the resource (and break the file on
// every other scheduler).
var portableOptions = map[string]string{
	"cpus-per-task": sdk.KeyCPUs, "mem": sdk.KeyMem, "time": sdk.KeyTime, "gpus": sdk.KeyGPUs,
	"nodes": sdk.KeyNodes, "ntasks": sdk.KeyTasks, "partition": sdk.KeyPartition,
	"account": sdk.KeyAccount, "qos": sdk.KeyQOS, "constraint": sdk.KeyConstraint,
}

var optionName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// optionDirectives turns a job's native options into directives, sorted by
// name. Keys are sbatch's long option names; an underscore stands for a
// dash (HCL keys cannot hold one unquoted): mail_type = "END" is
// --mail-type=END, exclusive = "" is --exclusive. Every problem is a
// diagnostic naming options.<key>.
func optionDirectives(opts map[string]string, res sdk.Resources) ([]directive, pluginapi.Diagnostics) {
	var (
		out   []directive
		diags pluginapi.Diagnostics
	)
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		attr := "options." + key
		name := strings.ReplaceAll(strings.TrimLeft(strings.TrimSpace(key), "-"), "_", "-")
		value := opts[key]
		switch {
		case len(name) == 1:
			long := ownedShort[name]
			if long == "" {
				long = "the option's long name"
			}
			diags = append(diags, pluginapi.Diagnostic{Attribute: attr, Summary: fmt.Sprintf("option %q: use sbatch's long option name", key),
				Detail: fmt.Sprintf("Write %s instead of -%s, with an underscore or dash between words (mail_type).", long, name)})
			continue
		case !optionName.MatchString(name):
			diags = diags.Errorf(attr, "option %q is not an sbatch long option name (lower-case words joined by dashes or underscores, e.g. mail_type)", key)
			continue
		}
		if why, ok := owned[name]; ok {
			diags = append(diags, pluginapi.Diagnostic{Attribute: attr,
				Summary: fmt.Sprintf("option --%s is set by the Slurm executor and cannot be given", name),
				Detail:  why + "."})
			continue
		}
		if portable, ok := portableOptions[name]; ok {
			diags = append(diags, pluginapi.Diagnostic{Attribute: attr,
				Summary: fmt.Sprintf("option --%s duplicates the portable resource %q", name, portable),
				Detail:  fmt.Sprintf("Write resources { %s = ... } instead; the workflow then runs on every scheduler.", portable)})
			continue
		}
		if (name == "mem-per-cpu" || name == "mem-per-gpu") && res.Memory > 0 {
			diags = diags.Errorf(attr, "option --%s conflicts with resources.mem (sbatch takes only one memory option); keep one of them", name)
			continue
		}
		if why := badDirectiveValue(value); why != "" {
			diags = diags.Errorf(attr, "the value of option %q %s, which an #SBATCH line cannot carry", key, why)
			continue
		}
		out = append(out, directive{Name: name, Value: value, Flag: value == ""})
	}
	return out, diags
}

// checkSbatchArgs checks the sbatch_args setting: words as they go on the
// command line, where options the plugin owns are refused, long or short.
func checkSbatchArgs(args []string) pluginapi.Diagnostics {
	var diags pluginapi.Diagnostics
	for i, a := range args {
		attr := fmt.Sprintf("settings.sbatch_args[%d]", i)
		var name string
		switch {
		case strings.HasPrefix(a, "--"):
			name, _, _ = strings.Cut(a[2:], "=")
		case strings.HasPrefix(a, "-") && len(a) >= 2:
			name = ownedShort[a[1:2]]
		default:
			if strings.ContainsAny(a, "\n\r\x00") {
				diags = diags.Errorf(attr, "sbatch argument %q contains a line break or NUL byte", a)
			}
			continue // the value of the option before it
		}
		if why, ok := owned[name]; ok {
			diags = append(diags, pluginapi.Diagnostic{Attribute: attr,
				Summary: fmt.Sprintf("sbatch argument %q sets --%s, which the Slurm executor sets itself", a, name),
				Detail:  why + "."})
		}
	}
	return diags
}
