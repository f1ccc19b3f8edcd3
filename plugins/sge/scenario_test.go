package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/reflow-hpc/reflow/testenv/scenario"
)

// TestEngineScenarios runs the shared scenario suite through the whole
// engine on the real Grid Engine. SGE has no any-of dependency, so a chain
// would wait for its timer alone: only the resident dispatcher job is
// checked.
func TestEngineScenarios(t *testing.T) {
	settings := requireSGE(t)
	var body []string
	for k, v := range settings {
		body = append(body, fmt.Sprintf("  %s = %q", k, fmt.Sprint(v)))
	}
	sort.Strings(body)
	scenario.Run(t, scenario.Config{
		Executor:  "sge",
		Settings:  strings.Join(body, "\n"),
		Cancel:    "qdel",
		TimeLimit: "5s",
		TimeSleep: 10,
		Detach:    []string{"resident"},
	})
}
