package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/core/runspec"
)

// Run runs one attempt of one task instance and writes its result file.
// It returns the worker's exit code: 0 when a result file was written
// (whatever the task's outcome), 1 when none could be.
func Run(ctx context.Context, opts Options) int {
	stop := newStopper(ctx)
	defer stop.close()
	log := opts.log()

	spec, err := loadSpec(opts)
	if err != nil {
		// Without a spec the result path can still be derived from the
		// command line; a failed result with the reason beats leaving the
		// dispatcher to guess from the scheduler's "exit code 1".
		if opts.RunDir == "" || opts.Task == "" || opts.Attempt <= 0 {
			fmt.Fprintf(log, "reflow worker: %v\n", err)
			return 1
		}
		spec = &runspec.Spec{RunDir: opts.RunDir, Task: opts.Task, Index: opts.Index, Attempt: opts.Attempt,
			Result: runspec.ResultPath(opts.RunDir, opts.Task, opts.Index, opts.Attempt)}
		res := newResult(spec)
		res.Outcome, res.Reason, res.End = runspec.Failed, "worker could not read its spec: "+err.Error(), time.Now()
		return finish(log, spec, res)
	}
	return finish(log, spec, attempt(spec, opts.grace(), stop))
}

func finish(log io.Writer, spec *runspec.Spec, res *runspec.Result) int {
	if err := runspec.WriteResult(spec.Result, res); err != nil {
		fmt.Fprintf(log, "reflow worker: %s %s attempt %d ended %s but its result cannot be written: %v\n",
			spec.Task, indexText(spec.Index), spec.Attempt, res.Outcome, err)
		return 1
	}
	return 0
}

func loadSpec(opts Options) (*runspec.Spec, error) {
	path := opts.SpecPath
	if path == "" {
		if opts.RunDir == "" || opts.Task == "" {
			return nil, errors.New("no spec: give a spec path, or the run dir and task")
		}
		path = runspec.SpecPath(opts.RunDir, opts.Task, opts.Index)
	}
	s, err := runspec.ReadSpec(path)
	if err != nil {
		return nil, err
	}
	if opts.Attempt > 0 && opts.Attempt != s.Attempt {
		// The spec was written for another attempt: every per-attempt path
		// must follow the attempt this job was submitted as.
		s.Attempt = opts.Attempt
		s.Result = runspec.ResultPath(s.RunDir, s.Task, s.Index, s.Attempt)
		s.Stdout, s.Stderr = runspec.LogPaths(s.RunDir, s.Task, s.Index, s.Attempt)
	}
	if s.WorkDir == "" {
		s.WorkDir = runspec.WorkDir(s.RunDir, s.Task, s.Index)
	}
	if s.Result == "" {
		s.Result = runspec.ResultPath(s.RunDir, s.Task, s.Index, s.Attempt)
	}
	if s.Stdout == "" || s.Stderr == "" {
		s.Stdout, s.Stderr = runspec.LogPaths(s.RunDir, s.Task, s.Index, s.Attempt)
	}
	if s.MaxResultBytes <= 0 {
		s.MaxResultBytes = runspec.DefaultMaxResultBytes
	}
	if wd, err := filepath.Abs(s.WorkDir); err == nil {
		s.WorkDir = wd // output paths are recorded absolute
	}
	return s, nil
}

var hostname = func() string {
	h, _ := os.Hostname()
	return h
}()

func newResult(s *runspec.Spec) *runspec.Result {
	return &runspec.Result{
		Version: runspec.Version,
		Task:    s.Task,
		Index:   s.Index,
		Attempt: s.Attempt,
		Start:   time.Now(),
		Host:    hostname,
	}
}

