package main

import (
	"testing"

	"github.com/reflow-hpc/reflow/testenv/scenario"
)

// TestScenarios runs the scenario suite (examples compared with local,
// faults, resume, a resident dispatcher job) through the whole engine with
// the strict flux double as the scheduler. Flux has no any-of dependency,
// so a chain would wait for its timer alone: only resident is checked.
func TestScenarios(t *testing.T) {
	env := installDouble(t, "REFLOW_DOUBLE_KILL_GRACE=500ms")
	scenario.Run(t, scenario.Config{
		Executor:  "flux",
		Env:       env.Vars(),
		Settings:  `  history_grace = "20s"`,
		Cancel:    "flux cancel",
		TimeLimit: "3s",
		TimeSleep: 6,
		Detach:    []string{"resident"},
	})
}
