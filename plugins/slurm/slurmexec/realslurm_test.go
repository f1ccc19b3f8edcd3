package slurmexec

// Tests against the real Slurm of scripts/testenv/slurm-up.sh. They skip
// when no controller answers, unless REFLOW_REQUIRE_SLURM=1. Every Slurm
// command goes through a logging wrapper (wrapSlurm), so each test also
// checks that every Poll made at most one squeue and one sacct call.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/plugins/slurm/internal/slurmtest"
)

// realSlurm is one test's view of the real Slurm: an executor whose
// commands are logged, and a work directory.
type realSlurm struct {
	t   *testing.T
	f   *fakeSlurm
	e   *Executor
	dir string
	seq int
}

func newRealSlurm(t *testing.T, extra map[string]any) *realSlurm {
	t.Helper()
	slurmtest.Require(t)
	t.Parallel()
	f := wrapSlurm(t)
	return &realSlurm{t: t, f: f, e: f.executor(extra), dir: slurmtest.TempDir(t)}
}

// job is a job whose work dir, stdout and stderr are fresh under r.dir.
func (r *realSlurm) job(name, script string) pluginapi.JobSpec {
	r.seq++
	dir := filepath.Join(r.dir, fmt.Sprintf("%02d-%s", r.seq, name))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		r.t.Fatal(err)
	}
	return pluginapi.JobSpec{RunID: "realslurm", Task: name, WorkDir: dir, Script: script,
		Stdout: filepath.Join(dir, "out"), Stderr: filepath.Join(dir, "err")}
}

func (r *realSlurm) submit(s pluginapi.JobSpec) pluginapi.Handle {
	r.t.Helper()
	resp := submit(r.t, r.e, s)
	if resp.RetryLater || resp.Diagnostics.HasErrors() {
		r.t.Fatalf("Submit %s: retry %v, %v", s.Task, resp.RetryLater, resp.Diagnostics)
	}
	r.f.calls()
	return resp.Handle
}

// poll polls once and checks the calls that one Poll made.
func (r *realSlurm) poll(hs []pluginapi.Handle) []pluginapi.JobStatus {
	r.t.Helper()
	resp := poll(r.t, r.e, hs)
	if resp.Diagnostics.HasErrors() || len(resp.Jobs) != len(hs) {
		r.t.Fatalf("Poll: %d answers for %d handles, %v", len(resp.Jobs), len(hs), resp.Diagnostics)
	}
	if n := r.f.count(); n["squeue"] > 1 || n["sacct"] > 1 {
		r.t.Errorf("one Poll of %d handles made %d squeue and %d sacct calls; want at most one each", len(hs), n["squeue"], n["sacct"])
	}
	return resp.Jobs
}

// wait polls every second until done holds or timeout passes.
func (r *realSlurm) wait(hs []pluginapi.Handle, timeout time.Duration, done func([]pluginapi.JobStatus) bool) []pluginapi.JobStatus {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		js := r.poll(hs)
		if done(js) {
			return js
		}
		if time.Now().After(deadline) {
			var b strings.Builder
			for _, j := range js {
				fmt.Fprintf(&b, "  %s: %s %s %q\n", j.ID, j.State, j.NativeState, j.Reason)
			}
			r.t.Fatalf("waited %v; last statuses:\n%s", timeout, b.String())
		}
		time.Sleep(time.Second)
	}
}

func allTerminal(js []pluginapi.JobStatus) bool {
	for _, j := range js {
		if !j.State.Terminal() {
			return false
		}
	}
	return true
}

