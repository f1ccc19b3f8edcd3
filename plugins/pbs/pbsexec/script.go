package pbsexec

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// writeScript writes the job script: the #PBS directives, then what PBS
// does not do for reflow — change to the work dir (PBS starts jobs in
// $HOME), set REFLOW_INDEX and the job's env, redirect output where the
// dialect cannot — then the afterok guard and the job's own script in a
// subshell, whose exit status goes to "<exit dir>/<PBS_JOBID>.exit" so Poll
// can read it once qstat no longer lists the job (many servers keep no
// history). It records the exit dir in st.
func writeScript(spec pluginapi.JobSpec, dirs [][2]string, indexExpr string, redirect bool, stdout, stderr, guard string, st *handleState) string {
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	for _, d := range dirs {
		if d[1] == "" {
			fmt.Fprintf(&b, "#PBS -%s\n", d[0])
		} else {
			fmt.Fprintf(&b, "#PBS -%s %s\n", d[0], d[1])
		}
	}
	fmt.Fprintf(&b, "# reflow run %s, task %s\n", oneLine(spec.RunID), oneLine(spec.Task))
	b.WriteString("# PBS starts jobs in $HOME; reflow's jobs start in their work dir.\n")
	fmt.Fprintf(&b, "cd -- %s || exit 1\n", shellQuote(spec.WorkDir))
	if indexExpr != "" {
		fmt.Fprintf(&b, "export %s=%s\n", pluginapi.IndexEnv, indexExpr)
	}
	if redirect {
		word := func(p string) string {
			if p == "" {
				return "/dev/null"
			}
			return indexedWord(p)
		}
		fmt.Fprintf(&b, "exec >%s 2>%s\n", word(stdout), word(stderr))
	}
	keys := make([]string, 0, len(spec.Env))
	for k := range spec.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if envNameRE.MatchString(k) {
			fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(spec.Env[k]))
		}
	}
	b.WriteString(guard)
	exitDir := spec.WorkDir
	if p := absPath(spec.Stdout, spec.WorkDir); p != "" && !strings.Contains(filepath.Dir(p), pluginapi.IndexToken) {
		exitDir = filepath.Dir(p)
	}
	st.ExitDir = exitDir
	b.WriteString("(\n")
	b.WriteString(spec.Script)
	if !strings.HasSuffix(spec.Script, "\n") {
		b.WriteString("\n")
	}
	b.WriteString(")\n")
	fmt.Fprintf(&b, "reflow_pbs_rc=$?\nprintf '%%s\\n' \"$reflow_pbs_rc\" > %s/\"$PBS_JOBID\".exit\nexit \"$reflow_pbs_rc\"\n", shellQuote(exitDir))
	return b.String()
}
