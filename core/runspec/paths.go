package runspec

import (
	"path/filepath"
	"strconv"
)

// StateDir is reflow's own directory inside a run directory.
func StateDir(runDir string) string { return filepath.Join(runDir, ".reflow") }

func instanceName(task string, index int) string {
	if index < 0 {
		return task
	}
	return task + "." + strconv.Itoa(index)
}

// SpecPath is where the dispatcher writes the spec of one instance.
func SpecPath(runDir, task string, index int) string {
	return filepath.Join(StateDir(runDir), "specs", instanceName(task, index)+".json")
}

// ResultPath is where the worker writes the result of one attempt.
func ResultPath(runDir, task string, index, attempt int) string {
	return filepath.Join(StateDir(runDir), "results", instanceName(task, index)+".a"+strconv.Itoa(attempt)+".json")
}

// WorkDir is <run_dir>/<task>[/<index>].
func WorkDir(runDir, task string, index int) string {
	if index < 0 {
		return filepath.Join(runDir, task)
	}
	return filepath.Join(runDir, task, strconv.Itoa(index))
}

// LogPaths are the command's stdout and stderr files, beside its work dir
// so a command that cleans its work dir cannot delete its own logs.
func LogPaths(runDir, task string, index, attempt int) (stdout, stderr string) {
	base := filepath.Join(StateDir(runDir), "logs", instanceName(task, index)+".a"+strconv.Itoa(attempt))
	return base + ".out", base + ".err"
}

// PartsPath is where the dispatcher records the cache identity parts of a
// task's instances, for `reflow explain`: one JSON line per computation,
// appended, the last line for an index being the current one. One file
// per task rather than per instance: 100,000 small files cost seconds.
func PartsPath(runDir, task string) string {
	return filepath.Join(StateDir(runDir), "parts", task+".jsonl")
}

// CancelPath is the cancel request `reflow cancel` leaves for the run's
// dispatcher, which checks for it every round.
func CancelPath(runDir string) string {
	return filepath.Join(StateDir(runDir), "cancel")
}

// SubmissionsPath is the dispatcher's journal of submissions the store
// does not hold yet (see core/engine/journal.go).
func SubmissionsPath(runDir string) string {
	return filepath.Join(StateDir(runDir), "submissions.jsonl")
}
