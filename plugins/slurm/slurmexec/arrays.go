package slurmexec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Engine indices and native indices.
//
// Slurm's MaxArraySize bounds the index *value* (indices 0 .. MaxArraySize-1),
// not the number of elements. The engine chunks a big array into arrays of
// at most MaxArraySize elements with engine indices Offset .. Offset+Size-1,
// so a later chunk's indices lie beyond what Slurm accepts. Two cases:
//
//   - direct: the chunk fits (Offset+Size-1 < MaxArraySize). The native
//     indices are the engine indices (--array=Offset-END), so squeue's 123_7
//     is engine element 7, REFLOW_INDEX is SLURM_ARRAY_TASK_ID, and
//     JobSpec.Stdout's {index} is Slurm's %a.
//   - shifted: it does not fit. The native indices are 0 .. Size-1, the
//     script exports REFLOW_INDEX=$((SLURM_ARRAY_TASK_ID + Offset)) and
//     sends its own output to JobSpec.Stdout/Stderr with {index} replaced by
//     REFLOW_INDEX. Slurm's --output/--error, which cannot add, name files
//     with {index} replaced by "%a+Offset" ("task.5+1001.a1.job.out"); they
//     only ever hold what Slurm itself writes (its time-limit and
//     out-of-memory messages).
//
// Handle.State records Offset, Size and Base, so Poll maps 123_5 back to
// engine index Offset+5-Base in any plugin process.

// arrayPlan is how one array job's elements are numbered.
type arrayPlan struct {
	Offset, Size, Base int
	Parallelism        int
}

// planArray numbers an array job's elements; maxIndex is the largest
// index Slurm accepts (MaxArraySize-1).
func planArray(a *pluginapi.ArraySpec, maxIndex int) arrayPlan {
	p := arrayPlan{Offset: a.Offset, Size: a.Size, Base: a.Offset, Parallelism: a.Parallelism}
	if a.Offset+a.Size-1 > maxIndex {
		p.Base = 0
	}
	return p
}

// direct reports whether native indices are engine indices.
func (p arrayPlan) direct() bool { return p.Base == p.Offset }

// spec is the --array value: "0-9", "1001-1499%4".
func (p arrayPlan) spec() string {
	s := strconv.Itoa(p.Base)
	if p.Size > 1 {
		s += "-" + strconv.Itoa(p.Base+p.Size-1)
	}
	if p.Parallelism > 0 {
		s += "%" + strconv.Itoa(p.Parallelism)
	}
	return s
}

// indexEnv is the script line that gives every element its engine index.
func (p arrayPlan) indexEnv() string {
	if p.direct() {
		return "export " + pluginapi.IndexEnv + "=$SLURM_ARRAY_TASK_ID"
	}
	return fmt.Sprintf("export %s=$((SLURM_ARRAY_TASK_ID + %d))", pluginapi.IndexEnv, p.Offset-p.Base)
}

// escapePercent protects a path from Slurm's %-patterns.
func escapePercent(path string) string { return strings.ReplaceAll(path, "%", "%%") }

// slurmLogPath is the --output/--error value for a job's log path: its %
// signs escaped and, for arrays, {index} replaced by what Slurm can write.
func slurmLogPath(path string, p *arrayPlan) string {
	path = escapePercent(path)
	if p == nil {
		return path
	}
	idx := "%a"
	if !p.direct() {
		idx = fmt.Sprintf("%%a+%d", p.Offset-p.Base)
	}
	return strings.ReplaceAll(path, pluginapi.IndexToken, idx)
}

// redirect is the script line that sends a shifted array element's own
// output to the engine's files; empty when Slurm's files are the engine's.
func redirect(stdout, stderr string, p *arrayPlan) string {
	if p == nil || p.direct() {
		return ""
	}
	word := func(path string) string {
		parts := strings.Split(path, pluginapi.IndexToken)
		for i := range parts {
			parts[i] = shellQuote(parts[i])
		}
		return strings.Join(parts, `"$`+pluginapi.IndexEnv+`"`)
	}
	if stdout == stderr {
		return "exec >" + word(stdout) + " 2>&1"
	}
	return "exec >" + word(stdout) + " 2>" + word(stderr)
}

// shellQuote makes s one bash word: safe words as they are, anything else
// in single quotes. An empty string is ”.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_@%+=:,./-", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