func (r *realSlurm) waitTerminal(hs []pluginapi.Handle, timeout time.Duration) []pluginapi.JobStatus {
	r.t.Helper()
	return r.wait(hs, timeout, allTerminal)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Slurm checks time limits about every 30 s: a one-minute limit ends a job
// between 60 and 90 s after it started.
func TestRealTimeout(t *testing.T) {
	r := newRealSlurm(t, nil)
	s := r.job("timeout", "sleep 300\ntouch finished\n")
	s.Resources = map[string]string{"time": "1m"}
	h := r.submit(s)
	j := r.waitTerminal([]pluginapi.Handle{h}, 3*time.Minute)[0]
	if j.State != pluginapi.StateTimeout || !strings.Contains(j.Reason, "time limit") {
		t.Errorf("want timeout with a reason naming the time limit, got %s %s %q", j.State, j.NativeState, j.Reason)
	}
	if exists(filepath.Join(s.WorkDir, "finished")) {
		t.Error("the job ran past its time limit")
	}
	if b, _ := os.ReadFile(s.Stderr); !strings.Contains(string(b), "TIME LIMIT") {
		t.Logf("the job's stderr does not show Slurm's time-limit message: %q", b)
	}
}

func TestRealExternalScancel(t *testing.T) {
	r := newRealSlurm(t, nil)
	s := r.job("scancel", "sleep 300\ntouch finished\n")
	h := r.submit(s)
	r.wait([]pluginapi.Handle{h}, time.Minute, func(js []pluginapi.JobStatus) bool { return js[0].State == pluginapi.StateRunning })
	// Someone else cancels it: an admin, or the user with scancel.
	if out, err := exec.Command("scancel", h.ID).CombinedOutput(); err != nil {
		t.Fatalf("scancel %s: %v %s", h.ID, err, out)
	}
	j := r.waitTerminal([]pluginapi.Handle{h}, time.Minute)[0]
	if j.State != pluginapi.StateCancelled || !strings.Contains(j.Reason, "cancelled") {
		t.Errorf("want cancelled with a reason, got %s %s %q", j.State, j.NativeState, j.Reason)
	}
	if exists(filepath.Join(s.WorkDir, "finished")) {
		t.Error("the cancelled job ran to its end")
	}
}

// A worker killed by a signal fails with the signal as its reason, and no
// exit code (it never exited).
func TestRealKilledWorker(t *testing.T) {
	r := newRealSlurm(t, nil)
	killed := r.submit(r.job("killed", "kill -9 $$\n"))
	exit4 := r.submit(r.job("exit4", "exit 4\n"))
	js := r.waitTerminal([]pluginapi.Handle{killed, exit4}, time.Minute)
	if j := js[0]; j.State != pluginapi.StateFailed || j.ExitCode != pluginapi.NoExitCode || !strings.Contains(j.Reason, "signal 9") {
		t.Errorf("killed worker: want failed, no exit code, reason naming signal 9; got %s exit %d %q", j.State, j.ExitCode, j.Reason)
	}
	if j := js[1]; j.State != pluginapi.StateFailed || j.ExitCode != 4 {
		t.Errorf("exit 4: want failed/4, got %s/%d %q", j.State, j.ExitCode, j.Reason)
	}
}

// An afterok dependent of a failed upstream ends failed with a reason and
// never runs: submitted by the plugin (Slurm cancels it under
// --kill-on-invalid-dep), and submitted without that flag, where Slurm
// leaves it pending with DependencyNeverSatisfied and Poll must cancel it.
func TestRealDependencyNeverSatisfied(t *testing.T) {
	r := newRealSlurm(t, nil)
	up := r.submit(r.job("up", "exit 1\n"))
	s := r.job("down", "touch ran\n")
	s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: up}}
	down := r.submit(s)

	raw := r.job("raw", "")
	out, err := exec.Command("sbatch", "--parsable", "-o", "/dev/null", "-d", "afterok:"+up.ID,
		"--wrap", "touch "+shellQuote(filepath.Join(raw.WorkDir, "ran"))).Output()
	if err != nil {
		t.Fatalf("sbatch: %v", err)
	}
	rawH := pluginapi.Handle{ID: strings.TrimSpace(string(out)), State: handleState{Deps: true}.encode()}

	js := r.waitTerminal([]pluginapi.Handle{up, down, rawH}, time.Minute)
	if js[0].State != pluginapi.StateFailed {
		t.Errorf("upstream: want failed, got %s", js[0].State)
	}
	for i, j := range js[1:] {
		if j.State != pluginapi.StateFailed || !strings.Contains(j.Reason, "dependency can never be satisfied") {
			t.Errorf("dependent %d: want failed, dependency can never be satisfied; got %s %s %q", i, j.State, j.NativeState, j.Reason)
		}
	}
	if exists(filepath.Join(s.WorkDir, "ran")) || exists(filepath.Join(raw.WorkDir, "ran")) {
		t.Error("a dependent of a failed upstream ran")
	}
	// The raw one really is cancelled in Slurm, not left pending forever.
	st, err := exec.Command("squeue", "-h", "-t", "all", "-o", "%T|%r", "-j", rawH.ID).Output()
	if err != nil || !strings.HasPrefix(string(st), "CANCELLED|DependencyNeverSatisfied") {
		t.Errorf("squeue says %q (%v); want CANCELLED|DependencyNeverSatisfied", st, err)
	}
	// And a fresh plugin, given only the handles, says the same.
	f := wrapSlurm(t)
	again := poll(t, f.executor(nil), []pluginapi.Handle{down, rawH})
	for _, j := range again.Jobs {
		if j.State != pluginapi.StateFailed {
			t.Errorf("fresh plugin: %s is %s %q, want failed", j.ID, j.State, j.Reason)
		}
	}
}

