package main

import (
	"testing"

	"github.com/reflow-hpc/reflow/testenv/scenario"
)

// TestScenarios runs the scheduler plugins' scenario suite on the local
// executor: the baseline the others are compared with must pass it too.
func TestScenarios(t *testing.T) {
	scenario.Run(t, scenario.Config{
		Executor:  "local",
		Settings:  "  slots = 2",
		TimeLimit: "2s",
		TimeSleep: 4,
		Skip:      []string{"examples"},
		SkipWhy:   "it compares an executor with local",
	})
}
