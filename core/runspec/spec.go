package runspec

import "time"

// Version of the spec and result formats.
const Version = 1

// Spec is one task instance as the worker runs it. For an array job the
// dispatcher writes one Spec per element; the worker finds its own through
// $REFLOW_INDEX.
type Spec struct {
	Version int    `json:"version"`
	RunID   string `json:"run_id"`
	RunDir  string `json:"run_dir"`
	Task    string `json:"task"`
	// Index is the element index, or -1 for a singleton.
	Index   int `json:"index"`
	Attempt int `json:"attempt"`
	// WorkDir is <run_dir>/<task>[/<index>]; the command starts there.
	WorkDir string `json:"work_dir"`
	// Command is the bash script, run with `bash -eo pipefail`.
	Command string            `json:"command"`
	Env     map[string]string `json:"env,omitempty"`
	// Outputs are globs relative to WorkDir, recorded after success.
	Outputs []string `json:"outputs,omitempty"`
	// Stdout and Stderr are the command's log files.
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	// Result is where the worker writes its Result file.
	Result string `json:"result"`
	// MaxResultBytes bounds $REFLOW_RESULT; a larger one fails the task.
	MaxResultBytes int64 `json:"max_result_bytes"`
}

// DefaultMaxResultBytes bounds a task's $REFLOW_RESULT. Results flow into
// the store and into other tasks' commands; bulk data belongs in outputs.
const DefaultMaxResultBytes = 1 << 20

// Output is one recorded output file.
type Output struct {
	// Path is absolute.
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mtime"`
	// Digest is "sha256:<hex>" of the content.
	Digest string `json:"digest"`
}

// Outcome of a task attempt as the worker saw it.
type Outcome string

const (
	// Succeeded: the command exited 0, outputs were recorded.
	Succeeded Outcome = "succeeded"
	// Failed: the command exited non-zero, or the worker could not do its
	// part (bad result file, output outside the work dir, ...); Reason says.
	Failed Outcome = "failed"
	// Terminated: the worker received SIGTERM (scheduler time limit,
	// cancellation, preemption) and stopped the command.
	Terminated Outcome = "terminated"
)

// Result is what the worker writes when a task attempt ends.
type Result struct {
	Version  int     `json:"version"`
	Task     string  `json:"task"`
	Index    int     `json:"index"`
	Attempt  int     `json:"attempt"`
	Outcome  Outcome `json:"outcome"`
	ExitCode int     `json:"exit_code"`
	// Signal names the signal that ended the command, if one did.
	Signal string `json:"signal,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Value is the content of $REFLOW_RESULT (nil when absent); the
	// dispatcher interprets it (JSON, else text).
	Value   []byte    `json:"value,omitempty"`
	Outputs []Output  `json:"outputs,omitempty"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Host    string    `json:"host"`
	// PeakRSS in bytes of the command and its children.
	PeakRSS int64 `json:"peak_rss"`
}