// A 1,500-element array, submitted in chunks of at most MaxArraySize (the
// second chunk's engine indices lie beyond what Slurm accepts as indices):
// every element runs once, with REFLOW_INDEX its engine index and its
// output in the file named by that index.
func TestRealChunkedArray(t *testing.T) {
	const n = 1500
	r := newRealSlurm(t, nil)
	info, err := r.e.Info(context.Background(), &pluginapi.InfoRequest{})
	if err != nil {
		t.Fatal(err)
	}
	max := info.Capabilities.MaxArraySize
	if max >= n {
		// A cluster with a larger MaxArraySize: force chunks.
		r = &realSlurm{t: t, f: r.f, e: r.f.executor(map[string]any{"max_array_size": 600.0}), dir: r.dir}
		max = 600
	}
	s := r.job("chunked", `printf '%s' "$REFLOW_INDEX" > "idx/$REFLOW_INDEX"`+"\necho \"element $REFLOW_INDEX\"\n")
	if err := os.Mkdir(filepath.Join(s.WorkDir, "idx"), 0o755); err != nil {
		t.Fatal(err)
	}
	s.Stdout = filepath.Join(s.WorkDir, "logs", pluginapi.IndexToken+".out")
	s.Stderr = filepath.Join(s.WorkDir, "logs", pluginapi.IndexToken+".err")
	os.Mkdir(filepath.Join(s.WorkDir, "logs"), 0o755)
	var hs []pluginapi.Handle
	for off := 0; off < n; off += max {
		c := s
		// A throttle leaves Slurm slots to the tests running beside this
		// one, and checks %N on a shifted chunk too.
		c.Array = &pluginapi.ArraySpec{Offset: off, Size: min(max, n-off), Parallelism: 6}
		hs = append(hs, r.submit(c))
	}
	t.Logf("%d elements in %d array jobs", n, len(hs))
	start := time.Now()
	js := r.waitTerminal(hs, 8*time.Minute)
	t.Logf("all elements ended after %v", time.Since(start).Round(time.Second))

	seen := make([]int, n)
	for _, j := range js {
		if j.State != pluginapi.StateCompleted {
			t.Errorf("array job %s: %s %q", j.ID, j.State, j.Reason)
		}
		j.EachElement(func(i int, st *pluginapi.Status) {
			if i < 0 || i >= n {
				t.Errorf("element index %d outside 0..%d", i, n-1)
				return
			}
			seen[i]++
			if st.State != pluginapi.StateCompleted {
				t.Errorf("element %d: %s %q", i, st.State, st.Reason)
			}
		})
	}
	bad := 0
	for i := 0; i < n; i++ {
		b, err := os.ReadFile(filepath.Join(s.WorkDir, "idx", strconv.Itoa(i)))
		if seen[i] != 1 || err != nil || string(b) != strconv.Itoa(i) {
			if bad++; bad <= 5 {
				t.Errorf("element %d: listed %d times by Poll, idx file %q (%v)", i, seen[i], b, err)
			}
		}
	}
	if extra, _ := os.ReadDir(filepath.Join(s.WorkDir, "idx")); len(extra) != n {
		t.Errorf("%d index files, want %d: some element ran with a wrong REFLOW_INDEX", len(extra), n)
	}
	for _, i := range []int{0, max - 1, max, n - 1} {
		b, _ := os.ReadFile(filepath.Join(s.WorkDir, "logs", fmt.Sprintf("%d.out", i)))
		if string(b) != fmt.Sprintf("element %d\n", i) {
			t.Errorf("stdout of element %d: %q", i, b)
		}
	}
}

// With --clusters, sbatch prints "id;cluster" and the plugin asks that
// cluster about the job.
func TestRealNamedCluster(t *testing.T) {
	r := newRealSlurm(t, nil)
	_, cl := r.e.snapshot(context.Background())
	if cl.Name == "" || cl.accountingOff() {
		t.Skip("--clusters needs a ClusterName and slurmdbd")
	}
	s := r.job("clusters", "exit 5\n")
	s.Options = map[string]string{"clusters": cl.Name}
	h := r.submit(s)
	if hs, _ := decodeHandle(h); hs.Cluster != cl.Name || !validJobID(h.ID) {
		t.Fatalf("handle %q with state %+v; want a job id and cluster %q", h.ID, hs, cl.Name)
	}
	j := r.waitTerminal([]pluginapi.Handle{h}, time.Minute)[0]
	if j.State != pluginapi.StateFailed || j.ExitCode != 5 {
		t.Errorf("want failed/5, got %s/%d %q", j.State, j.ExitCode, j.Reason)
	}
	poll(t, r.e, []pluginapi.Handle{h})
	calls := r.f.calls()
	if len(calls) != 1 || !strings.HasPrefix(calls[0], "squeue ") || !strings.Contains(calls[0], "--clusters="+cl.Name) {
		t.Errorf("want one squeue with --clusters=%s, got %q", cl.Name, calls)
	}
}
