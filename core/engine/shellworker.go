package engine

// The shell worker: on the local executor the dispatcher and every job share
// one host and one filesystem, and a Go worker process per task would cost
// more than the tiny tasks it runs (a Go binary of this size takes
// milliseconds to start; bash under one). So for local jobs the dispatcher
// renders the worker as a few lines of bash: it runs the command as the Go
// worker does (bash -eo pipefail in the work dir, logs to the same files,
// the same REFLOW_* environment) and writes a one-line result (exit status,
// times, host); the dispatcher, on the same host, does the rest of the
// worker's job when it ingests that line (worker.Complete: outputs,
// digests, $REFLOW_RESULT rules). A job that ended without the line is
// settled from the executor's own exit status (ingestShell).
//
// Process creation is the whole cost of a tiny task, and on some machines a
// fork alone costs milliseconds. The local executor sources this script in
// a process forked from one of its runners ("inline"), and the script then
// either
//
//   - runs the command right there (eval, in a shell cleared of the
//     runner's state, with -eo pipefail): no process start at all. A
//     command that could tell the difference from bash -c (it reads $$,
//     $0, $PPID, $-, BASH_* or LINENO, says return or sets a trap) is not
//     run this way;
//   - or runs bash -eo pipefail -c with it, as the Go worker does.
//
// The dispatcher makes every directory beforehand, and a result without its
// final newline is taken as not written yet. Set REFLOW_LOCAL_WORKER=go to
// run the Go worker on local as well.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/core/runspec"
	"github.com/reflow-hpc/reflow/core/worker"
	"github.com/reflow-hpc/reflow/hclconfig/shell"
	"github.com/reflow-hpc/reflow/pluginapi"
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
	wd := in.hc.WorkDir()
	set("wd", wd)
	set("out", stdout)
	set("err", stderr)
	set("res", res)
	set("val", runspec.ValuePath(res))
	set("cmd", in.hc.Command)
	here := ""
	if runsHere(in.hc.Command) {
		here = "1"
	}
	set("here", here)
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
	if err := mkWorkDir(wd); err != nil {
		return err
	}
	for _, dir := range []string{filepath.Dir(res), filepath.Dir(stdout), filepath.Dir(stderr)} {
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

// shellWorkerScript is the job script of a shell-worker submission. Exit
// status 70 means the spec could not be read or the work dir entered.
//
// Run here, the command's end is caught by an EXIT trap, which sees the
// status of an exit, of set -e and of the last command alike. A signal
// (the executor's time limit or cancel) must not pass for an ending of the
// command's own: its trap drops the EXIT trap and dies of the signal, as
// bash -c would. A command that execs another program, or is killed, leaves
// no result line, and the dispatcher then takes its end from the executor
// (ingestShell).
func shellWorkerScript(runDir, task string) string {
	base := strings.TrimSuffix(shellSpecPath(runDir, task, -1), ".sh")
	return `# reflow shell worker (local executor): see core/engine/shellworker.go
set -u
. ` + shell.Quote(base) + `${REFLOW_INDEX:+.$REFLOW_INDEX}.sh || exit 70
cd "$wd" || exit 70
: >"$val"
exec </dev/null >"$out" 2>"$err"
if [ "$here" = 1 ]; then
	_reflow_res=$res _reflow_start=$EPOCHREALTIME
	trap 'printf '\''{"shell":1,"exit_code":%d,"shell_start":"%s","shell_end":"%s","host":"%s"}\n'\'' "$?" "$_reflow_start" "$EPOCHREALTIME" "${HOSTNAME:-}" >"$_reflow_res"' EXIT
	for _reflow_sig in TERM INT HUP ALRM USR1 USR2 XCPU; do
		trap "trap - EXIT $_reflow_sig; kill -$_reflow_sig \$BASHPID" $_reflow_sig
	done
	unset wd out err res val here _reflow_sig
	set +uf -eo pipefail --
	eval "unset cmd;$cmd"
	exit
fi
st=$EPOCHREALTIME
bash -eo pipefail -c "$cmd"
rc=$?
printf '{"shell":1,"exit_code":%d,"shell_start":"%s","shell_end":"%s","host":"%s"}\n' "$rc" "$st" "$EPOCHREALTIME" "${HOSTNAME:-}" >"$res"
`
}

// runsHere reports whether the shell worker may run command in its own
// process rather than in a bash of its own: only when the command cannot
// see the difference. Conservative by design: a match only costs a bash
// start. $$, $0, $PPID, $BASHPID, $-, BASH_SOURCE, LINENO and the like
// differ between an eval in a forked shell and bash -c, a top-level return
// would end the script instead of failing, and a trap on EXIT would replace
// the one that writes the result.
func runsHere(command string) bool {
	for _, s := range []string{"$$", "${$", "$0", "${0", "PPID", "BASH", "$-", "${-", "LINENO", "SHLVL", "FUNCNAME", "return", "caller", "trap", "_reflow_"} {
		if strings.Contains(command, s) {
			return false
		}
	}
	return true
}

// shellRan reports whether in's current attempt went out through the shell
// worker: a local job whose shell spec is there (submitOne removes it when
// an instance goes out through the Go worker instead).
func (d *dispatcher) shellRan(j *job, in *inst) bool {
	if j.executor != "local" {
		return false
	}
	_, err := os.Stat(shellSpecPath(d.m.run.RunDir, j.hc.Name, in.Index))
	return err == nil
}

// ingestShell settles an instance the shell worker ran that left no result
// line (its command exec'd another program) from the executor's final
// status, when that is the command's own exit. It reports false for a job
// the executor ended itself (time limit, cancel, a kill), which reconcile
// fails with the executor's reason like any job without a result.
func (d *dispatcher) ingestShell(j *job, in *inst, st status, sts statuses) bool {
	if (st.State != pluginapi.StateCompleted && st.State != pluginapi.StateFailed) || st.ExitCode == pluginapi.NoExitCode {
		return false
	}
	res, err := d.complete(j, in, st.ExitCode, d.host(), orNow(st.Start, in.Submitted), orNow(st.End, time.Now()))
	if err != nil {
		d.failAttempt(j, in, "failed", err.Error(), "BAD_RESULT", st.ExitCode)
		return true
	}
	d.applyResult(j, in, res, sts)
	return true
}

// shellResult is the line the shell worker writes.
type shellResult struct {
	Shell    int    `json:"shell"`
	ExitCode int    `json:"exit_code"`
	Start    string `json:"shell_start"`
	End      string `json:"shell_end"`
	Host     string `json:"host"`
}

// complete makes a full result of how a shell-worker job ended, doing the
// part of the worker's job the shell worker leaves to the dispatcher. It
// needs the instance's evaluation (its outputs), which a resumed
// dispatcher may have to redo.
func (d *dispatcher) complete(j *job, in *inst, exitCode int, host string, start, end time.Time) (runspec.Result, error) {
	if !d.evaluated(j, in) {
		return runspec.Result{}, fmt.Errorf("cannot evaluate %s again to record its outputs", displayName(j, in))
	}
	res := runspec.Result{Version: runspec.Version, Task: j.hc.Name, Index: in.Index, Attempt: in.Attempt,
		ExitCode: exitCode, Host: host, Start: start, End: end}
	spec := runspec.Spec{WorkDir: in.hc.WorkDir(), Outputs: in.hc.Outputs,
		Result: d.resultPath(j, in), MaxResultBytes: runspec.DefaultMaxResultBytes}
	worker.Complete(&spec, &res)
	return res, nil
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

// host is this machine's name, where local jobs run.
func (d *dispatcher) host() string {
	if d.hostname == "" {
		d.hostname, _ = os.Hostname()
	}
	return d.hostname
}

// mkdir makes dir once per dispatcher: 10,000 elements share a handful of
// directories, and each MkdirAll costs a stat. Specs are written from
// several goroutines (writeSpecs), so the memo is guarded.
func (d *dispatcher) mkdir(dir string) error {
	d.dirMu.Lock()
	made := d.madeDirs[dir]
	d.dirMu.Unlock()
	if made {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	d.dirMu.Lock()
	d.madeDirs[dir] = true
	d.dirMu.Unlock()
	return nil
}

// mkWorkDir makes an instance's own work dir, which nothing else shares:
// one mkdir call when its parent is there (it is made with the first), and
// no memo that would hold every work dir of a 100,000-element array.
func mkWorkDir(dir string) error {
	err := os.Mkdir(dir, 0o755)
	switch {
	case err == nil, errors.Is(err, fs.ErrExist):
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return os.MkdirAll(dir, 0o755)
	}
	return err
}
