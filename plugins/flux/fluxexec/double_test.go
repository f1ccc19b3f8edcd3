package fluxexec

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/testenv/doubles"
)

// withDouble installs the flux double behind a wrapper that logs every
// command line to the returned file, so tests can count flux calls.
func withDouble(t *testing.T, extra ...string) (log string) {
	t.Helper()
	env := doubles.Install(t, "flux")
	wrap := t.TempDir()
	log = filepath.Join(wrap, "calls.log")
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$*\" >> %s\nexec %s \"$@\"\n", log, filepath.Join(env.Bin, "flux"))
	if err := os.WriteFile(filepath.Join(wrap, "flux"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", wrap+string(os.PathListSeparator)+env.Bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv(doubles.StateEnv, env.State)
	t.Setenv("REFLOW_DOUBLE_KILL_GRACE", "300ms")
	for _, kv := range extra {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Cleanup(func() {
		cmd := exec.Command(filepath.Join(env.Bin, "flux"))
		cmd.Env = append(os.Environ(), "REFLOW_DOUBLE_ROLE=shutdown")
		cmd.Run()
	})
	return log
}

func calls(t *testing.T, log, prefix string) int {
	t.Helper()
	b, _ := os.ReadFile(log)
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// job is a spec whose script is body, with its own work dir.
func job(t *testing.T, name, body string) pluginapi.JobSpec {
	dir := filepath.Join(t.TempDir(), name)
	os.MkdirAll(dir, 0o755)
	return pluginapi.JobSpec{RunID: "t", Task: name, WorkDir: dir, Script: body,
		Stdout: filepath.Join(dir, "out"), Stderr: filepath.Join(dir, "err")}
}

func submit(t *testing.T, e *Executor, spec pluginapi.JobSpec) pluginapi.Handle {
	t.Helper()
	r, err := e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: spec})
	if err != nil || r.Diagnostics.HasErrors() || r.RetryLater {
		t.Fatalf("Submit %s: %v %v retry=%v", spec.Task, err, r.Diagnostics, r.RetryLater)
	}
	return r.Handle
}

func waitEnd(t *testing.T, e *Executor, hs ...pluginapi.Handle) []pluginapi.JobStatus {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := e.Poll(context.Background(), &pluginapi.PollRequest{Handles: hs})
		if err != nil {
			t.Fatal(err)
		}
		done := true
		for _, j := range r.Jobs {
			done = done && j.State.Terminal()
		}
		if done {
			return r.Jobs
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs did not end: %+v", r.Jobs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestArrayElementsMapToTheirIndices submits an array whose element i
// exits i; the double prints the --cc ids in random order, so only a
// correct mapping reports each exit code at its index. Poll and Cancel
// each make one flux call for all handles.
func TestArrayElementsMapToTheirIndices(t *testing.T) {
	log := withDouble(t)
	e := configured(t, map[string]any{"flux_version": "0.79.0"})
	spec := job(t, "arr", `echo "element $REFLOW_INDEX"; exit $((REFLOW_INDEX - 10))`+"\n")
	spec.Stdout, spec.Stderr = spec.WorkDir+"/out."+pluginapi.IndexToken, spec.WorkDir+"/err."+pluginapi.IndexToken
	spec.Array = &pluginapi.ArraySpec{Size: 6, Offset: 10}
	h := submit(t, e, spec)
	other := submit(t, e, job(t, "single", "exit 0\n"))
	b, _ := os.ReadFile(log)
	logged := len(b)
	js := waitEnd(t, e, h, other)
	if n := len(js[0].Elements); n != 6 {
		t.Fatalf("%d elements", n)
	}
	for _, el := range js[0].Elements {
		want := el.Index - 10
		if el.ExitCode != want {
			t.Errorf("element %d: exit %d, want %d (ids mapped to the wrong indices?)", el.Index, el.ExitCode, want)
		}
		out, _ := os.ReadFile(fmt.Sprintf("%s/out.%d", spec.WorkDir, el.Index))
		if string(out) != fmt.Sprintf("element %d\n", el.Index) {
			t.Errorf("out.%d = %q", el.Index, out)
		}
	}
	if js[0].State != pluginapi.StateFailed || !strings.Contains(js[0].Reason, "element 11: exit status 1") {
		t.Errorf("array summary: %+v", js[0].Status)
	}
	// Every Poll was one flux jobs call for all 7 jobs (no per-job queries).
	b, _ = os.ReadFile(log)
	polls := 0
	for _, l := range strings.Split(string(b[logged:]), "\n") {
		if !strings.HasPrefix(l, "jobs") {
			continue
		}
		polls++
		if len(strings.Fields(l)) != 2+7 {
			t.Errorf("a flux jobs call did not cover all 7 jobs: %q", l)
		}
	}
	if polls == 0 {
		t.Errorf("no flux jobs calls logged")
	}
	before := calls(t, log, "cancel")
	if r, _ := e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: []pluginapi.Handle{h, other}}); r.Diagnostics.HasErrors() {
		t.Errorf("cancelling ended jobs: %v", r.Diagnostics)
	}
	if n := calls(t, log, "cancel") - before; n != 1 {
		t.Errorf("Cancel of two handles (7 jobs) made %d flux cancel calls, want 1", n)
	}
}

// TestVanished checks jobs purged from Flux's history: the process that
// saw a job end keeps its end; a new process reports it failed, vanished,
// after history_grace; a bare id is unknown.
func TestVanished(t *testing.T) {
	withDouble(t, "REFLOW_DOUBLE_HISTORY=1500ms")
	e := configured(t, map[string]any{"history_grace": "1h"})
	h := submit(t, e, job(t, "gone", "exit 0\n"))
	if js := waitEnd(t, e, h); js[0].State != pluginapi.StateCompleted {
		t.Fatalf("%+v", js[0])
	}
	time.Sleep(2 * time.Second)
	fresh := configured(t, map[string]any{"history_grace": "0s"})
	poll := func(e *Executor, hs ...pluginapi.Handle) []pluginapi.JobStatus {
		r, err := e.Poll(context.Background(), &pluginapi.PollRequest{Handles: hs})
		if err != nil || r.Diagnostics.HasErrors() {
			t.Fatalf("Poll: %v %v", err, r.Diagnostics)
		}
		return r.Jobs
	}
	if js := poll(e, h); js[0].State != pluginapi.StateCompleted {
		t.Errorf("the process that saw the job end: %+v", js[0])
	}
	bare := pluginapi.Handle{ID: strings.Split(h.ID, "[")[0]}
	js := poll(fresh, h, bare)
	if js[0].State != pluginapi.StateFailed || !strings.Contains(js[0].Reason, "vanished from scheduler") {
		t.Errorf("a purged job seen by a new process: %+v", js[0])
	}
	if js[1].State != pluginapi.StateUnknown {
		t.Errorf("a bare purged id: %+v", js[1])
	}
	// Within the grace a missing job is pending, not lost.
	young := newHandle(tracked{ids: []uint64{12345}, submitted: time.Now()})
	patient := configured(t, map[string]any{"history_grace": "1h"})
	if js := poll(patient, young); js[0].State != pluginapi.StatePending {
		t.Errorf("a just-submitted job Flux does not list: %+v", js[0])
	}
}

// TestEnds checks time limits, cancellation, OOM and lost job shells
// through the plugin.
func TestEnds(t *testing.T) {
	withDouble(t)
	e := configured(t, nil)
	slow := job(t, "slow", "sleep 30\n")
	slow.Resources = map[string]string{"time": "1s"}
	oom := job(t, "oom", "echo 'flux-shell[0]: ERROR: oom: Memory cgroup out of memory: killed 1 task.' >&2\nkill -9 $$\n")
	killed := job(t, "killed", "kill -9 $$\n")
	long := submit(t, e, job(t, "long", "sleep 30\n"))
	hs := []pluginapi.Handle{submit(t, e, slow), submit(t, e, oom), submit(t, e, killed)}
	time.Sleep(300 * time.Millisecond)
	if r, _ := e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: []pluginapi.Handle{long}}); r.Diagnostics.HasErrors() {
		t.Fatal(r.Diagnostics)
	}
	js := waitEnd(t, e, append(hs, long)...)
	want := []pluginapi.State{pluginapi.StateTimeout, pluginapi.StateOutOfMemory, pluginapi.StateFailed, pluginapi.StateCancelled}
	for i, w := range want {
		if js[i].State != w || js[i].Reason == "" {
			t.Errorf("job %d: %+v; want %s with a reason", i, js[i].Status, w)
		}
	}
	if !strings.Contains(js[2].Reason, "signal 9") || !strings.Contains(js[3].Reason, cancelNote) {
		t.Errorf("reasons: %q / %q", js[2].Reason, js[3].Reason)
	}
}

