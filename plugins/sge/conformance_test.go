package main

import (
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/sdk/executortest"
)

// TestConformance runs the SDK's conformance suite against the real plugin
// binary, over go-plugin gRPC, on the real Grid Engine of this machine
// (scripts/testenv/sge-up.sh starts one). Without one it is skipped, unless
// REFLOW_REQUIRE_SGE=1.
func TestConformance(t *testing.T) {
	settings := requireSGE(t)
	executortest.Run(t, executortest.Config{
		Plugin:       pluginBinary(t),
		Settings:     settings,
		JobTimeout:   3 * time.Minute,
		ManyJobs:     manyJobs(),
		PollInterval: time.Second,
	})
}
