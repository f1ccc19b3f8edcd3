package main

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/sdk/executortest"
	"github.com/reflow-hpc/reflow/testenv/doubles"
)

// installDouble puts the strict flux double first on PATH for the plugin
// processes the test starts, and stops the double's broker (killing any
// job still running) before its state directory is removed.
func installDouble(t *testing.T, extra ...string) doubles.Env {
	t.Helper()
	env := doubles.Install(t, "flux")
	for _, kv := range append(env.Vars(), extra...) {
		k, v, _ := cut(kv)
		t.Setenv(k, v)
	}
	t.Cleanup(func() {
		cmd := exec.Command(env.Bin + "/flux")
		cmd.Env = append(os.Environ(), "REFLOW_DOUBLE_ROLE=shutdown")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("stopping the flux double: %v: %s", err, out)
		}
	})
	return env
}

func cut(kv string) (string, string, bool) {
	for i := 0; i < len(kv); i++ {
		if kv[i] == '=' {
			return kv[:i], kv[i+1:], true
		}
	}
	return kv, "", false
}

// TestConformance runs the SDK's conformance suite against the real plugin
// binary over go-plugin gRPC, with the strict flux double as the
// scheduler. Jobs go through flux submit (and --cc for arrays).
func TestConformance(t *testing.T) {
	installDouble(t, "REFLOW_DOUBLE_KILL_GRACE=500ms")
	executortest.Run(t, executortest.Config{
		Plugin:       executortest.Build(t, "."),
		Settings:     map[string]any{"history_grace": "20s"},
		ManyJobs:     200,
		PollInterval: 50 * time.Millisecond,
	})
}

// TestConformanceBatch runs the suite with every job submitted by flux
// batch (directives in the script; arrays as one batch job per element),
// against a double emulating flux-core 0.60 (the bank as a job attribute,
// flux jobs exiting 0 when it knows none of the ids).
func TestConformanceBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the flux submit run covers the suite")
	}
	installDouble(t, "REFLOW_DOUBLE_KILL_GRACE=500ms", "REFLOW_DOUBLE_FLUX_VERSION=0.60.0")
	executortest.Run(t, executortest.Config{
		Plugin:       executortest.Build(t, "."),
		Settings:     map[string]any{"submit_command": "batch", "bank": "physics"},
		ManyJobs:     60,
		PollInterval: 50 * time.Millisecond,
	})
}
