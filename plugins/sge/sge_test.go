package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/sdk/executortest"
)

// The tests in this package run the plugin binary against a real Grid
// Engine: scripts/testenv/sge-up.sh brings one up on this machine. When
// none answers they are skipped with a message saying so, except when
// REFLOW_REQUIRE_SGE=1 (CI sets it): then a missing Grid Engine fails them.
//
// REFLOW_SGE_BIN_DIR names the directory of the Grid Engine clients to use.
// By default, on a Debian-packaged Grid Engine, the tests use the plain
// binaries in /usr/lib/gridengine rather than the /usr/bin wrapper
// scripts: the wrappers work the same but cost half a second per call on a
// small machine, and the suite makes hundreds of calls.

var (
	binDir    string // the built plugin's directory, shared by all tests
	buildErr  error
	buildOnce sync.Once

	sgeOnce     sync.Once
	sgeSettings map[string]any
	sgeProblem  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// pluginBinary builds the plugin once per test binary.
func pluginBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "rsge")
		if buildErr == nil {
			_, buildErr = executortest.BuildTo(binDir, ".")
		}
	})
	if buildErr != nil {
		t.Fatalf("building the plugin: %v", buildErr)
	}
	return filepath.Join(binDir, "reflow-executor-sge")
}

// requireSGE returns the settings that reach this machine's Grid Engine,
// or skips (fails, with REFLOW_REQUIRE_SGE=1) when none answers.
func requireSGE(t *testing.T) map[string]any {
	t.Helper()
	sgeOnce.Do(func() { sgeSettings, sgeProblem = probeSGE() })
	if sgeProblem != "" {
		if os.Getenv("REFLOW_REQUIRE_SGE") == "1" {
			t.Fatalf("REFLOW_REQUIRE_SGE=1 but no Grid Engine answers: %s (run scripts/testenv/sge-up.sh as root)", sgeProblem)
		}
		t.Skipf("SKIPPED: no Grid Engine answers (%s); run scripts/testenv/sge-up.sh as root to test against a real one", sgeProblem)
	}
	out := map[string]any{}
	for k, v := range sgeSettings {
		out[k] = v
	}
	return out
}

// probeSGE finds the clients and asks the qmaster for the job list.
func probeSGE() (map[string]any, string) {
	settings := map[string]any{
		// A cluster on a loaded 2-core machine answers slowly now and then.
		"command_timeout": "90s",
	}
	dir := os.Getenv("REFLOW_SGE_BIN_DIR")
	if dir == "" {
		if _, err := os.Stat("/usr/lib/gridengine/qsub"); err == nil {
			dir = "/usr/lib/gridengine"
		}
	}
	qstat := "qstat"
	if dir != "" {
		settings["bin_dir"] = dir
		qstat = filepath.Join(dir, "qstat")
	} else if _, err := exec.LookPath("qstat"); err != nil {
		return nil, "no qstat in $PATH"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, qstat, "-xml", "-u", "*")
	cmd.Env = sgeEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Sprintf("%s -xml: %v: %s", qstat, err, out)
	}
	return settings, ""
}

// sgeEnv is the environment for running Grid Engine clients from tests:
// the plain Debian binaries need SGE_ROOT and SGE_CELL, which the wrappers
// (and the plugin) take from /etc/default/gridengine.
func sgeEnv() []string {
	env := os.Environ()
	if os.Getenv("SGE_ROOT") == "" {
		if _, err := os.Stat("/var/lib/gridengine/default/common/act_qmaster"); err == nil {
			env = append(env, "SGE_ROOT=/var/lib/gridengine", "SGE_CELL=default")
		}
	}
	return env
}

// sgeCommand returns a Grid Engine client command as the tests run it
// (qdel of a job "from outside", say).
func sgeCommand(name string, args ...string) *exec.Cmd {
	path := name
	if d, _ := sgeSettings["bin_dir"].(string); d != "" {
		path = filepath.Join(d, name)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = sgeEnv()
	return cmd
}

// manyJobs is how many jobs the conformance suite's big Poll test submits:
// enough to show Poll batches, few enough for 2 slots (REFLOW_SGE_MANY_JOBS
// overrides it).
func manyJobs() int {
	if n, err := strconv.Atoi(os.Getenv("REFLOW_SGE_MANY_JOBS")); err == nil && n > 0 {
		return n
	}
	return 100
}
