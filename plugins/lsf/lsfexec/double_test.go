package lsfexec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/testenv/doubles"
	"github.com/reflow-hpc/reflow/testenv/doubles/lsf/lsftest"
)

// harness drives the executor in-process against the LSF double.
type harness struct {
	t   *testing.T
	e   *Executor
	lsf doubles.Env
}

func newHarness(t *testing.T, settings map[string]any, vars ...string) *harness {
	t.Helper()
	if testing.Short() {
		t.Skip("runs jobs on the LSF double")
	}
	d := lsftest.Install(t)
	t.Setenv("PATH", d.Bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv(doubles.StateEnv, d.State)
	t.Setenv("REFLOW_DOUBLE_MINUTE", "1s")
	t.Setenv("REFLOW_DOUBLE_KILL_GRACE", "300ms")
	t.Setenv("REFLOW_DOUBLE_TICK", "20ms")
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	e := New()
	resp, err := e.Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: settings})
	if err != nil || resp.Diagnostics.HasErrors() {
		t.Fatalf("Configure: %v %v", err, resp.Diagnostics)
	}
	if !strings.Contains(e.flavor, "IBM Spectrum LSF 10.1") {
		t.Errorf("flavor %q: bsub -V was not read", e.flavor)
	}
	return &harness{t: t, e: e, lsf: d}
}

func (h *harness) spec(name, script string, res map[string]string) pluginapi.JobSpec {
	dir := filepath.Join(h.t.TempDir(), name)
	os.MkdirAll(dir, 0o755)
	return pluginapi.JobSpec{RunID: "t", Task: name, WorkDir: dir, Script: script,
		Stdout: filepath.Join(dir, "out"), Stderr: filepath.Join(dir, "err"), Resources: res}
}

func (h *harness) submit(spec pluginapi.JobSpec) pluginapi.Handle {
	h.t.Helper()
	r, err := h.e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: spec})
	if err != nil || r.Diagnostics.HasErrors() || r.RetryLater {
		h.t.Fatalf("Submit %s: %v %+v", spec.Task, err, r)
	}
	return r.Handle
}

func (h *harness) poll(hs ...pluginapi.Handle) *pluginapi.PollResponse {
	h.t.Helper()
	r, err := h.e.Poll(context.Background(), &pluginapi.PollRequest{Handles: hs})
	if err != nil || len(r.Jobs) != len(hs) {
		h.t.Fatalf("Poll: %v %+v", err, r)
	}
	return r
}

func (h *harness) wait(hs ...pluginapi.Handle) []pluginapi.JobStatus {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		js := h.poll(hs...).Jobs
		done := true
		for _, j := range js {
			done = done && j.State.Terminal()
		}
		if done {
			return js
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("jobs did not finish: %+v", js)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestLimitsOnTheDouble(t *testing.T) {
	for _, format := range []string{"json", "delimited"} {
		t.Run(format, func(t *testing.T) {
			h := newHarness(t, map[string]any{"bjobs_format": format})
			slow := h.submit(h.spec("slow", "sleep 30\n", map[string]string{"time": "1m"}))
			fat := h.submit(h.spec("fat", "x=$(head -c 60000000 /dev/zero | tr '\\0' a); sleep 30\n", map[string]string{"mem": "10M"}))
			fail := h.submit(h.spec("fail", "exit 3\n", nil))
			arr := h.spec("arr", "exit $((REFLOW_INDEX == 5))\n", nil)
			arr.Array = &pluginapi.ArraySpec{Size: 3, Offset: 4}
			arrH := h.submit(arr)
			js := h.wait(slow, fat, fail, arrH)
			want := []struct {
				state pluginapi.State
				exit  int
			}{{pluginapi.StateTimeout, 140}, {pluginapi.StateOutOfMemory, -2}, {pluginapi.StateFailed, 3}, {pluginapi.StateFailed, 1}}
			for i, w := range want {
				if js[i].State != w.state || w.exit != -2 && js[i].ExitCode != w.exit || js[i].Reason == "" {
					t.Errorf("job %d: %+v, want %s exit %d with a reason", i, js[i].Status, w.state, w.exit)
				}
			}
			var got []string
			for _, e := range js[3].Elements {
				got = append(got, string(e.State))
			}
			if strings.Join(got, " ") != "completed failed completed" || js[3].Elements[1].Index != 5 {
				t.Errorf("array elements %+v", js[3].Elements)
			}
		})
	}
}

func TestRetryLaterAtThePendingThreshold(t *testing.T) {
	h := newHarness(t, nil, "REFLOW_DOUBLE_MAX_PEND=1")
	held := h.spec("held", "true\n", nil)
	held.Options = map[string]string{"H": ""} // stays PSUSP: counts as pending
	heldH := h.submit(held)
	r, err := h.e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: h.spec("next", "true\n", nil)})
	if err != nil || !r.RetryLater || r.Handle.ID != "" || r.Diagnostics.HasErrors() {
		t.Errorf("Submit over MAX_PEND_JOBS: %v %+v, want RetryLater without errors", err, r)
	}
	if c, _ := h.e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: []pluginapi.Handle{heldH}}); c.Diagnostics.HasErrors() {
		t.Error(c.Diagnostics.Err())
	}
	if js := h.wait(heldH); js[0].State != pluginapi.StateCancelled {
		t.Errorf("cancelled held job: %+v", js[0])
	}
}

