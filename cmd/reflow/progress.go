package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/reflow-hpc/reflow/core/engine"
	"github.com/reflow-hpc/reflow/core/store"
)

// newProgress prints a line whenever the run's counts change, and every
// event (failures, retries) as it happens.
func newProgress(w io.Writer) func(engine.Summary) {
	last := ""
	return func(s engine.Summary) {
		for _, e := range s.Events {
			fmt.Fprintf(w, "  %s\n", e)
		}
		line := progressLine(s)
		if line != last {
			fmt.Fprintln(w, line)
			last = line
		}
	}
}

func progressLine(s engine.Summary) string {
	done := s.Counts[store.InstanceSucceeded] + s.Counts[store.InstanceCached]
	var parts []string
	for _, st := range []store.InstanceState{store.InstanceCached, store.InstanceRunning, store.InstanceSubmitted,
		store.InstancePending, store.InstanceFailed, store.InstanceSkipped, store.InstanceCancelled} {
		if n := s.Counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	line := fmt.Sprintf("[%d/%d done]", done, s.Total)
	if len(parts) > 0 {
		line += " " + strings.Join(parts, ", ")
	}
	if len(s.Unsized) > 0 {
		line += fmt.Sprintf("; sized later: %s", strings.Join(s.Unsized, ", "))
	}
	return line
}
