package main

import (
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/sdk/executortest"
)

// TestConformance runs reflow's conformance suite against this plugin, built
// and launched as reflow would run it.
func TestConformance(t *testing.T) {
	executortest.Run(t, executortest.Config{
		Plugin:       executortest.Build(t, "."),
		Settings:     map[string]any{"state_dir": t.TempDir()},
		JobTimeout:   30 * time.Second,
		PollInterval: 50 * time.Millisecond,
	})
}
