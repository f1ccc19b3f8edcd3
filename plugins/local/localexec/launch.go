package localexec

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// renderRunScript returns run.sh: what a runner sources in the child it
// forks for an element (see runner.go), with the element's index as $1.
// It gives the element what the job was promised: stdin from /dev/null,
// stdout and stderr to the job's files with the index filled in, the work
// dir, the plugin's environment (the runner's) plus the job's, and
// REFLOW_INDEX for an array; then it execs bash job.sh, so the job script
// has a bash of its own. `bash run.sh <index>` starts an element by hand the
// same way, without recording its status.
//
// Env values are written here, not in job.sh: job.sh is what Render shows,
// and they are in spec.json already.
func renderRunScript(rec *jobRecord, dir string) string {
	var b strings.Builder
	b.WriteString("# reflow-executor-local: starts one element of this job; $1 is its index.\n")
	b.WriteString("# A runner sources it in the element's own process (see runner.go).\n")
	out := logTemplate(rec, dir, rec.Spec.Stdout, ".out")
	errT := logTemplate(rec, dir, rec.Spec.Stderr, ".err")
	fmt.Fprintf(&b, "exec </dev/null >%s", shellPath(out))
	if errT == out {
		b.WriteString(" 2>&1\n")
	} else {
		fmt.Fprintf(&b, " 2>%s\n", shellPath(errT))
	}
	fmt.Fprintf(&b, "cd -- %s || exit\n", shellQuote(rec.Spec.WorkDir))
	keys := make([]string, 0, len(rec.Spec.Env))
	for k := range rec.Spec.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// Names bash cannot export (they are valid in an environment, e.g.
	// "a.b") go through env(1), which costs a process, so only then.
	var odd []string
	for _, k := range keys {
		if shellName(k) {
			fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(rec.Spec.Env[k]))
		} else {
			odd = append(odd, shellQuote(k+"="+rec.Spec.Env[k]))
		}
	}
	if rec.Array {
		// After the job's env: the index wins over a value of the same name.
		fmt.Fprintf(&b, "export %s=\"$1\"\n", pluginapi.IndexEnv)
	}
	if rec.Inline && len(odd) == 0 {
		// No bash of its own: the element's process runs the script,
		// in a shell cleared of the runner's state (runnerScript): its
		// noglob, function and variables.
		b.WriteString("set +f\nunset -f starttime\nunset -v st s me req i ln d pid rc\n")
		fmt.Fprintf(&b, ". %s\n", shellQuote(jobScript(dir)))
		return b.String()
	}
	b.WriteString("exec ")
	if len(odd) > 0 {
		fmt.Fprintf(&b, "env -- %s ", strings.Join(odd, " "))
		if rec.Array {
			fmt.Fprintf(&b, "%s=\"$1\" ", pluginapi.IndexEnv)
		}
	}
	fmt.Fprintf(&b, "bash %s\n", shellQuote(jobScript(dir)))
	return b.String()
}

// shellQuote quotes s as one bash word.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellPath quotes a log path template as one bash word in which the index
// token becomes "$1".
func shellPath(tmpl string) string {
	parts := strings.Split(tmpl, pluginapi.IndexToken)
	for i, p := range parts {
		parts[i] = shellQuote(p)
	}
	return strings.Join(parts, `"$1"`)
}

