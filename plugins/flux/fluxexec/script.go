package fluxexec

import (
	"sort"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// renderScript writes the job script. For flux batch its options are
// directives ("# flux: -n 4"), one block right after the shebang, which
// flux batch reads (the command line overrides them). For flux submit the
// options are on the command line and the script has none: flux submit
// does not read directives. Then the job's environment, REFLOW_INDEX for
// array elements, and the job's own script.
func renderScript(spec pluginapi.JobSpec, p *plan, opts []string) string {
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	if p.mode == modeBatch {
		for _, d := range directiveLines(opts) {
			b.WriteString("# flux: ")
			b.WriteString(d)
			b.WriteByte('\n')
		}
	} else {
		b.WriteString("# reflow task " + shellQuote(spec.Task) + ": submitted with flux submit (options on its command line)\n")
	}
	keys := make([]string, 0, len(spec.Env))
	for k := range spec.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString("export " + k + "=" + shellQuote(spec.Env[k]) + "\n")
	}
	switch {
	case p.array && p.perElement:
		// flux batch passes the arguments after the script to it.
		b.WriteString(`export ` + pluginapi.IndexEnv + `="$1"` + "\n")
	case p.array:
		// --cc copies are numbered by engine index: FLUX_JOB_CC is it.
		b.WriteString(`export ` + pluginapi.IndexEnv + `="$FLUX_JOB_CC"` + "\n")
	}
	b.WriteString(spec.Script)
	if !strings.HasSuffix(spec.Script, "\n") {
		b.WriteByte('\n')
	}
	return b.String()
}

// directiveLines groups options into directive lines: an option and its
// separate value ("-n", "4") on one line, each word shell-quoted.
func directiveLines(opts []string) []string {
	var lines []string
	for i := 0; i < len(opts); i++ {
		o := opts[i]
		line := shellQuote(o)
		if len(o) == 2 && o[0] == '-' && i+1 < len(opts) && !strings.HasPrefix(opts[i+1], "-") {
			line += " " + shellQuote(opts[i+1])
			i++
		}
		lines = append(lines, line)
	}
	return lines
}

// shellQuote makes s one POSIX shell word, leaving safe words as they are.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("_@%+=:,./-", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
