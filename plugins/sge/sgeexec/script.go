package sgeexec

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// The job script. Grid Engine reads the "#$" directives at the top; the
// rest runs on the execution host:
//
//	#!/bin/bash
//	#$ -N task ...                        directives (render.go)
//	export REFLOW_INDEX=$((SGE_TASK_ID - 1))   arrays: the engine index
//	exec >>out.$REFLOW_INDEX 2>>err...         arrays: per-element logs
//	export NAME='value'                        JobSpec.Env
//	bash /dev/fd/3 3<<'REFLOW_SCRIPT'          JobSpec.Script, verbatim
//	...
//	REFLOW_SCRIPT
//
// Native task numbers are engine index + 1 (SGE counts from 1 and refuses
// task 0), so REFLOW_INDEX is SGE_TASK_ID - 1 whatever the offset.
//
// Why the job's Script runs in a bash of its own rather than in the script
// itself: the outer shell survives when the job's processes are killed, and
// exits with their status (128+N for signal N). Grid Engine then records a
// normal exit with that status (failed 0, exit_status 137), while qdel and
// limit kills, which take the whole process group with the outer shell,
// are recorded as failed 100 or 37. That is what lets Poll tell "the worker
// was killed" (failed) from "the job was deleted" (cancelled). The Script is
// read from a here-document on fd 3, so its standard input stays Grid
// Engine's and the text is passed through untouched.
//
// Array elements cannot use -o/-e for their logs: the paths name the
// engine index, and Grid Engine's $TASK_ID is the native task number. So
// arrays send Grid Engine's own streams to /dev/null and the outer shell
// redirects to the element's files, appending as Grid Engine does.

// scriptDelimiter is the here-document delimiter; a suffix is added when
// the Script contains it as a line.
const scriptDelimiter = "REFLOW_SCRIPT"

// scriptBody renders everything after the directives.
func scriptBody(spec *pluginapi.JobSpec) string {
	var b strings.Builder
	if spec.Array != nil {
		fmt.Fprintf(&b, "export %s=$((SGE_TASK_ID - 1))\n", pluginapi.IndexEnv)
		out, errp := elementPath(spec.Stdout), elementPath(spec.Stderr)
		for _, d := range elementDirs(spec.Stdout, spec.Stderr) {
			fmt.Fprintf(&b, "[ -d %s ] || mkdir -p %s\n", d, d)
		}
		if spec.Stdout == spec.Stderr {
			fmt.Fprintf(&b, "exec >>%s 2>&1 || exit 70\n", out)
		} else {
			fmt.Fprintf(&b, "exec >>%s 2>>%s || exit 70\n", out, errp)
		}
	}
	names := make([]string, 0, len(spec.Env))
	for k := range spec.Env {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if spec.Array != nil && k == pluginapi.IndexEnv {
			continue // the element's own index wins
		}
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(spec.Env[k]))
	}
	body := spec.Script
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	delim := scriptDelimiter
	for n := 1; containsLine(body, delim); n++ {
		delim = fmt.Sprintf("%s_%d", scriptDelimiter, n)
	}
	fmt.Fprintf(&b, "bash /dev/fd/3 3<<'%s'\n%s%s\n", delim, body, delim)
	return b.String()
}

// elementPath renders a log path template as a bash word in which the
// index token becomes $REFLOW_INDEX.
func elementPath(tmpl string) string {
	parts := strings.Split(tmpl, pluginapi.IndexToken)
	for i, p := range parts {
		if p != "" {
			parts[i] = shellQuote(p)
		}
	}
	return strings.Join(parts, `"$REFLOW_INDEX"`)
}

// elementDirs are the directories of the log paths, as bash words, once
// each: an element creates them when they are missing, as Grid Engine
// would fail (Eqw) instead.
func elementDirs(paths ...string) []string {
	var out []string
	for _, p := range paths {
		d := filepath.Dir(p)
		if d == "." || d == "/" {
			continue
		}
		w := elementPath(d)
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

func containsLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

// shellQuote makes s one bash word, leaving safe words as they are.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_@%+=:,./-", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// directivePrefix picks the prefix of directive lines: Grid Engine's "#$",
// unless a line of the body starts with it (it would be read as a
// directive, wherever it stands), then one that no line starts with;
// qsub learns it from -C.
func directivePrefix(body string) string {
	lines := strings.Split(body, "\n")
	taken := func(p string) bool {
		return slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, p) })
	}
	p := "#$"
	for n := 1; taken(p); n++ {
		p = fmt.Sprintf("#reflow%d$", n)
	}
	return p
}
