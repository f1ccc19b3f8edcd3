package worker

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reflow-hpc/reflow/core/runspec"
)

func TestRunWithoutUsableSpec(t *testing.T) {
	t.Parallel()
	runDir := t.TempDir()
	t.Run("result from the command line", func(t *testing.T) {
		var log bytes.Buffer
		code := Run(context.Background(), Options{RunDir: runDir, Task: "lost", Index: 4, Attempt: 2, Log: &log})
		if code != 0 {
			t.Fatalf("exit code %d (%s), want 0: a result can still be written", code, log.String())
		}
		r, err := runspec.ReadResult(runspec.ResultPath(runDir, "lost", 4, 2))
		if err != nil {
			t.Fatal(err)
		}
		if r.Outcome != runspec.Failed || !strings.HasPrefix(r.Reason, "worker could not read its spec: ") {
			t.Errorf("outcome %s reason %q", r.Outcome, r.Reason)
		}
	})
	t.Run("nowhere to write", func(t *testing.T) {
		var log bytes.Buffer
		code := Run(context.Background(), Options{SpecPath: filepath.Join(runDir, "missing.json"), Log: &log})
		if code == 0 || !strings.Contains(log.String(), "missing.json") {
			t.Errorf("exit code %d, log %q; want non-zero and the missing file named", code, log.String())
		}
	})
}

func TestRunResultUnwritable(t *testing.T) {
	t.Parallel()
	s := newSpec(t, -1, "true", func(s *runspec.Spec) {
		// A regular file where the results directory should be.
		blocker := filepath.Join(s.RunDir, "blocker")
		if err := os.WriteFile(blocker, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		s.Result = filepath.Join(blocker, "r.json")
	})
	var log bytes.Buffer
	if code := Run(context.Background(), Options{SpecPath: specPath(s), Log: &log}); code == 0 {
		t.Errorf("exit code 0 without a result file; log %q", log.String())
	}
}

func TestRunAttemptFromCommandLine(t *testing.T) {
	t.Parallel()
	s := newSpec(t, 0, "echo $REFLOW_ATTEMPT")
	code := Run(context.Background(), Options{RunDir: s.RunDir, Task: s.Task, Index: 0, Attempt: 3, Log: io.Discard})
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	r, err := runspec.ReadResult(runspec.ResultPath(s.RunDir, s.Task, 0, 3))
	if err != nil {
		t.Fatal(err)
	}
	stdout, _ := runspec.LogPaths(s.RunDir, s.Task, 0, 3)
	if r.Attempt != 3 || readFile(t, stdout) != "3\n" {
		t.Errorf("attempt %d, stdout %q; want attempt 3 everywhere", r.Attempt, readFile(t, stdout))
	}
}

func TestRunClearsStaleValue(t *testing.T) {
	t.Parallel()
	s := newSpec(t, -1, "true")
	if err := runspec.WriteFileAtomic(runspec.ValuePath(s.Result), []byte(`"stale"`), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runSpec(t, s); r.Value != nil {
		t.Errorf("value %q from an earlier run of this attempt", r.Value)
	}
}
