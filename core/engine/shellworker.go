package engine

// The shell worker: on the local executor the dispatcher and every job share
// one host and one filesystem, and a Go worker process per task would cost
// more than the tiny tasks it runs (a Go binary of this size takes
// milliseconds to start; bash under one). So for local jobs the dispatcher
// renders the worker as a bash script: it runs the command exactly as the
// Go worker does (bash -eo pipefail in the work dir, logs to the same
// files, the same REFLOW_* environment) and writes a small result; the
// dispatcher then does the rest of the worker's job itself when it ingests
// that result (worker.Complete: outputs, digests, $REFLOW_RESULT rules).
//
// Process creation dominates tiny tasks, so the script starts no process
// but the command's bash: the dispatcher makes every directory beforehand,
// the value file is emptied with a redirection (empty means no value), and
// the result is one printf of one line instead of a temp file and mv; the
// dispatcher takes a result without its final newline as not written yet.
//
// Set REFLOW_LOCAL_WORKER=go to run the Go worker on local as well.

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/core/runspec"
	"github.com/reflow-hpc/reflow/core/worker"
	"github.com/reflow-hpc/reflow/hclconfig/shell"
)

// maxShellCommand bounds the commands the shell worker takes: the command
// travels as one argument of bash -c, which Linux caps at 128 KiB.
const maxShellCommand = 64 << 10

// useShellWorker reports whether a submission runs through the shell worker.
func (d *dispatcher) useShellWorker(s submission) bool {
	if s.j.executor != "local" || os.Getenv("REFLOW_LOCAL_WORKER") == "go" {
		return false
	}
	for _, in := range s.insts {
		if len(in.hc.Command) > maxShellCommand {
			return false
		}
	}
	return true
}

// shellSpecPath is the per-instance file the shell worker sources.
func shellSpecPath(runDir, task string, index int) string {
	return strings.TrimSuffix(runspec.SpecPath(runDir, task, index), ".json") + ".sh"
}

// writeShellSpec writes the variables the shell worker needs for one
// instance, each value shell-quoted.
func (d *dispatcher) writeShellSpec(j *job, in *inst, attempt int) error {
	runDir := d.m.run.RunDir
	stdout, stderr := runspec.LogPaths(runDir, j.hc.Name, in.Index, attempt)
	res := runspec.ResultPath(runDir, j.hc.Name, in.Index, attempt)
	var b strings.Builder
	set := func(name, value string) { fmt.Fprintf(&b, "%s=%s\n", name, shell.Quote(value)) }
	set("wd", in.hc.WorkDir)
	set("out", stdout)
	set("err", stderr)
	set("res", res)
	set("val", runspec.ValuePath(res))
	set("cmd", in.hc.Command)
	index := ""
	if in.Index >= 0 {
		index = strconv.Itoa(in.Index)
	}
	env := map[string]string{
		"REFLOW_RESULT": runspec.ValuePath(res), "REFLOW_RUN_ID": d.m.run.ID, "REFLOW_RUN_DIR": runDir,
		"REFLOW_TASK": j.hc.Name, "REFLOW_INDEX": index, "REFLOW_ATTEMPT": strconv.Itoa(attempt),
	}
	for k, v := range in.hc.Env {
		env[k] = v
	}
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&b, "export %s=%s\n", k, shell.Quote(env[k]))
	}
	// The script starts no mkdir of its own: make its directories here.
	for _, dir := range []string{in.hc.WorkDir, filepath.Dir(res), filepath.Dir(stdout), filepath.Dir(stderr)} {
		if err := d.mkdir(dir); err != nil {
			return err
		}
	}
	path := shellSpecPath(runDir, j.hc.Name, in.Index)
	if err := d.mkdir(filepath.Dir(path)); err != nil {
		return err
	}
	// No fsync: the spec is read on this host, and a crash before the job
	// starts only means the job fails and is retried or resumed.
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// shellWorkerScript is the job script of a shell-worker submission.
func shellWorkerScript(runDir, task string) string {
	base := strings.TrimSuffix(shellSpecPath(runDir, task, -1), ".sh")
	return `# reflow shell worker (local executor): see core/engine/shellworker.go
set -u
. ` + shell.Quote(base) + `${REFLOW_INDEX:+.$REFLOW_INDEX}.sh || exit 70
cd "$wd" || exit 70
: >"$val"
st=$EPOCHREALTIME
bash -eo pipefail -c "$cmd" >"$out" 2>"$err" </dev/null
rc=$?
printf '{"shell":1,"exit_code":%d,"shell_start":"%s","shell_end":"%s","host":"%s"}\n' "$rc" "$st" "$EPOCHREALTIME" "${HOSTNAME:-}" >"$res"
`
}

// shellResult is what the shell worker writes.
type shellResult struct {
	Shell    int    `json:"shell"`
	ExitCode int    `json:"exit_code"`
	Start    string `json:"shell_start"`
	End      string `json:"shell_end"`
	Host     string `json:"host"`
}

// complete turns a shell worker's result into a full one, doing the part of
// the worker's job the shell worker leaves to the dispatcher.
func (d *dispatcher) complete(j *job, in *inst, sr shellResult) runspec.Result {
	res := runspec.Result{Version: runspec.Version, Task: j.hc.Name, Index: in.Index, Attempt: in.Attempt,
		ExitCode: sr.ExitCode, Host: sr.Host, Start: epoch(sr.Start), End: epoch(sr.End)}
	spec := runspec.Spec{WorkDir: in.hc.WorkDir, Outputs: in.hc.Outputs,
		Result: d.resultPath(j, in), MaxResultBytes: runspec.DefaultMaxResultBytes}
	worker.Complete(&spec, &res)
	return res
}

// epoch parses bash's $EPOCHREALTIME ("1700000000.123456").
func epoch(s string) time.Time {
	secs, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return time.Time{}
	}
	frac = (frac + "000000000")[:9]
	ns, _ := strconv.ParseInt(frac, 10, 64)
	return time.Unix(sec, ns)
}

// mkdir makes dir once per dispatcher: 10,000 elements share a handful of
// directories, and each MkdirAll costs a stat.
func (d *dispatcher) mkdir(dir string) error {
	if d.madeDirs[dir] {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	d.madeDirs[dir] = true
	return nil
}
