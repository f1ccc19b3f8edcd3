package main

import (
	"testing"

	"github.com/reflow-hpc/reflow/sdk/executortest"
)

// TestConformance runs the SDK's conformance suite against the real plugin
// binary over go-plugin gRPC.
func TestConformance(t *testing.T) {
	executortest.Run(t, executortest.Config{
		Plugin:   executortest.Build(t, "."),
		Settings: map[string]any{"state_dir": t.TempDir(), "kill_grace": "300ms"},
	})
}
