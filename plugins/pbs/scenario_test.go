package main

import (
	"testing"

	"github.com/reflow-hpc/reflow/testenv/scenario"
)

// TestScenarios runs the scenario suite through the whole engine with the
// strict PBS double, once per dialect. PBS has no any-of dependency, so a
// chain would wait for its timer alone: only resident is checked.
func TestScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real jobs through the PBS double")
	}
	for _, dialect := range []string{"openpbs", "torque"} {
		t.Run(dialect, func(t *testing.T) {
			scenario.Run(t, scenario.Config{
				Executor: "pbs",
				Env:      useDouble(t, dialect),
				Settings: `  dialect = "` + dialect + `"` + "\n" + `  history_grace = "20s"`,
				Cancel:   "qdel",
				// Torque's qstat does not tell a qdel from another
				// SIGTERM; OpenPBS's substate 91 does.
				CancelReason: map[string]string{"openpbs": "cancel", "torque": "cancel|SIGTERM"}[dialect],
				TimeLimit:    "3s",
				TimeSleep:    6,
				Detach:       []string{"resident"},
			})
		})
	}
}
