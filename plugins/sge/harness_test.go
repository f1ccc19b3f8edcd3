package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// The harness of the scenario tests: a configured plugin process, jobs in
// a scratch directory, and waiting for them.

// scenarioTimeout bounds one job from submission to its end: the queue of a
// loaded 2-slot machine included.
const scenarioTimeout = 3 * time.Minute

type harness struct {
	t    *testing.T
	ex   pluginapi.Executor
	root string
}

// newHarness starts the plugin binary with settings (on top of the ones
// that reach this machine's Grid Engine) and configures it.
func newHarness(t *testing.T, extra map[string]any) *harness {
	t.Helper()
	settings := requireSGE(t)
	for k, v := range extra {
		settings[k] = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := pluginapi.Launch(ctx, pluginapi.LaunchConfig{Name: "sge", Path: pluginBinary(t), Logger: hclog.NewNullLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Kill)
	r, err := cl.Executor().Configure(ctx, &pluginapi.ConfigureRequest{Settings: settings})
	if err != nil || r.Diagnostics.HasErrors() {
		t.Fatalf("Configure: %v %v", err, r.Diagnostics.Err())
	}
	root, err := os.MkdirTemp("", "rsgej")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	return &harness{t: t, ex: cl.Executor(), root: root}
}

// job is a job spec with a fresh work directory and logs in it.
func (h *harness) job(name, script string) pluginapi.JobSpec {
	dir := filepath.Join(h.root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		h.t.Fatal(err)
	}
	return pluginapi.JobSpec{RunID: "sgetest", Task: name, WorkDir: dir, Script: script,
		Stdout: filepath.Join(dir, "out"), Stderr: filepath.Join(dir, "err")}
}

func (h *harness) array(name, script string, arr pluginapi.ArraySpec) pluginapi.JobSpec {
	j := h.job(name, script)
	j.Stdout, j.Stderr = filepath.Join(j.WorkDir, "out.{index}"), filepath.Join(j.WorkDir, "err.{index}")
	j.Array = &arr
	return j
}

func (h *harness) submit(spec pluginapi.JobSpec) pluginapi.Handle {
	h.t.Helper()
	r, err := h.ex.Submit(context.Background(), &pluginapi.SubmitRequest{Job: spec})
	if err != nil || r.Diagnostics.HasErrors() || r.RetryLater {
		h.t.Fatalf("Submit %s: %v %v (retry later %v)", spec.Task, err, r.Diagnostics.Err(), r.RetryLater)
	}
	return r.Handle
}

func (h *harness) poll(hs ...pluginapi.Handle) []pluginapi.JobStatus {
	h.t.Helper()
	r, err := h.ex.Poll(context.Background(), &pluginapi.PollRequest{Handles: hs})
	if err != nil || r.Diagnostics.HasErrors() {
		h.t.Fatalf("Poll: %v %v", err, r.Diagnostics.Err())
	}
	return r.Jobs
}

// waitFor polls until done holds, failing the test after scenarioTimeout.
func (h *harness) waitFor(what string, done func([]pluginapi.JobStatus) bool, hs ...pluginapi.Handle) []pluginapi.JobStatus {
	h.t.Helper()
	deadline := time.Now().Add(scenarioTimeout)
	for {
		js := h.poll(hs...)
		if done(js) {
			return js
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("waited %v for %s; last: %+v", scenarioTimeout, what, js)
		}
		time.Sleep(time.Second)
	}
}

func (h *harness) wait(hs ...pluginapi.Handle) []pluginapi.JobStatus {
	h.t.Helper()
	return h.waitFor("every job to end", func(js []pluginapi.JobStatus) bool {
		for _, j := range js {
			if !j.State.Terminal() {
				return false
			}
		}
		return true
	}, hs...)
}

func (h *harness) waitFile(path string) string {
	h.t.Helper()
	deadline := time.Now().Add(scenarioTimeout)
	for {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 && strings.HasSuffix(string(b), "\n") {
			return strings.TrimSpace(string(b))
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%s never appeared", path)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func expect(t *testing.T, what string, st pluginapi.Status, state pluginapi.State, reason string) {
	t.Helper()
	if st.State != state || !strings.Contains(st.Reason, reason) {
		t.Errorf("%s: got %s (exit %d, native %q, reason %q); want %s with a reason containing %q",
			what, st.State, st.ExitCode, st.NativeState, st.Reason, state, reason)
	}
}

const stamp = `stamp() { printf '%s\n' "$EPOCHREALTIME" > "$1"; }` + "\n"

func readStamp(t *testing.T, path string) float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("stamp %s: %v", path, err)
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if err != nil {
		t.Fatalf("stamp %s: %v", path, err)
	}
	return f
}
