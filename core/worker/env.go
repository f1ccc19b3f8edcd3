package worker

import (
	"os"
	"slices"
	"strconv"

	"github.com/reflow-hpc/reflow/core/runspec"
)

// environ is the command's environment: the worker's own (the scheduler's
// variables, modules the site loaded), then Spec.Env, then reflow's
// variables. os/exec keeps the last of duplicate keys, so each layer
// overrides the one before without a map of the whole environment.
func environ(s *runspec.Spec, valuePath string) []string {
	base := os.Environ()
	env := make([]string, 0, len(base)+len(s.Env)+6)
	env = append(env, base...)
	keys := make([]string, 0, len(s.Env))
	for k := range s.Env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		env = append(env, k+"="+s.Env[k])
	}
	index := "" // a singleton: set, but not a number (see doc.go)
	if s.Index >= 0 {
		index = strconv.Itoa(s.Index)
	}
	return append(env,
		"REFLOW_RESULT="+valuePath,
		"REFLOW_RUN_ID="+s.RunID,
		"REFLOW_RUN_DIR="+s.RunDir,
		"REFLOW_TASK="+s.Task,
		IndexEnv+"="+index,
		"REFLOW_ATTEMPT="+strconv.Itoa(s.Attempt),
	)
}
