package fluxexec

import (
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// argv is the submission command line, exactly as Submit runs it:
//
//	flux batch EXTRA... SCRIPT                       a job, batch
//	flux batch --job-name=T-{index} --output=… --error=… EXTRA... SCRIPT {index}
//	                                                 each element of a batch array
//	flux submit OPTIONS... EXTRA... bash SCRIPT      a job, submit
//	flux submit --cc=A-B --job-name=T-{cc} --output=…{cc}… OPTIONS... EXTRA... bash SCRIPT
//	                                                 an array, submit
//
// For flux batch the options are the script's directives.
func (e *Executor) argv(spec pluginapi.JobSpec, cfg config, p *plan, opts []string) []string {
	name := safeName(spec.Task)
	out := []string{cfg.Flux}
	if p.mode == modeBatch {
		out = append(out, "batch")
		if p.array {
			out = append(out, "--job-name="+name+"-"+pluginapi.IndexToken)
			out = append(out, elementOutputs(spec, pluginapi.IndexToken)...)
		} else {
			out = append(out, "--job-name="+name)
		}
		out = append(out, cfg.ExtraArgs...)
		out = append(out, p.scriptPath)
		if p.array {
			out = append(out, pluginapi.IndexToken)
		}
		return out
	}
	out = append(out, "submit")
	if p.array && len(p.indices) > 0 {
		out = append(out, "--cc="+ccRange(p.indices))
		out = append(out, "--job-name="+name+"-{cc}")
		out = append(out, elementOutputs(spec, "{cc}")...)
	} else if p.array {
		out = append(out, "--job-name="+name+"-{cc}")
	} else {
		out = append(out, "--job-name="+name)
	}
	out = append(out, opts...)
	out = append(out, cfg.ExtraArgs...)
	return append(out, "bash", p.scriptPath)
}

// elementOutputs are an array element's --output and --error, with the
// engine's index token replaced by repl.
func elementOutputs(spec pluginapi.JobSpec, repl string) []string {
	stdout := spec.Stdout
	if stdout == "" {
		stdout = spec.WorkDir + "/flux-{{id}}.out"
	}
	out := []string{"--output=" + strings.ReplaceAll(stdout, pluginapi.IndexToken, repl)}
	if spec.Stderr != "" {
		out = append(out, "--error="+strings.ReplaceAll(spec.Stderr, pluginapi.IndexToken, repl))
	}
	return out
}

// ccRange writes contiguous indices as "A-B" (an idset has no step).
func ccRange(idx []int) string {
	if len(idx) == 1 {
		return strconv.Itoa(idx[0])
	}
	return strconv.Itoa(idx[0]) + "-" + strconv.Itoa(idx[len(idx)-1])
}