// TestRefusals checks how Flux's refusals reach the engine: a dependency
// that can never hold names the dependency; a queue limit asks to retry
// later and leaves no job behind.
func TestRefusals(t *testing.T) {
	withDouble(t, "REFLOW_DOUBLE_MAX_ACTIVE=2")
	e := configured(t, nil)
	bad := submit(t, e, job(t, "bad", "exit 1\n"))
	waitEnd(t, e, bad)
	dn := job(t, "dn", "true\n")
	dn.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterAny, Handle: bad}, {Kind: pluginapi.AfterOK, Handle: bad}}
	r, err := e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: dn})
	if err != nil || !r.Diagnostics.HasErrors() || r.Diagnostics[0].Attribute != "dependencies[0].handle" || r.RetryLater {
		t.Errorf("afterok on a failed job: %v %v", err, r.Diagnostics)
	}

	sleeper := submit(t, e, job(t, "sleeper", "sleep 5\n"))
	arr := job(t, "arr", "sleep 5\n")
	arr.Array = &pluginapi.ArraySpec{Size: 3}
	arr.Stdout, arr.Stderr = arr.Stdout+".{index}", arr.Stderr+".{index}"
	r, err = e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: arr})
	if err != nil || !r.RetryLater {
		t.Fatalf("an array over the active-job limit: %v retry=%v %v", err, r.RetryLater, r.Diagnostics)
	}
	// The one element Flux admitted was cancelled again. A cancel takes
	// effect asynchronously (the job passes through CLEANUP), so give it a
	// moment before calling it left running.
	var left []string
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		out, _ := exec.Command("flux", "jobs", "-n", "-o", "{name}|{result}", "-a").Output()
		left = left[:0]
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if strings.HasPrefix(l, "arr-") && !strings.HasSuffix(l, "|CANCELED") {
				left = append(left, l)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, l := range left {
		t.Errorf("a partial submission was left running: %s", l)
	}
	e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: []pluginapi.Handle{sleeper}})
}

