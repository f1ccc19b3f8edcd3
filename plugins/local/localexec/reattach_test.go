package localexec

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// TestReattach: a second executor given only the handles picks up running
// and pending jobs from the state dir and sees them to the end.
func TestReattach(t *testing.T) {
	t.Parallel()
	h := newHarness(t, map[string]any{"slots": 1.0})
	first := h.submit(h.spec("sleep 0.5; exit 7"))
	arr := h.spec("exit $REFLOW_INDEX")
	arr.Array = &pluginapi.ArraySpec{Size: 3}
	pendingArr := h.submit(arr)
	dep := h.spec("true")
	dep.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: first}}
	never := h.submit(dep)
	dep.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterAny, Handle: first}}
	after := h.submit(dep)
	h.waitState(h.e, first, pluginapi.StateRunning)
	h.e.Close() // the plugin is gone; the first job keeps running

	e2 := h.open()
	defer e2.Close()
	js := h.wait(e2, 20*time.Second, first, pendingArr, never, after)
	wantOutcome(t, js[0].Status, outcome{pluginapi.StateFailed, 7, "EXITED", "exit status 7"})
	var want []pluginapi.ElementStatus
	for i := 0; i < 3; i++ {
		st := exitStatus(i)
		want = append(want, pluginapi.ElementStatus{Index: i, Status: st})
	}
	if d := cmp.Diff(want, elementsOf(js[1]), cmpopts.IgnoreFields(pluginapi.Status{}, "Start", "End")); d != "" {
		t.Errorf("array scheduled by the second executor (-want +got):\n%s", d)
	}
	wantOutcome(t, js[2].Status, outcome{pluginapi.StateFailed, pluginapi.NoExitCode, "DEPENDENCY_NEVER_SATISFIED",
		"dependency can never be satisfied: " + first.ID + " ended failed"})
	wantOutcome(t, js[3].Status, outcome{pluginapi.StateCompleted, 0, "EXITED", ""})

	// A third executor reads the same final states back from disk.
	e3 := h.open()
	defer e3.Close()
	js3 := h.poll(e3, first, pendingArr, never, after)
	if d := cmp.Diff(js, js3, cmpopts.EquateApproxTime(time.Millisecond)); d != "" {
		t.Errorf("states read back from disk differ (-live +disk):\n%s", d)
	}
}

// TestReattachDeadline: the time limit counts from the job's start, not
// from the reattach, even when it passed while no plugin was attached.
func TestReattachDeadline(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	spec := h.spec("sleep 30")
	spec.Resources = map[string]string{"time": "1s"}
	hd := h.submit(spec)
	h.waitState(h.e, hd, pluginapi.StateRunning)
	h.e.Close()
	time.Sleep(1500 * time.Millisecond)
	if !alive(pidOf(t, hd, 0).pid, pidOf(t, hd, 0).start) {
		t.Fatal("the job died with its plugin")
	}
	e2 := h.open()
	defer e2.Close()
	js := h.wait(e2, 10*time.Second, hd)[0]
	wantOutcome(t, js.Status, outcome{pluginapi.StateTimeout, 143, "TIMEOUT", "exceeded time limit 1s"})
	// Killed right at the reattach (~1.5 s), not 1 s after it (>2.5 s).
	if el := js.End.Sub(js.Start); el > 2400*time.Millisecond {
		t.Errorf("ran %v: the deadline restarted at the reattach", el)
	}
}

// helperEnv makes the test binary act as a plugin process that submits
// jobs and then waits to be killed.
const helperEnv = "LOCALEXEC_TEST_HELPER_STATE_DIR"

// TestHelperProcess is not a test: it is the plugin-like process
// TestSurvivesPluginDeath starts and SIGKILLs.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	ctx := context.Background()
	e := New()
	if r, _ := e.Configure(ctx, &pluginapi.ConfigureRequest{Settings: map[string]any{"state_dir": dir, "slots": 1.0}}); len(r.Diagnostics) > 0 {
		t.Fatal(r.Diagnostics)
	}
	work := os.Getenv("LOCALEXEC_TEST_HELPER_WORK")
	submit := func(spec pluginapi.JobSpec) pluginapi.Handle {
		r, err := e.Submit(ctx, &pluginapi.SubmitRequest{Job: spec})
		if err != nil || len(r.Diagnostics) > 0 {
			t.Fatal(err, r.Diagnostics)
		}
		return r.Handle
	}
	running := submit(pluginapi.JobSpec{WorkDir: work, Script: "sleep 1; exit 5"})
	pending := submit(pluginapi.JobSpec{WorkDir: work, Script: "exit 3", Array: &pluginapi.ArraySpec{Size: 2}})
	for {
		r, _ := e.Poll(ctx, &pluginapi.PollRequest{Handles: []pluginapi.Handle{running}})
		if r.Jobs[0].State == pluginapi.StateRunning {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	b, _ := json.Marshal([]pluginapi.Handle{running, pending})
	os.Stdout.Write(append(b, '\n'))
	select {} // wait for SIGKILL
}

// TestSurvivesPluginDeath starts jobs from a separate process, SIGKILLs that
// process, and reattaches from a fresh executor: the running job finished
// on its own and recorded its exit code; the pending array is run by the
// new executor.
func TestSurvivesPluginDeath(t *testing.T) {
	t.Parallel()
	h := newHarness(t, map[string]any{"slots": 1.0})
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+h.stateDir, "LOCALEXEC_TEST_HELPER_WORK="+h.work)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadBytes('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		t.Fatalf("helper said nothing: %v", err)
	}
	var hs []pluginapi.Handle
	if err := json.Unmarshal(line, &hs); err != nil || len(hs) != 2 {
		t.Fatalf("helper output %q: %v", line, err)
	}
	h.handles = append(h.handles, hs...)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	pi := pidOf(t, hs[0], 0)
	if !alive(pi.pid, pi.start) {
		t.Fatal("the job died with the process that started it")
	}

	e2 := h.open()
	defer e2.Close()
	js := h.wait(e2, 20*time.Second, hs...)
	wantOutcome(t, js[0].Status, outcome{pluginapi.StateFailed, 5, "EXITED", "exit status 5"})
	if js[1].State != pluginapi.StateFailed || len(elementsOf(js[1])) != 2 {
		t.Fatalf("array: %+v", js[1])
	}
	for _, el := range elementsOf(js[1]) {
		wantOutcome(t, el.Status, outcome{pluginapi.StateFailed, 3, "EXITED", "exit status 3"})
	}
}
