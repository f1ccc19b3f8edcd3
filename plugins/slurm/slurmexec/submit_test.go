package slurmexec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reflow-hpc/reflow/pluginapi"
)

func submit(t *testing.T, e *Executor, s pluginapi.JobSpec) *pluginapi.SubmitResponse {
	t.Helper()
	resp, err := e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: s})
	if err != nil {
		t.Fatalf("Submit returned a Go error: %v", err)
	}
	return resp
}

func (f *fakeSlurm) stdin() string {
	b, _ := os.ReadFile(filepath.Join(f.dir, "sbatch.stdin"))
	return string(b)
}

// Submit runs exactly what Render shows, with the script on stdin, and
// its handle carries what a fresh plugin needs.
func TestSubmitIsWhatRenderShows(t *testing.T) {
	f := newFakeSlurm(t)
	f.setFile("sbatch", "testdata/facts/sbatch-parsable-cluster.txt")
	e := f.executor(map[string]any{"sbatch_args": []any{"--requeue"}})
	s := arraySpec("upper", pluginapi.ArraySpec{Size: 499, Offset: 1001, Parallelism: 4})
	r, err := e.Render(context.Background(), &pluginapi.RenderRequest{Job: s})
	if err != nil || r.Diagnostics.HasErrors() {
		t.Fatalf("Render: %v %v", err, r.Diagnostics)
	}
	resp := submit(t, e, s)
	if resp.Diagnostics.HasErrors() || resp.RetryLater {
		t.Fatalf("Submit: retry %v, %v", resp.RetryLater, resp.Diagnostics)
	}
	if resp.Handle.ID != "84" {
		t.Errorf("handle id %q, want 84 (sbatch printed 84;reflow)", resp.Handle.ID)
	}
	hs, ours := decodeHandle(resp.Handle)
	if !ours || hs.Size != 499 || hs.Offset != 1001 || hs.Base != 0 || hs.Cluster != "reflow" || hs.Submitted == 0 {
		t.Errorf("handle state %+v (ours %v)", hs, ours)
	}
	if got := f.stdin(); got != r.Script {
		t.Errorf("sbatch got a script other than Render's:\n%s\n--- Render:\n%s", got, r.Script)
	}
	calls := f.calls()
	want := strings.Join(append([]string{"sbatch"}, r.Argv[1:]...), " ")
	if len(calls) != 1 || strings.TrimSpace(calls[0]) != want {
		t.Errorf("calls %q, want just %q", calls, want)
	}
}

func TestSubmitRefusals(t *testing.T) {
	tests := []struct {
		name   string
		stderr string
		rc     int
		retry  bool
		attr   string
	}{
		{"partition", string(readTestdata(t, "testdata/facts/sbatch-partition-error.txt")), 1, false, "resources.partition"},
		{"memory", string(readTestdata(t, "testdata/facts/sbatch-mem-error.txt")), 1, false, "resources.mem"},
		{"gres", string(readTestdata(t, "testdata/facts/sbatch-gres-error.txt")), 1, false, "resources.gpus"},
		{"array", string(readTestdata(t, "testdata/facts/sbatch-array-error.txt")), 1, false, "array"},
		{"dependency", string(readTestdata(t, "testdata/facts/sbatch-dependency-error.txt")), 1, false, "dependencies"},
		{"time", "sbatch: error: Invalid --time specification", 255, false, "resources.time"},
		{"submit limit", "sbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)", 1, true, ""},
		{"max submit", "sbatch: error: QOSMaxSubmitJobPerUserLimit", 1, true, ""},
		{"controller down", "sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)", 1, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlurm(t)
			f.set("sbatch", "", tt.stderr, tt.rc)
			e := f.executor(nil)
			resp := submit(t, e, spec("x"))
			if resp.RetryLater != tt.retry {
				t.Errorf("RetryLater %v, want %v (%v)", resp.RetryLater, tt.retry, resp.Diagnostics)
			}
			if resp.Handle.ID != "" {
				t.Errorf("a refused job has handle %q", resp.Handle.ID)
			}
			if tt.retry {
				if resp.Diagnostics.HasErrors() {
					t.Errorf("a limit is not an error: %v", resp.Diagnostics)
				}
				return
			}
			if !hasError(resp.Diagnostics, tt.attr) {
				t.Errorf("want an error about %q, got %v", tt.attr, resp.Diagnostics)
			}
			if !strings.Contains(resp.Diagnostics.Err().Error(), strings.TrimSpace(strings.Split(tt.stderr, "\n")[0])) {
				t.Errorf("the diagnostic should quote sbatch: %v", resp.Diagnostics)
			}
		})
	}
}

func TestSubmitOutputWithoutID(t *testing.T) {
	f := newFakeSlurm(t)
	f.setFile("sbatch", "testdata/facts/sbatch-plain.txt")
	resp := submit(t, f.executor(nil), spec("x"))
	if !resp.Diagnostics.HasErrors() || resp.Handle.ID != "" {
		t.Errorf("want an error for sbatch output without an id, got %q %v", resp.Handle.ID, resp.Diagnostics)
	}
}

