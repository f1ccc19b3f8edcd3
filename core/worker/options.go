package worker

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// DefaultGrace is the time between forwarding SIGTERM to the command and
// killing it. It is shorter than the local executor's own kill grace (5 s)
// and Slurm's default KillWait (30 s), so the worker is still alive to
// write its result when the command has to be killed.
const DefaultGrace = 3 * time.Second

// IndexEnv names the variable through which array elements learn their
// index (pluginapi.IndexEnv; repeated here so the worker does not link the
// plugin protocol).
const IndexEnv = "REFLOW_INDEX"

// Options say which attempt of which instance to run.
type Options struct {
	// SpecPath is the spec file. When empty, it is
	// runspec.SpecPath(RunDir, Task, Index).
	SpecPath string
	RunDir   string
	Task     string
	// Index is the element index, -1 for a singleton (see IndexFromEnv).
	Index int
	// Attempt, when positive, is authoritative over Spec.Attempt: the
	// dispatcher puts it on the worker's command line when it submits, so
	// it stays right even if the spec was rewritten for a later attempt.
	Attempt int
	// Grace is the time between SIGTERM and SIGKILL for the command;
	// zero means DefaultGrace.
	Grace time.Duration
	// Log receives the worker's own messages (not the command's); nil
	// means os.Stderr, which the scheduler captures in the job's log.
	Log io.Writer
}

// IndexFromEnv reads $REFLOW_INDEX: unset or empty means a singleton (-1).
func IndexFromEnv() (int, error) {
	s := os.Getenv(IndexEnv)
	if s == "" {
		return -1, nil
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 {
		return 0, fmt.Errorf("%s=%q is not an element index (a number from 0)", IndexEnv, s)
	}
	return i, nil
}

func (o Options) grace() time.Duration {
	if o.Grace > 0 {
		return o.Grace
	}
	return DefaultGrace
}

func (o Options) log() io.Writer {
	if o.Log != nil {
		return o.Log
	}
	return os.Stderr
}