func TestVanishedAndUnknown(t *testing.T) {
	h := newHarness(t, map[string]any{"history_grace": "1s"}, "REFLOW_DOUBLE_HISTORY=1s")
	hd := h.submit(h.spec("gone", "true\n", nil))
	if js := h.wait(hd); js[0].State != pluginapi.StateCompleted {
		t.Fatalf("%+v", js[0])
	}
	time.Sleep(1500 * time.Millisecond)
	never := pluginapi.Handle{ID: "987654"}
	js := h.poll(hd, never).Jobs
	if js[0].State != pluginapi.StateFailed || !strings.Contains(js[0].Reason, "vanished from scheduler") {
		t.Errorf("aged-out job: %+v", js[0])
	}
	if js[1].State != pluginapi.StateUnknown {
		t.Errorf("never-seen id: %+v", js[1])
	}
}

// TestHopelessDependentIsKilled: a dependent of a failed job fails with
// the reason, and leaves LSF's queue (bkill), where it would pend forever.
func TestHopelessDependentIsKilled(t *testing.T) {
	h := newHarness(t, nil)
	up := h.submit(h.spec("up", "exit 2\n", nil))
	dn := h.spec("dn", "touch ran\n", nil)
	dn.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: up}}
	dnH := h.submit(dn)
	js := h.wait(up, dnH)
	if js[1].State != pluginapi.StateFailed || !strings.Contains(js[1].Reason, "dependency can never be satisfied: job "+up.ID+" ended EXIT (exit status 2)") {
		t.Errorf("dependent: %+v", js[1])
	}
	res, _ := query(context.Background(), h.e.config(), []string{dnH.ID})
	if r := res[dnH.ID]; r == nil || len(r.Records) != 1 || r.Records[0].Stat != "EXIT" {
		t.Errorf("the hopeless dependent is still in LSF's queue: %+v", r)
	}
	if js := h.poll(dnH).Jobs; js[0].State != pluginapi.StateFailed {
		t.Errorf("after the kill: %+v", js[0])
	}
	if _, err := os.Stat(filepath.Join(dn.WorkDir, "ran")); err == nil {
		t.Error("the dependent ran")
	}
}

