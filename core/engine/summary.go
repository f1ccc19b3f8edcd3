package engine

import "github.com/reflow-hpc/reflow/core/store"

// Summary is the run's state after a round, for progress displays.
type Summary struct {
	RunID  string
	Round  int
	Counts map[store.InstanceState]int
	// Total counts every known instance; Unsized names jobs whose size is
	// not known yet (dynamic fan-outs before their source finished).
	Total   int
	Unsized []string
	// Events are one line each about what changed this round (failures,
	// retries), for a plain log.
	Events []string
	Done   bool
	State  store.RunState
}
