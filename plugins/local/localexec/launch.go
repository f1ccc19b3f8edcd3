package localexec

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// wrapperScript is run.sh, the same text for every job. It is the only
// process between the plugin and the job, and it exists so the exit status
// reaches the disk even when no plugin is alive to wait for the job.
//
// The no-op trap keeps the wrapper alive through the SIGTERM the plugin sends
// to the whole process group on cancel or timeout; bash resets trapped
// signals to their defaults in the child, so the job itself still dies on
// SIGTERM as usual. SIGKILL (after the grace period) takes the wrapper too;
// the plugin's marker file then says why the status is missing.
//
// Tiny tasks are dominated by process creation, so the status is written
// with one printf rather than a temp file and mv (another process); a
// reader knows the status is complete by its final newline. job.sh runs in
// its own bash so that its $$ is its own, as under a scheduler.
const wrapperScript = `# reflow-executor-local wrapper; usage: bash run.sh <element index>
# Runs job.sh and records its exit status in e/<index>.exit, so the status
# survives the plugin process.
trap ':' TERM INT HUP
d=${BASH_SOURCE[0]%/*}
bash "$d/job.sh"
printf '%s\n' "$?" >"$d/e/$1.exit"
`

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

// logPath resolves a stdout/stderr template for one element: the index
// token becomes the engine index, a relative path is taken relative to the
// work dir (as schedulers do), and an empty one goes to the element's own
// file in the state dir so output is never silently lost.
func logPath(rec *jobRecord, dir string, tmpl string, index int, suffix string) string {
	if tmpl == "" {
		return elemFile(dir, index, suffix)
	}
	p := strings.ReplaceAll(tmpl, pluginapi.IndexToken, strconv.Itoa(index))
	if !filepath.IsAbs(p) {
		p = filepath.Join(rec.Spec.WorkDir, p)
	}
	return p
}

func openLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
}

// errClaimed means another plugin process has already launched the element.
var errClaimed = fmt.Errorf("element already claimed")

// launch starts one element: it claims the element by creating its pid
// file exclusively, starts the wrapper in a new session (so the element is
// its own process group and nothing the plugin's session receives reaches
// it), records pid and start time, and returns the started command for the
// caller to reap. A returned error other than errClaimed is the reason the
// element failed to start.
func launch(rec *jobRecord, dir string, index int, now time.Time) (*exec.Cmd, pidInfo, error) {
	pidPath := elemFile(dir, index, sufPid)
	claim, err := os.OpenFile(pidPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		if os.IsExist(err) {
			return nil, pidInfo{}, errClaimed
		}
		return nil, pidInfo{}, fmt.Errorf("cannot claim element: %v", err)
	}
	defer claim.Close()

	outPath := logPath(rec, dir, rec.Spec.Stdout, index, ".out")
	errPath := logPath(rec, dir, rec.Spec.Stderr, index, ".err")
	stdout, err := openLog(outPath)
	if err != nil {
		return nil, pidInfo{}, fmt.Errorf("cannot open stdout: %v", err)
	}
	defer stdout.Close()
	stderr := stdout
	if errPath != outPath {
		stderr, err = openLog(errPath)
		if err != nil {
			return nil, pidInfo{}, fmt.Errorf("cannot open stderr: %v", err)
		}
		defer stderr.Close()
	}

	cmd := exec.Command("bash", wrapperPath(dir), strconv.Itoa(index))
	cmd.Dir = rec.Spec.WorkDir
	env := os.Environ()
	for k, v := range rec.Spec.Env {
		env = append(env, k+"="+v)
	}
	if rec.Array {
		env = append(env, pluginapi.IndexEnv+"="+strconv.Itoa(index))
	}
	cmd.Env = env // exec.Cmd keeps the last value of a repeated name
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	// Setsid: own session and process group. No Pdeathsig: the job must
	// outlive the plugin.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, pidInfo{}, fmt.Errorf("cannot start: %v", err)
	}
	pi := pidInfo{pid: cmd.Process.Pid, launch: now}
	pi.start, _ = procStartTime(pi.pid)
	// One small write to the claimed file; a reader seeing it empty treats
	// the element as being launched. If the write fails this process still
	// tracks the element through cmd; only a reattach would lose the pid
	// and, after claimTimeout, report the element as vanished.
	_, _ = claim.Write(pi.encode())
	return cmd, pi, nil
}
