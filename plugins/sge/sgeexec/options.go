package sgeexec

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// managedOptions are qsub options the plugin sets itself: a native option
// with one of these names would silently break how the plugin names,
// places, holds or follows the job, so it is refused with the reason.
var managedOptions = map[string]string{
	"N":           "the plugin names the job",
	"o":           "the job's stdout is JobSpec.Stdout",
	"e":           "the job's stderr is JobSpec.Stderr",
	"j":           "stdout and stderr follow JobSpec.Stdout and JobSpec.Stderr",
	"wd":          "the job runs in its work directory",
	"cwd":         "the job runs in its work directory",
	"t":           "arrays come from the engine",
	"tc":          "use array_parallelism",
	"h":           "the plugin holds jobs for their dependencies",
	"hold_jid":    "dependencies come from the engine",
	"hold_jid_ad": "dependencies come from the engine",
	"terse":       "the plugin reads qsub's terse output",
	"sync":        "qsub must return at once",
	"b":           "the job is a script",
	"C":           "the plugin picks the directive prefix",
	"S":           "set the shell setting instead",
}

var optionName = regexp.MustCompile(`^-?[A-Za-z][A-Za-z0-9_]*$`)

// optionDirectives turns native options ({"l": "arch=lx-amd64", "notify":
// "", "pe": "mpi 8"}) into qsub options, sorted by name so that Render is
// deterministic. A value is split into words as Grid Engine splits a
// directive line.
func optionDirectives(opts map[string]string) ([][]string, pluginapi.Diagnostics) {
	var diags pluginapi.Diagnostics
	names := make([]string, 0, len(opts))
	for k := range opts {
		names = append(names, k)
	}
	slices.Sort(names)
	var out [][]string
	for _, k := range names {
		attr := "options." + k
		name := strings.TrimPrefix(k, "-")
		if !optionName.MatchString(k) {
			diags = diags.Errorf(attr, "%q is not a qsub option name; write options as { l = \"arch=lx-amd64\", notify = \"\" } without the leading dash", k)
			continue
		}
		if why, ok := managedOptions[name]; ok {
			diags = diags.Errorf(attr, "qsub option -%s is set by the sge executor and cannot be passed through (%s)", name, why)
			continue
		}
		v := opts[k]
		if strings.ContainsAny(v, "\r\n") {
			diags = diags.Errorf(attr, "the value of option -%s must be on one line", name)
			continue
		}
		out = append(out, append([]string{"-" + name}, strings.Fields(v)...))
	}
	return out, diags
}

// directiveLine renders one qsub option as a script directive. Words with
// spaces are quoted, which Grid Engine's directive parser honours.
func directiveLine(prefix string, words []string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, w := range words {
		b.WriteByte(' ')
		switch {
		case w != "" && !strings.ContainsAny(w, " \t\"'"):
			b.WriteString(w)
		case !strings.Contains(w, `"`):
			b.WriteString(`"` + w + `"`)
		default:
			b.WriteString("'" + w + "'")
		}
	}
	return b.String()
}

// checkDirectiveWord reports why w cannot be one word of a directive line.
func checkDirectiveWord(w string) error {
	switch {
	case strings.ContainsAny(w, "\r\n"):
		return fmt.Errorf("%q contains a line break", w)
	case strings.Contains(w, `"`) && strings.Contains(w, "'"):
		return fmt.Errorf("%q contains both kinds of quote", w)
	}
	return nil
}