// shellName reports whether bash can export a variable of this name.
func shellName(k string) bool {
	for i, c := range k {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return k != ""
}

// renderJobScript returns job.sh: a comment header that records what the
// plugin will enforce (the local equivalent of scheduler directives),
// followed by the job's own script. It depends only on the request, so
// Render is deterministic and shows exactly the file Submit writes.
func renderJobScript(rec *jobRecord) string {
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	fmt.Fprintf(&b, "# reflow local executor job: run %q, task %q\n", rec.Spec.RunID, rec.Spec.Task)
	fmt.Fprintf(&b, "#LOCAL workdir=%s\n", rec.Spec.WorkDir)
	fmt.Fprintf(&b, "#LOCAL cpus=%d\n", rec.CPUs)
	if rec.TimeLimit > 0 {
		fmt.Fprintf(&b, "#LOCAL time=%s\n", fmtDuration(rec.TimeLimit))
	}
	if rec.Array {
		fmt.Fprintf(&b, "#LOCAL array=%d-%d", rec.Offset, rec.Offset+rec.Size-1)
		if rec.Parallelism > 0 {
			fmt.Fprintf(&b, "%%%d", rec.Parallelism)
		}
		b.WriteString("\n")
	}
	if rec.Spec.Stdout != "" {
		fmt.Fprintf(&b, "#LOCAL stdout=%s\n", rec.Spec.Stdout)
	}
	if rec.Spec.Stderr != "" {
		fmt.Fprintf(&b, "#LOCAL stderr=%s\n", rec.Spec.Stderr)
	}
	for _, d := range rec.Deps {
		fmt.Fprintf(&b, "#LOCAL dependency=%s:%s", d.Kind, d.ID)
		if d.Group != "" {
			fmt.Fprintf(&b, " group=%s", d.Group)
		}
		b.WriteString("\n")
	}
	if len(rec.Spec.Env) > 0 {
		keys := make([]string, 0, len(rec.Spec.Env))
		for k := range rec.Spec.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		// Names only: values may be secrets and reach the job through its
		// environment, not through this file.
		fmt.Fprintf(&b, "#LOCAL env=%s\n", strings.Join(keys, ","))
	}
	b.WriteString("# ---- job script ----\n")
	b.WriteString(rec.Spec.Script)
	if !strings.HasSuffix(rec.Spec.Script, "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

// logTemplate resolves a stdout/stderr template, keeping the index token:
// a relative path is taken relative to the work dir (as schedulers do), and
// an empty one goes to the element's own file in the state dir so output is
// never silently lost.
func logTemplate(rec *jobRecord, dir string, tmpl string, suffix string) string {
	if tmpl == "" {
		return filepath.Join(elemDir(dir), pluginapi.IndexToken+suffix)
	}
	if !filepath.IsAbs(tmpl) {
		return filepath.Join(rec.Spec.WorkDir, tmpl)
	}
	return tmpl
}

// logPath is one element's stdout or stderr path.
func logPath(rec *jobRecord, dir string, tmpl string, index int, suffix string) string {
	return strings.ReplaceAll(logTemplate(rec, dir, tmpl, suffix), pluginapi.IndexToken, strconv.Itoa(index))
}

// logDir makes the directory of an element's log file, once per directory
// and job: 10,000 elements usually share one. The file itself is opened by
// run.sh; creating it here too would cost a second file creation per log,
// the most expensive thing the plugin does per element. If run.sh cannot
// open it, the element fails with exit status 1 and the runner's message
// reaches the plugin's log.
func logDir(j *job, path string) error {
	d := filepath.Dir(path)
	if j.logDirs[d] {
		return nil
	}
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	if j.logDirs == nil {
		j.logDirs = make(map[string]bool)
	}
	j.logDirs[d] = true
	return nil
}

// errClaimed means another plugin process has already launched the element.
var errClaimed = fmt.Errorf("element already claimed")

// errCancelled means another plugin process has cancelled the job.
var errCancelled = fmt.Errorf("job cancelled")

// launch starts one element: it claims the element by creating its pid file
// exclusively, checks what the element needs, and hands it to a runner,
// which starts it as its own process group and writes pid and start time
// into the claimed file. started is false when the runner did not report
// the pid (the element is then followed through its pid file). A returned
// error other than errClaimed is the reason the element failed to start.
// e.mu is held.
func (e *Executor) launch(j *job, el *elem, now time.Time) (pi pidInfo, started bool, err error) {
	claim, err := os.OpenFile(elemFile(j.dir, el.index, sufPid), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		if os.IsExist(err) {
			return pidInfo{}, false, errClaimed
		}
		return pidInfo{}, false, fmt.Errorf("cannot claim element: %v", err)
	}
	// Left empty: the runner writes it. A reader seeing it empty treats
	// the element as being launched.
	_ = claim.Close()
	// Another plugin process (reflow cancel, say) may have cancelled the
	// job. It writes the job's marker first and then looks for claimed
	// elements, so checking after claiming leaves no gap between the two.
	if exists(cancelPath(j.dir)) {
		return pidInfo{}, false, errCancelled
	}

	if !j.runScript {
		if err := writeAtomic(runScriptPath(j.dir), []byte(renderRunScript(j.rec, j.dir))); err != nil {
			return pidInfo{}, false, fmt.Errorf("cannot write run.sh: %v", err)
		}
		j.runScript = true
	}
	if fi, err := os.Stat(j.rec.Spec.WorkDir); err != nil || !fi.IsDir() {
		if err == nil {
			err = fmt.Errorf("%s is not a directory", j.rec.Spec.WorkDir)
		}
		return pidInfo{}, false, fmt.Errorf("cannot use the work dir: %v", err)
	}
	if err := logDir(j, logPath(j.rec, j.dir, j.rec.Spec.Stdout, el.index, ".out")); err != nil {
		return pidInfo{}, false, fmt.Errorf("cannot open stdout: %v", err)
	}
	if err := logDir(j, logPath(j.rec, j.dir, j.rec.Spec.Stderr, el.index, ".err")); err != nil {
		return pidInfo{}, false, fmt.Errorf("cannot open stderr: %v", err)
	}
	return e.handOff(el, j.dir, now)
}
