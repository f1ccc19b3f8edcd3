package localexec

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// harness is one executor on a private state dir plus a work dir, with the
// helpers every test needs.
type harness struct {
	t        *testing.T
	e        *Executor
	stateDir string
	work     string
	settings map[string]any
	handles  []pluginapi.Handle
}

// newHarness configures an executor with a short kill grace (tests should
// not wait 5 s for SIGKILL) and the given extra settings. On cleanup it
// cancels whatever is still running so no test leaves processes behind.
func newHarness(t *testing.T, settings map[string]any) *harness {
	t.Helper()
	h := &harness{t: t, stateDir: t.TempDir(), work: t.TempDir()}
	h.settings = map[string]any{"state_dir": h.stateDir, "kill_grace": "300ms"}
	for k, v := range settings {
		h.settings[k] = v
	}
	h.e = h.open()
	t.Cleanup(func() {
		e := New()
		_, _ = e.Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: h.settings})
		_, _ = e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: h.handles})
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			r, _ := e.Poll(context.Background(), &pluginapi.PollRequest{Handles: h.handles})
			if allTerminal(r.Jobs) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		e.Close()
		h.e.Close()
	})
	return h
}

// open returns a fresh executor on the harness's state dir, as a new plugin
// process would be.
func (h *harness) open() *Executor {
	h.t.Helper()
	e := New()
	r, err := e.Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: h.settings})
	if err != nil || len(r.Diagnostics) > 0 {
		h.t.Fatalf("Configure: %v %v", err, r.Diagnostics)
	}
	return e
}

// spec is a job running script in the work dir.
func (h *harness) spec(script string) pluginapi.JobSpec {
	return pluginapi.JobSpec{RunID: "run1", Task: "t", WorkDir: h.work, Script: script}
}

// submit submits and fails the test on any diagnostic.
func (h *harness) submit(spec pluginapi.JobSpec) pluginapi.Handle {
	h.t.Helper()
	r, err := h.e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: spec})
	if err != nil || len(r.Diagnostics) > 0 {
		h.t.Fatalf("Submit: %v %v", err, r.Diagnostics)
	}
	h.handles = append(h.handles, r.Handle)
	return r.Handle
}

func (h *harness) poll(e *Executor, hs ...pluginapi.Handle) []pluginapi.JobStatus {
	h.t.Helper()
	r, err := e.Poll(context.Background(), &pluginapi.PollRequest{Handles: hs})
	if err != nil {
		h.t.Fatalf("Poll: %v", err)
	}
	if len(r.Jobs) != len(hs) {
		h.t.Fatalf("Poll returned %d statuses for %d handles", len(r.Jobs), len(hs))
	}
	return r.Jobs
}

// wait polls through e until every handle is terminal.
func (h *harness) wait(e *Executor, timeout time.Duration, hs ...pluginapi.Handle) []pluginapi.JobStatus {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		js := h.poll(e, hs...)
		if allTerminal(js) {
			return js
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("jobs not finished after %v: %+v", timeout, js)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitState polls until the handle's job is in state s.
func (h *harness) waitState(e *Executor, hd pluginapi.Handle, s pluginapi.State) pluginapi.JobStatus {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		js := h.poll(e, hd)[0]
		if js.State == s {
			return js
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("job %s never reached %s: %+v", hd.ID, s, js)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func allTerminal(js []pluginapi.JobStatus) bool {
	for _, j := range js {
		if !j.State.Terminal() && j.State != pluginapi.StateUnknown {
			return false
		}
	}
	return true
}

// readInts reads every file in dir as one integer each.
func readInts(t *testing.T, dir string) map[string]int {
	t.Helper()
	out := map[string]int{}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatalf("%s: %q", e.Name(), b)
		}
		out[e.Name()] = n
	}
	return out
}

func maxOf(m map[string]int) int {
	best := 0
	for _, v := range m {
		best = max(best, v)
	}
	return best
}

// concurrencyProbe is shell that marks the job as running in $PROBE/run,
// records how many jobs (weighted by $W, default 1) run at that moment in
// $PROBE/seen/<name>, holds for a while and unmarks. A job is marked only
// while it actually runs, so the recorded counts never overstate the
// real concurrency.
const concurrencyProbe = `
name=${REFLOW_INDEX:-$NAME}
mkdir -p "$PROBE/run" "$PROBE/seen"
for i in $(seq ${W:-1}); do : > "$PROBE/run/$name.$i"; done
n=$(ls "$PROBE/run" | wc -l)
echo "$n" > "$PROBE/seen/$name"
sleep 0.4
rm -f "$PROBE/run/$name".*
`

// pidOf returns the pid recorded for an element.
func pidOf(t *testing.T, hd pluginapi.Handle, index int) pidInfo {
	t.Helper()
	dir, err := decodeHandle(hd)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(elemFile(dir, index, sufPid))
	if err != nil {
		t.Fatal(err)
	}
	pi, ok := parsePid(b)
	if !ok {
		t.Fatalf("pid file %q", b)
	}
	return pi
}

// elementsOf lists a job's elements one by one, runs expanded, so tests
// compare per element whatever runs the plugin merged them into.
func elementsOf(js pluginapi.JobStatus) []pluginapi.ElementStatus {
	var out []pluginapi.ElementStatus
	js.EachElement(func(i int, st *pluginapi.Status) {
		out = append(out, pluginapi.ElementStatus{Index: i, Status: *st})
	})
	return out
}
