package pbsexec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/testenv/doubles"
)

// These tests drive the executor in-process against the PBS double, for
// what the conformance suite does not reach: walltime, deleted dependents,
// the array afterok guard, servers without history, vanished jobs, queue
// limits and refusals.

type rig struct {
	t    *testing.T
	e    *Executor
	work string
	hs   []pluginapi.Handle
}

// newRig installs the double with the given REFLOW_DOUBLE_* settings and
// configures an executor; settings may override the plugin's.
func newRig(t *testing.T, double []string, settings map[string]any) *rig {
	t.Helper()
	if testing.Short() {
		t.Skip("runs jobs through the PBS double")
	}
	env := doubles.Install(t, "pbs")
	for _, kv := range append(env.Vars(), double...) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("REFLOW_DOUBLE_PBS_KILL_DELAY", "200ms")
	s := map[string]any{"history_grace": "1s"}
	for k, v := range settings {
		s[k] = v
	}
	e := New()
	r, err := e.Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: s})
	if err != nil || r.Diagnostics.HasErrors() {
		t.Fatalf("Configure: %v %v", err, r.Diagnostics.Err())
	}
	rg := &rig{t: t, e: e, work: t.TempDir()}
	t.Cleanup(func() {
		e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: rg.hs})
		time.Sleep(300 * time.Millisecond)
	})
	return rg
}

func (r *rig) job(name, script string) pluginapi.JobSpec {
	dir := filepath.Join(r.work, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		r.t.Fatal(err)
	}
	return pluginapi.JobSpec{RunID: "t", Task: name, WorkDir: dir, Script: script,
		Stdout: filepath.Join(dir, "out"), Stderr: filepath.Join(dir, "err")}
}

func (r *rig) submit(spec pluginapi.JobSpec) pluginapi.Handle {
	r.t.Helper()
	resp, err := r.e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: spec})
	if err != nil || resp.Diagnostics.HasErrors() || resp.RetryLater {
		r.t.Fatalf("Submit %s: %v %v retry=%v", spec.Task, err, resp.Diagnostics.Err(), resp.RetryLater)
	}
	r.hs = append(r.hs, resp.Handle)
	return resp.Handle
}

// wait polls the handles with e until all are final.
func (r *rig) wait(e *Executor, hs ...pluginapi.Handle) []pluginapi.JobStatus {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := e.Poll(context.Background(), &pluginapi.PollRequest{Handles: hs})
		if err != nil || resp.Diagnostics.HasErrors() {
			r.t.Fatalf("Poll: %v %v", err, resp.Diagnostics.Err())
		}
		done := true
		for _, j := range resp.Jobs {
			done = done && j.State.Terminal()
		}
		if done {
			return resp.Jobs
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("jobs not final after 30s: %+v", resp.Jobs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func expect(t *testing.T, what string, st pluginapi.Status, state pluginapi.State, reason string) {
	t.Helper()
	t.Logf("%s: %s exit %d native %q: %s", what, st.State, st.ExitCode, st.NativeState, st.Reason)
	if st.State != state || !strings.Contains(st.Reason, reason) {
		t.Errorf("%s: %s (exit %d, %q, native %q); want %s with %q", what, st.State, st.ExitCode, st.Reason, st.NativeState, state, reason)
	}
}

func TestDoubleWalltime(t *testing.T) {
	for _, tc := range []struct {
		name   string
		double []string
		reason string
	}{
		{"openpbs 23.06", nil, "Exit_status -29"},
		{"openpbs 20.0", []string{"REFLOW_DOUBLE_PBS_VERSION=20.0.1"}, "signal 15"},
		{"torque", []string{"REFLOW_DOUBLE_PBS_DIALECT=torque"}, "Exit_status -11"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rg := newRig(t, tc.double, nil)
			spec := rg.job("slow", "sleep 30\n")
			spec.Resources = map[string]string{"time": "1s"}
			js := rg.wait(rg.e, rg.submit(spec))
			expect(t, "job past its walltime", js[0].Status, pluginapi.StateTimeout, tc.reason)
		})
	}
}

// TestDoubleDeletedDependent: afterok on a failed upstream; the server
// deletes the dependent, which must end failed with the upstream named.
func TestDoubleDeletedDependent(t *testing.T) {
	for _, dialect := range []string{"openpbs", "torque"} {
		t.Run(dialect, func(t *testing.T) {
			rg := newRig(t, []string{"REFLOW_DOUBLE_PBS_DIALECT=" + dialect}, nil)
			up := rg.submit(rg.job("up", "sleep 0.3; exit 4\n"))
			dn := rg.job("down", "touch ran\n")
			dn.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: up}}
			dnH := rg.submit(dn)
			js := rg.wait(rg.e, up, dnH)
			expect(t, "upstream", js[0].Status, pluginapi.StateFailed, "exit status 4")
			expect(t, "dependent", js[1].Status, pluginapi.StateFailed, up.ID+" ended failed")
			if _, err := os.Stat(filepath.Join(dn.WorkDir, "ran")); err == nil {
				t.Error("the dependent ran")
			}
		})
	}
}