// TestLostShell checks that a job whose job shell Flux lost (the double's
// broker killed under it) ends as node_fail.
func TestLostShell(t *testing.T) {
	withDouble(t)
	e := configured(t, nil)
	h := submit(t, e, job(t, "lost", "sleep 30\n"))
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, _ := e.Poll(context.Background(), &pluginapi.PollRequest{Handles: []pluginapi.Handle{h}})
		if r.Jobs[0].State == pluginapi.StateRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("never ran")
		}
		time.Sleep(30 * time.Millisecond)
	}
	// Kill the double's broker; its log names its pid ("broker[PID] ... started").
	logText, err := os.ReadFile(filepath.Join(os.Getenv(doubles.StateEnv), "broker.log"))
	if err != nil {
		t.Fatal(err)
	}
	pid := 0
	for _, l := range strings.Split(string(logText), "\n") {
		if strings.Contains(l, "started") {
			fmt.Sscanf(l[strings.Index(l, "broker[")+len("broker["):], "%d", &pid)
		}
	}
	if pid == 0 {
		t.Fatalf("no broker pid in its log:\n%s", logText)
	}
	exec.Command("kill", "-9", fmt.Sprint(pid)).Run()
	time.Sleep(100 * time.Millisecond)
	submit(t, e, job(t, "restart", "true\n")) // a new broker finds the lost job
	js := waitEnd(t, e, h)
	if js[0].State != pluginapi.StateNodeFail {
		t.Errorf("a job whose shell was lost: %+v", js[0])
	}
}