// Before submitting a dependent, the plugin checks its upstream jobs:
// Slurm treats a dependency on a job it forgot as satisfied.
func TestSubmitChecksUpstream(t *testing.T) {
	live := "101|RUNNING|None|0|2026-11-26T05:00:00|NONE|2026-11-26T05:00:00|UNLIMITED|\n"
	okAcct := "102|COMPLETED|0:0|None|2026-11-26T05:00:00|2026-11-26T05:00:01|2026-11-26T05:00:00|UNLIMITED\n"
	badAcct := "103|FAILED|3:0|None|2026-11-26T05:00:00|2026-11-26T05:00:01|2026-11-26T05:00:00|UNLIMITED\n"
	dep := func(kind pluginapi.DependencyKind, id, group string) pluginapi.Dependency {
		return pluginapi.Dependency{Kind: kind, Handle: upstream(id, handleState{}), Group: group}
	}
	tests := []struct {
		name     string
		deps     []pluginapi.Dependency
		squeue   string
		sacct    string
		wantDep  string // the --dependency line sbatch gets; "" for none
		wantAttr string // an error instead
	}{
		{"live upstream", []pluginapi.Dependency{dep(pluginapi.AfterOK, "101", "")}, live, "", "afterok:101", ""},
		{"forgotten, succeeded", []pluginapi.Dependency{dep(pluginapi.AfterOK, "101", ""), dep(pluginapi.AfterOK, "102", "")},
			live, okAcct, "afterok:101", ""},
		{"forgotten, failed, afterany", []pluginapi.Dependency{dep(pluginapi.AfterAny, "103", "")}, "", badAcct, "", ""},
		{"forgotten, failed, afterok", []pluginapi.Dependency{dep(pluginapi.AfterOK, "103", "")}, "", badAcct, "", "dependencies[0]"},
		{"unknown", []pluginapi.Dependency{dep(pluginapi.AfterOK, "101", ""), dep(pluginapi.AfterOK, "104", "")},
			live, "", "", "dependencies[1].handle"},
		{"any-of with one succeeded", []pluginapi.Dependency{dep(pluginapi.AfterOK, "101", "g"), dep(pluginapi.AfterOK, "102", "g")},
			live, okAcct, "", ""},
		{"any-of with one failed", []pluginapi.Dependency{dep(pluginapi.AfterOK, "101", "g"), dep(pluginapi.AfterOK, "103", "g")},
			live, badAcct, "afterok:101", ""},
		{"any-of all failed", []pluginapi.Dependency{dep(pluginapi.AfterOK, "103", "g"), dep(pluginapi.AfterOK, "105", "g")},
			"", badAcct + strings.ReplaceAll(badAcct, "103", "105"), "", "dependencies[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlurm(t)
			f.set("squeue", tt.squeue, "", 0)
			f.set("sacct", tt.sacct, "", 0)
			f.set("sbatch", "200\n", "", 0)
			e := f.executor(nil)
			s := spec("down")
			s.Dependencies = tt.deps
			resp := submit(t, e, s)
			n := f.count()
			if n["squeue"] != 1 || n["sacct"] > 1 {
				t.Errorf("calls %v: want one squeue and at most one sacct for all upstream jobs", n)
			}
			if tt.wantAttr != "" {
				if !hasError(resp.Diagnostics, tt.wantAttr) || n["sbatch"] != 0 {
					t.Errorf("want an error about %s and no sbatch; got %v, %d sbatch calls", tt.wantAttr, resp.Diagnostics, n["sbatch"])
				}
				return
			}
			if resp.Diagnostics.HasErrors() || resp.Handle.ID != "200" {
				t.Fatalf("Submit: %q %v", resp.Handle.ID, resp.Diagnostics)
			}
			script := f.stdin()
			hasDep := strings.Contains(script, "--dependency=")
			switch {
			case tt.wantDep == "" && hasDep:
				t.Errorf("want no dependency left, script:\n%s", script)
			case tt.wantDep != "" && !strings.Contains(script, "#SBATCH --dependency="+tt.wantDep+"\n"):
				t.Errorf("want --dependency=%s, script:\n%s", tt.wantDep, script)
			}
			if hs, _ := decodeHandle(resp.Handle); hs.Deps != hasDep {
				t.Errorf("handle says deps=%v, script has a dependency: %v", hs.Deps, hasDep)
			}
		})
	}
}

// When Slurm cannot be asked about the upstream jobs, the dependent is not
// submitted blind: the engine tries again later.
func TestSubmitUpstreamCheckFails(t *testing.T) {
	f := newFakeSlurm(t)
	f.set("squeue", "", "squeue: error: Unable to contact slurm controller (connect failure)", 1)
	e := f.executor(nil)
	s := spec("down")
	s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: upstream("101", handleState{})}}
	resp := submit(t, e, s)
	if !resp.RetryLater || resp.Diagnostics.HasErrors() {
		t.Errorf("want RetryLater without errors, got %v %v", resp.RetryLater, resp.Diagnostics)
	}
	if f.count()["sbatch"] != 0 {
		t.Error("sbatch ran although the upstream could not be checked")
	}
}