// TestDoubleArrayAfterOKGuard: the double, like OpenPBS 23.06, takes an
// array's Exit_status from its last subjob, so an afterok dependent of an
// array whose first subjob failed is released; the plugin's guard stops it.
func TestDoubleArrayAfterOKGuard(t *testing.T) {
	rg := newRig(t, nil, nil)
	up := rg.job("up", `if [ "$REFLOW_INDEX" = 0 ]; then exit 1; fi; sleep 0.5`+"\n")
	up.Array = &pluginapi.ArraySpec{Size: 2}
	up.Stdout, up.Stderr = up.Stdout+".{index}", up.Stderr+".{index}"
	upH := rg.submit(up)
	dn := rg.job("down", "touch ran\n")
	dn.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: upH}}
	dnH := rg.submit(dn)
	js := rg.wait(rg.e, upH, dnH)
	expect(t, "upstream array", js[0].Status, pluginapi.StateFailed, "1 of 2 elements")
	expect(t, "dependent", js[1].Status, pluginapi.StateFailed, "did not exit 0")
	if _, err := os.Stat(filepath.Join(dn.WorkDir, "ran")); err == nil {
		t.Error("the dependent's command ran")
	}
}

// TestDoubleNoHistory: the server refuses -x; the plugin stops asking and
// reads exit statuses from the jobs' exit files.
func TestDoubleNoHistory(t *testing.T) {
	rg := newRig(t, []string{"REFLOW_DOUBLE_PBS_HISTORY=off"}, nil)
	ok := rg.submit(rg.job("ok", "exit 0\n"))
	bad := rg.submit(rg.job("bad", "exit 3\n"))
	arr := rg.job("arr", "exit $REFLOW_INDEX\n")
	arr.Array = &pluginapi.ArraySpec{Size: 2, Offset: 0}
	arr.Stdout, arr.Stderr = arr.Stdout+".{index}", arr.Stderr+".{index}"
	arrH := rg.submit(arr)
	js := rg.wait(rg.e, ok, bad, arrH)
	expect(t, "exit 0", js[0].Status, pluginapi.StateCompleted, "")
	expect(t, "exit 3", js[1].Status, pluginapi.StateFailed, "exit status 3")
	if js[1].ExitCode != 3 {
		t.Errorf("exit code %d, want 3", js[1].ExitCode)
	}
	if len(js[2].Elements) != 2 || js[2].Elements[0].State != pluginapi.StateCompleted || js[2].Elements[1].ExitCode != 1 {
		t.Errorf("array elements: %+v", js[2].Elements)
	}
	if !rg.e.noHistory {
		t.Error("the plugin still asks for history")
	}
}

// TestDoubleVanished: a job deleted before it ran leaves no exit file; once
// it ages out of history a new process reports it failed as vanished after
// history_grace, and an id it never submitted as unknown.
func TestDoubleVanished(t *testing.T) {
	rg := newRig(t, []string{"REFLOW_DOUBLE_HISTORY=300ms"}, nil)
	blocker := rg.submit(rg.job("blocker", "sleep 30\n"))
	held := rg.job("held", "true\n")
	held.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: blocker}}
	heldH := rg.submit(held)
	if r, _ := rg.e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: []pluginapi.Handle{heldH}}); r.Diagnostics.HasErrors() {
		t.Fatal(r.Diagnostics.Err())
	}
	time.Sleep(time.Second)
	fresh := New()
	fresh.Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: map[string]any{"history_grace": "500ms"}})
	stranger := pluginapi.Handle{ID: "31337.pbs01"}
	resp, _ := fresh.Poll(context.Background(), &pluginapi.PollRequest{Handles: []pluginapi.Handle{heldH, stranger}})
	expect(t, "within the grace", resp.Jobs[0].Status, pluginapi.StatePending, "history_grace")
	expect(t, "never submitted", resp.Jobs[1].Status, pluginapi.StateUnknown, "")
	js := rg.wait(fresh, heldH)
	expect(t, "after the grace", js[0].Status, pluginapi.StateFailed, "vanished")
}

