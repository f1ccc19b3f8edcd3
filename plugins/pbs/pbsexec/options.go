package pbsexec

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Native options pass through as qsub options: a key of one letter (with
// or without its dash) is that qsub flag ({"m": "abe"} → -m abe; an empty
// value for the flags that take none: {"V": ""}); any other key is a -l
// resource ({"place": "excl"} → -l place=excl).

// flagsWithValue and flagsWithout are the qsub flags a job may set; the
// others are reflow's to set (name, output, arrays, queue, account, the
// directive prefix, interactive mode, work dirs) or would break the
// submission (-z hides the id).
var (
	flagsWithValue = map[string]bool{"a": true, "c": true, "j": true, "k": true, "m": true,
		"M": true, "p": true, "r": true, "u": true, "v": true, "W": true, "l": true, "R": true}
	flagsWithout = map[string]bool{"h": true, "V": true}
	reservedFlag = map[string]string{"N": "the job name", "o": "stdout", "e": "stderr",
		"J": "arrays", "t": "arrays", "q": "partition", "A": "account", "P": "account or the project setting",
		"C": "the directive prefix", "z": "the job id", "I": "batch mode", "X": "batch mode",
		"d": "the work dir", "w": "the work dir", "D": "the work dir", "S": "the shell"}
	optionKeyRE   = regexp.MustCompile(`^-?[A-Za-z]$`)
	optionResRE   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	optionValueRE = regexp.MustCompile(`^\S+$`)
)

// nativeOptions turns JobSpec.Options into (flag, value) pairs in a stable
// order, refusing what reflow sets itself.
func nativeOptions(opts map[string]string, dialect string, hasDepend bool) ([][2]string, pluginapi.Diagnostics) {
	var diags pluginapi.Diagnostics
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out [][2]string
	for _, k := range keys {
		v := strings.TrimSpace(opts[k])
		attr := "options." + k
		if v != "" && !optionValueRE.MatchString(v) {
			diags = diags.Errorf(attr, "option %q has blanks in its value %q; PBS directives cannot carry them", k, v)
			continue
		}
		switch {
		case optionKeyRE.MatchString(k):
			f := strings.TrimPrefix(k, "-")
			switch {
			case reservedFlag[f] != "":
				diags = diags.Errorf(attr, "qsub -%s is set by reflow (%s); use the portable resource or setting instead", f, reservedFlag[f])
			case f == "R" && dialect == dialectTorque:
				diags = diags.Errorf(attr, "Torque's qsub has no -R option")
			case f == "W" && strings.HasPrefix(v, "depend=") && hasDepend:
				diags = diags.Errorf(attr, "the job's dependencies already set -W depend; give dependencies through reflow")
			case flagsWithout[f]:
				if v != "" && v != "true" {
					diags = diags.Errorf(attr, "qsub -%s takes no value; write %s = \"\"", f, k)
					continue
				}
				out = append(out, [2]string{f, ""})
			case flagsWithValue[f]:
				if v == "" {
					diags = diags.Errorf(attr, "qsub -%s needs a value", f)
					continue
				}
				out = append(out, [2]string{f, v})
			default:
				diags = diags.Errorf(attr, "qsub has no -%s option that a job may set", f)
			}
		case optionResRE.MatchString(k):
			if v == "" {
				diags = diags.Errorf(attr, "resource %q needs a value (it becomes -l %s=VALUE)", k, k)
				continue
			}
			switch k {
			case "select", "nodes", "ncpus", "mem", "walltime", "ngpus", "mpiprocs", "ppn":
				diags = diags.Errorf(attr, "-l %s is derived from reflow's resources (cpus, mem, time, gpus, tasks, nodes); set those instead", k)
				continue
			}
			out = append(out, [2]string{"l", fmt.Sprintf("%s=%s", k, v)})
		default:
			diags = diags.Errorf(attr, "%q is neither a qsub flag letter nor a resource name", k)
		}
	}
	return out, diags
}
