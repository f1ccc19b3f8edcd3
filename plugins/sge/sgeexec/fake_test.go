package sgeexec

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// fakeSGE answers Grid Engine commands from the test's tables and records
// every call, so Poll's logic is tested without a cluster (the real one is
// tested in plugins/sge).
type fakeSGE struct {
	mu    sync.Mutex
	qstat string // qstat -xml output
	// qstatErr makes qstat -xml fail.
	qstatErr  bool
	reasons   string         // qstat -j output
	qacct     map[int]string // qacct -j output per job
	calls     []string
	acctLines []string // the accounting file
	acctPath  string
}

func (f *fakeSGE) run(_ context.Context, c sdk.Command) (sdk.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := filepath.Base(c.Path)
	f.calls = append(f.calls, strings.Join(append([]string{name}, c.Args...), " "))
	fail := func(code int, stderr string) (sdk.Result, error) {
		return sdk.Result{Stderr: []byte(stderr), ExitCode: code}, &sdk.CommandError{Argv: c.Argv(), ExitCode: code, Stderr: stderr}
	}
	switch {
	case name == "qstat" && c.Args[0] == "-xml":
		if f.qstatErr {
			return fail(1, "error: commlib error: got select error (Connection refused)")
		}
		return sdk.Result{Stdout: []byte(f.qstat)}, nil
	case name == "qstat" && c.Args[0] == "-j":
		return sdk.Result{Stdout: []byte(f.reasons)}, nil
	case name == "qacct":
		var id int
		fmt.Sscan(c.Args[1], &id)
		if out, ok := f.qacct[id]; ok {
			return sdk.Result{Stdout: []byte(out)}, nil
		}
		return fail(1, fmt.Sprintf("error: job id %d not found", id))
	case name == "qdel", name == "qrls":
		return sdk.Result{}, nil
	}
	return fail(127, "no such command in the fake: "+name)
}

// called returns the calls that start with prefix.
func (f *fakeSGE) called(prefix string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSGE) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

// writeAccounting writes the fake's accounting file.
func (f *fakeSGE) writeAccounting(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(f.acctPath, []byte("# Version: 8.1.9\n"+strings.Join(f.acctLines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// acct is an accounting line for a job or task that ended at end.
func acct(job, task, failed, exit int, end int64) string {
	return fmt.Sprintf("all.q:vm:root:root:j:%d:sge:0:%d:%d:%d:%d:%d:3:0.1:0.1:4600.0:0:0:0:0:15078:0:0:40.0:32:0:0:0:267:1306:NONE:defaultdepartment:NONE:1:%d:1.2:0.0:0.0:NONE:0.0:NONE:13750272.000000:0:0\n",
		job, end-10, end-3, end, failed, exit, task)
}

// qstatDoc builds qstat -xml output from (job, state, tasks) triples.
func qstatDoc(entries ...[3]string) string {
	var b strings.Builder
	b.WriteString("<?xml version='1.0'?>\n<job_info>\n  <queue_info>\n  </queue_info>\n  <job_info>\n")
	for _, e := range entries {
		fmt.Fprintf(&b, "    <job_list state=\"pending\"><JB_job_number>%s</JB_job_number><JB_name>x</JB_name><state>%s</state>", e[0], e[1])
		if e[2] != "" {
			fmt.Fprintf(&b, "<tasks>%s</tasks>", e[2])
		}
		b.WriteString("</job_list>\n")
	}
	b.WriteString("  </job_info>\n</job_info>\n")
	return b.String()
}

const submitted = 1795671000

// newFakeExecutor returns an executor on a fake cluster, reading the
// accounting file (or qacct when source is "qacct").
func newFakeExecutor(t *testing.T, source string) (*Executor, *fakeSGE, *time.Time) {
	t.Helper()
	f := &fakeSGE{qstat: qstatDoc(), qacct: map[int]string{}, acctPath: filepath.Join(t.TempDir(), "accounting")}
	f.writeAccounting(t)
	e := NewWithRunner(f.run)
	cfg := testConfig()
	cfg.Accounting, cfg.AccountingFile, cfg.AccountingGrace = source, f.acctPath, time.Minute
	e.cfg = cfg
	now := time.Unix(submitted+100, 0)
	e.now = func() time.Time { return now }
	return e, f, &now
}

func poll(t *testing.T, e *Executor, hs ...pluginapi.Handle) []pluginapi.JobStatus {
	t.Helper()
	r, err := e.Poll(context.Background(), &pluginapi.PollRequest{Handles: hs})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Jobs) != len(hs) {
		t.Fatalf("%d statuses for %d handles", len(r.Jobs), len(hs))
	}
	for i, j := range r.Jobs {
		if j.ID != hs[i].ID {
			t.Fatalf("status %d is for %s, want %s", i, j.ID, hs[i].ID)
		}
	}
	return r.Jobs
}

func handle(id int, st handleState) pluginapi.Handle {
	st.Submitted = submitted
	return encodeHandle(id, st)
}

func dependent(id int, kind pluginapi.DependencyKind, upID int, up handleState, own handleState) pluginapi.Handle {
	up.V, up.Submitted = stateVersion, submitted
	own.Hold = true
	own.Deps = []depState{{Kind: kind, ID: upID, Up: up}}
	return handle(id, own)
}