func TestDoubleQueueLimitAndRefusals(t *testing.T) {
	rg := newRig(t, []string{"REFLOW_DOUBLE_PBS_MAX_QUEUED=1"}, nil)
	rg.submit(rg.job("first", "sleep 30\n"))
	resp, err := rg.e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: rg.job("second", "true\n")})
	if err != nil || !resp.RetryLater || resp.Diagnostics.HasErrors() {
		t.Errorf("over the queue limit: retry=%v %v %v; want RetryLater without errors", resp.RetryLater, err, resp.Diagnostics)
	}
	spec := rg.job("badq", "true\n")
	spec.Resources = map[string]string{"queue": "nosuch"}
	resp, _ = rg.e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: spec})
	if resp.RetryLater || len(resp.Diagnostics) == 0 || resp.Diagnostics[0].Attribute != "resources.partition" ||
		!strings.Contains(resp.Diagnostics[0].Detail, "qsub: Unknown queue") {
		t.Errorf("unknown queue: %+v", resp)
	}
}

func TestDoubleCancel(t *testing.T) {
	rg := newRig(t, nil, nil)
	run := rg.submit(rg.job("run", "sleep 30\n"))
	q := rg.job("queued", "true\n")
	q.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterAny, Handle: run}}
	qH := rg.submit(q)
	time.Sleep(300 * time.Millisecond)
	r, _ := rg.e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: []pluginapi.Handle{run, qH, {ID: "not-pbs"}}})
	if r.Diagnostics.HasErrors() {
		t.Fatal(r.Diagnostics.Err())
	}
	js := rg.wait(rg.e, run, qH)
	expect(t, "running job", js[0].Status, pluginapi.StateCancelled, "qdel")
	expect(t, "queued job", js[1].Status, pluginapi.StateCancelled, "qdel")
	// A fresh process, which did not cancel them, reads the same.
	fresh := New()
	fresh.Configure(context.Background(), nil)
	js = rg.wait(fresh, run)
	expect(t, "running job, read back", js[0].Status, pluginapi.StateCancelled, "qdel")
	if r, _ := rg.e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: []pluginapi.Handle{run, qH}}); len(r.Diagnostics) != 0 {
		t.Errorf("second cancel: %v", r.Diagnostics)
	}
}

// TestDoubleFlavor: Configure asks qstat --version and Info reports it.
func TestDoubleFlavor(t *testing.T) {
	rg := newRig(t, []string{"REFLOW_DOUBLE_PBS_DIALECT=torque"}, nil)
	info, _ := rg.e.Info(context.Background(), &pluginapi.InfoRequest{})
	if info.Flavor != "torque 6.1.3" || info.Capabilities.MaxArraySize != 0 {
		t.Errorf("flavor %q, max array %d", info.Flavor, info.Capabilities.MaxArraySize)
	}
	e := New()
	r, _ := e.Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: map[string]any{"dialect": "openpbs"}})
	if len(r.Diagnostics) != 1 || r.Diagnostics[0].Attribute != "settings.dialect" {
		t.Errorf("configured openpbs against Torque: %v", r.Diagnostics)
	}
}

// TestDoubleCancelWhileExiting: qdel of a job in E answers 168; the plugin
// asks once more, then leaves a warning (the job is ending anyway).
func TestDoubleCancelWhileExiting(t *testing.T) {
	rg := newRig(t, []string{"REFLOW_DOUBLE_PBS_EXITING=3s"}, nil)
	h := rg.submit(rg.job("quick", "exit 0\n"))
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, _ := rg.e.Poll(context.Background(), &pluginapi.PollRequest{Handles: []pluginapi.Handle{h}})
		if strings.HasPrefix(resp.Jobs[0].NativeState, "E") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job never exiting: %+v", resp.Jobs[0])
		}
		time.Sleep(50 * time.Millisecond)
	}
	r, err := rg.e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: []pluginapi.Handle{h}})
	if err != nil || r.Diagnostics.HasErrors() || len(r.Diagnostics) != 1 || r.Diagnostics[0].Attribute != "handles[0]" {
		t.Errorf("cancel of an exiting job: %v %v; want one warning about handles[0]", err, r.Diagnostics)
	}
	// It had already exited 0: that is what it did, cancel or not.
	js := rg.wait(rg.e, h)
	expect(t, "exited job", js[0].Status, pluginapi.StateCompleted, "")
}
