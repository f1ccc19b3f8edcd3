package main

import (
	"testing"

	"github.com/reflow-hpc/reflow/plugins/slurm/internal/slurmtest"
	"github.com/reflow-hpc/reflow/testenv/scenario"
)

// slurmScenario is how the scenario suite reaches the real Slurm: scancel
// from outside, a one-minute limit (Slurm's smallest; it checks limits
// about every 30 s, so a job sleeping 100 s is killed, and one with four
// minutes is not), and both dispatcher-job modes (any-of with `?`).
var slurmScenario = scenario.Config{
	Executor:  "slurm",
	Cancel:    "scancel",
	TimeLimit: "1m",
	TimeSleep: 100,
	Detach:    []string{"resident", "chain"},
}

// TestScenarios runs the shared scenario suite through the whole engine on
// the real Slurm.
func TestScenarios(t *testing.T) {
	slurmtest.Require(t)
	scenario.Run(t, slurmScenario)
}

// TestSlurmScenarios runs the Slurm-only ones: call counts of a 1,000-
// element fan-out, and a fan-out larger than MaxArraySize.
func TestSlurmScenarios(t *testing.T) {
	slurmtest.Require(t)
	scenario.RunDir(t, slurmScenario, "testdata/scenarios")
}
