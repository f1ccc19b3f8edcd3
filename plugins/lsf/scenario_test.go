package main

import (
	"testing"

	"github.com/reflow-hpc/reflow/testenv/doubles/lsf/lsftest"
	"github.com/reflow-hpc/reflow/testenv/scenario"
)

// TestScenarios runs the scenario suite through the whole engine with the
// strict LSF double. The double counts a run-limit minute as a second, so
// a limit of "1m" is enforced after one second. LSF's `||` gives the chain
// its any-of: both dispatcher-job modes are checked.
func TestScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real jobs through the LSF double")
	}
	env := append(lsftest.Install(t).Vars(),
		"REFLOW_DOUBLE_MINUTE=1s", "REFLOW_DOUBLE_KILL_GRACE=500ms", "REFLOW_DOUBLE_SLOTS=4", "REFLOW_DOUBLE_TICK=20ms")
	scenario.Run(t, scenario.Config{
		Executor:  "lsf",
		Env:       env,
		Cancel:    "bkill",
		TimeLimit: "1m",
		TimeSleep: 2,
		Detach:    []string{"resident", "chain"},
	})
}