// attempt does the work of one attempt and always returns a result; every
// problem becomes its Outcome and Reason.
func attempt(s *runspec.Spec, grace time.Duration, stop *stopper) *runspec.Result {
	res := newResult(s)
	fail := func(reason string) *runspec.Result {
		res.Outcome, res.Reason, res.End = runspec.Failed, reason, time.Now()
		return res
	}

	if err := os.MkdirAll(s.WorkDir, 0o755); err != nil {
		return fail("cannot create the work dir: " + err.Error())
	}
	stdout, stderr, err := openLogs(s.Stdout, s.Stderr)
	if err != nil {
		return fail("cannot open the log files: " + err.Error())
	}
	defer stdout.Close()
	if stderr != stdout {
		defer stderr.Close()
	}

	valuePath := runspec.ValuePath(s.Result)
	// A value left by an earlier run of this same attempt (a requeued job)
	// must not pass for this one's.
	if err := os.Remove(valuePath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fail("cannot clear the result file: " + err.Error())
	}
	if err := os.MkdirAll(filepath.Dir(valuePath), 0o755); err != nil {
		return fail("cannot create the state dir: " + err.Error())
	}
	cmd := command{dir: s.WorkDir, env: environ(s, valuePath), script: s.Command, stdout: stdout, stderr: stderr}
	if len(s.Command) > maxArgCommand {
		cmd.file = strings.TrimSuffix(s.Result, ".json") + ".sh"
		if err := os.WriteFile(cmd.file, []byte(s.Command), 0o644); err != nil {
			return fail("cannot write the command's script file: " + err.Error())
		}
	}

	if stop.stopped() { // signalled while setting up: do not start at all
		res.Outcome, res.Signal, res.End = runspec.Terminated, stop.signal, time.Now()
		res.Reason = stop.cause() + " before the command started"
		return res
	}
	res.Start = time.Now()
	ex, err := cmd.run(stop, grace)
	res.End = time.Now()
	if err != nil {
		return fail(err.Error())
	}
	res.ExitCode, res.PeakRSS = ex.exitCode, ex.peakRSS

	switch {
	case stop.stopped():
		res.Outcome, res.Signal = runspec.Terminated, stop.signal
		res.Reason = stop.cause() + "; the command was stopped"
		if ex.killed {
			res.Reason += fmt.Sprintf(" with SIGKILL after ignoring SIGTERM for %s", grace)
		}
		fmt.Fprintf(stderr, "reflow worker: %s\n", res.Reason)
		return res
	case ex.signal != "":
		res.Signal = ex.signal
		reason := "the command was killed by " + ex.signal
		if ex.signal == "SIGKILL" {
			reason += " (the kernel's out-of-memory killer sends this signal)"
		}
		return fail(reason)
	case ex.exitCode != 0:
		return fail(fmt.Sprintf("the command exited with code %d", ex.exitCode))
	}

	outs, err := collectOutputs(s.WorkDir, s.Outputs, stop.stopped)
	if err == nil {
		res.Outputs = outs
		res.Value, err = readValue(valuePath, s.MaxResultBytes)
	}
	if stop.stopped() {
		res.Outcome, res.Signal, res.Outputs, res.Value = runspec.Terminated, stop.signal, nil, nil
		res.Reason = stop.cause() + " while recording outputs"
		return res
	}
	if err != nil {
		res.Outputs, res.Value = nil, nil
		var te *taskError
		if !errors.As(err, &te) {
			err = fmt.Errorf("worker error: %w", err)
		}
		fmt.Fprintf(stderr, "reflow worker: %v\n", err)
		res.Outcome, res.Reason = runspec.Failed, err.Error()
		return res
	}
	res.Outcome = runspec.Succeeded
	return res
}

// openLogs creates the command's log files, truncating what an earlier run
// of the same attempt left. One path for both streams opens one file, so
// the two streams interleave instead of overwriting each other.
func openLogs(out, errPath string) (*os.File, *os.File, error) {
	create := func(p string) (*os.File, error) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		return os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	}
	o, err := create(out)
	if err != nil {
		return nil, nil, err
	}
	if errPath == out {
		return o, o, nil // both descriptors of the child point at one file
	}
	e, err := create(errPath)
	if err != nil {
		o.Close()
		return nil, nil, err
	}
	return o, e, nil
}

func indexText(i int) string {
	if i < 0 {
		return ""
	}
	return fmt.Sprintf("[%d]", i)
}
