package worker

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/core/runspec"
)

// helperEnv makes the test binary act as `reflow worker` for the tests
// that must signal or kill a real worker process.
const (
	helperEnv      = "REFLOW_WORKER_TEST_SPEC"
	helperGraceEnv = "REFLOW_WORKER_TEST_GRACE"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(helperEnv); spec != "" {
		grace, _ := time.ParseDuration(os.Getenv(helperGraceEnv))
		os.Exit(Run(context.Background(), Options{SpecPath: spec, Grace: grace}))
	}
	os.Exit(m.Run())
}

// newSpec writes a spec for one instance in a fresh run dir.
func newSpec(t testing.TB, index int, command string, edit ...func(*runspec.Spec)) *runspec.Spec {
	t.Helper()
	runDir := t.TempDir()
	s := &runspec.Spec{
		Version: runspec.Version,
		RunID:   "r-test",
		RunDir:  runDir,
		Task:    "job",
		Index:   index,
		Attempt: 1,
		WorkDir: runspec.WorkDir(runDir, "job", index),
		Command: command,
		Result:  runspec.ResultPath(runDir, "job", index, 1),
	}
	s.Stdout, s.Stderr = runspec.LogPaths(runDir, "job", index, 1)
	for _, e := range edit {
		e(s)
	}
	if err := runspec.WriteSpec(runspec.SpecPath(runDir, "job", index), s); err != nil {
		t.Fatal(err)
	}
	return s
}

func specPath(s *runspec.Spec) string { return runspec.SpecPath(s.RunDir, s.Task, s.Index) }

// runSpec runs the worker in-process and returns its result.
func runSpec(t testing.TB, s *runspec.Spec) *runspec.Result {
	t.Helper()
	if code := Run(context.Background(), Options{SpecPath: specPath(s), Log: io.Discard}); code != 0 {
		t.Fatalf("worker exit code %d, want 0", code)
	}
	r, err := runspec.ReadResult(s.Result)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// waitFile waits for a file the command creates once it is running.
func waitFile(t testing.TB, path string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", filepath.Base(path))
}
