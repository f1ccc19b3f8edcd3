package main

import (
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/plugins/slurm/internal/slurmtest"
	"github.com/reflow-hpc/reflow/sdk/executortest"
)

// TestConformance runs the SDK's conformance suite against the real plugin
// binary over go-plugin gRPC, submitting real jobs to the real Slurm that
// scripts/testenv/slurm-up.sh brings up. Slurm starts jobs about once a
// second, hence the poll interval and the generous job timeout.
func TestConformance(t *testing.T) {
	slurmtest.Require(t)
	executortest.Run(t, executortest.Config{
		Plugin:       executortest.Build(t, "."),
		WorkRoot:     slurmtest.TempDir(t),
		PollInterval: time.Second,
		JobTimeout:   2 * time.Minute,
		ManyJobs:     200,
	})
}