// TestBjobsOutage: when bjobs fails outright the plugin reports what it
// last saw, with a warning, instead of calling every job unknown.
func TestBjobsOutage(t *testing.T) {
	h := newHarness(t, nil)
	hd := h.submit(h.spec("long", "sleep 30\n", nil))
	deadline := time.Now().Add(10 * time.Second)
	for h.poll(hd).Jobs[0].State != pluginapi.StateRunning && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	h.e.mu.Lock()
	h.e.cfg.Bjobs = "/bin/false"
	h.e.mu.Unlock()
	r := h.poll(hd)
	if r.Jobs[0].State != pluginapi.StateRunning || len(r.Diagnostics) == 0 || r.Diagnostics.HasErrors() {
		t.Errorf("during the outage: %+v", r)
	}
	h.e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: []pluginapi.Handle{hd}})
}

func TestSubmitRefusals(t *testing.T) {
	h := newHarness(t, nil)
	bad := h.spec("badq", "true\n", map[string]string{"queue": "nosuchqueue"})
	r, err := h.e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: bad})
	if err != nil || !hasErrorAt(r.Diagnostics, "resources.partition") || !strings.Contains(r.Diagnostics.Err().Error(), "nosuchqueue: No such queue") {
		t.Errorf("bad queue: %v %+v", err, r.Diagnostics)
	}
	gone := h.spec("gone", "true\n", nil)
	gone.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: handleOf("424242", handleState{})}}
	r, _ = h.e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: gone})
	if !hasErrorAt(r.Diagnostics, "dependencies[0].handle") {
		t.Errorf("dependency on a job LSF does not know: %+v", r.Diagnostics)
	}
	missing := h.spec("missing", "true\n", nil)
	missing.WorkDir += "/not-there"
	r, _ = h.e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: missing})
	if !hasErrorAt(r.Diagnostics, "work_dir") {
		t.Errorf("missing work dir: %+v", r.Diagnostics)
	}
}

// counter writes a wrapper for an LSF command that logs each call's
// arguments to a file before running the double's command.
func counter(t *testing.T, h *harness, cmd string) (path, log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, cmd+".calls")
	path = filepath.Join(dir, cmd)
	script := "#!/bin/sh\necho \"$*\" >> '" + log + "'\nexec '" + filepath.Join(h.lsf.Bin, cmd) + "' \"$@\"\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, log
}

func calls(t *testing.T, log string) []string {
	b, err := os.ReadFile(log)
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// TestOneCallPerPoll: one Poll of many handles is one bjobs call, which
// also covers the upstream jobs of their dependencies; one Cancel is one
// bkill.
func TestOneCallPerPoll(t *testing.T) {
	h := newHarness(t, nil)
	up := h.submit(h.spec("up", "sleep 30\n", nil))
	var hs []pluginapi.Handle
	for i := 0; i < 25; i++ {
		s := h.spec("many", "sleep 30\n", nil)
		if i == 0 {
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterAny, Handle: up}}
		}
		hs = append(hs, h.submit(s))
	}
	bjobs, bjobsLog := counter(t, h, "bjobs")
	bkill, bkillLog := counter(t, h, "bkill")
	h.e.mu.Lock()
	h.e.cfg.Bjobs, h.e.cfg.Bkill = bjobs, bkill
	h.e.mu.Unlock()

	h.poll(hs...)
	got := calls(t, bjobsLog)
	if len(got) != 1 {
		t.Fatalf("one Poll of %d handles made %d bjobs calls: %q", len(hs), len(got), got)
	}
	for _, want := range append([]pluginapi.Handle{up}, hs...) {
		if !strings.Contains(" "+got[0]+" ", " "+want.ID+" ") {
			t.Errorf("the bjobs call %q does not ask about job %s", got[0], want.ID)
		}
	}
	r, err := h.e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: append(hs, up, pluginapi.Handle{ID: "not-lsf"})})
	if err != nil || r.Diagnostics.HasErrors() {
		t.Fatalf("Cancel: %v %v", err, r.Diagnostics)
	}
	if got := calls(t, bkillLog); len(got) != 1 || len(strings.Fields(got[0])) != len(hs)+1 {
		t.Errorf("one Cancel made bkill calls %q, want one with %d ids", got, len(hs)+1)
	}
	h.wait(append(hs, up)...)
}
