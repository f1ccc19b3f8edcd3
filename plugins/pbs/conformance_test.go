package main

import (
	"strings"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/sdk/executortest"
	"github.com/reflow-hpc/reflow/testenv/doubles"
)

// TestConformance runs the SDK's conformance suite against the real plugin
// binary over go-plugin gRPC, with the strict PBS double as the scheduler,
// once per dialect. Finished jobs leave the double's history after a few
// seconds, so the plugin's handling of jobs that vanish from qstat is
// exercised too.
func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real jobs through the PBS double")
	}
	plugin := executortest.Build(t, ".")
	// Every job costs three process starts here (qsub, the double's
	// supervisor, bash): 300 jobs in one Poll show batching and keep the
	// suite's time in bounds on a 2-core CI machine.
	for _, tc := range []struct {
		dialect string
		many    int
	}{{"openpbs", 300}, {"torque", 300}} {
		t.Run(tc.dialect, func(t *testing.T) {
			useDouble(t, tc.dialect)
			executortest.Run(t, executortest.Config{
				Plugin:       plugin,
				Settings:     map[string]any{"dialect": tc.dialect, "history_grace": "2s"},
				PollInterval: 50 * time.Millisecond,
				ManyJobs:     tc.many,
			})
		})
	}
}

// useDouble installs the PBS double for dialect and points this test's
// environment (which the plugin inherits) at it. It returns that
// environment, for commands the test starts with one of their own.
func useDouble(t *testing.T, dialect string) []string {
	t.Helper()
	vars := append(doubles.Install(t, "pbs").Vars(),
		"REFLOW_DOUBLE_PBS_DIALECT="+dialect,
		"REFLOW_DOUBLE_HISTORY=2s",
		"REFLOW_DOUBLE_PBS_KILL_DELAY=300ms")
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return vars
}
