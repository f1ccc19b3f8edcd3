package main

import (
	"strings"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/sdk/executortest"
	"github.com/reflow-hpc/reflow/testenv/doubles/lsf/lsftest"
)

// TestConformance runs the SDK's conformance suite against the real plugin
// binary over go-plugin gRPC, with the strict LSF double as the cluster.
func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the conformance suite against the LSF double")
	}
	for _, kv := range lsftest.Install(t).Vars() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	// The double's run limits count in seconds; its cluster has room for
	// the suite's 1000-job poll without queueing for minutes.
	t.Setenv("REFLOW_DOUBLE_MINUTE", "1s")
	t.Setenv("REFLOW_DOUBLE_KILL_GRACE", "500ms")
	t.Setenv("REFLOW_DOUBLE_SLOTS", "32")
	t.Setenv("REFLOW_DOUBLE_TICK", "20ms")
	executortest.Run(t, executortest.Config{
		Plugin:       executortest.Build(t, "."),
		PollInterval: 200 * time.Millisecond,
		// 300 jobs in one Poll shows batching as well as 1,000 and keeps
		// the suite's time in bounds on a 2-core CI machine.
		ManyJobs: 300,
	})
}
