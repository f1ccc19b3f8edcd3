package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/core/runspec"
	"github.com/reflow-hpc/reflow/core/store"
)

// followPoll is how often `logs -f` reads new bytes and asks the store
// whether the instance has ended.
const followPoll = 250 * time.Millisecond

type logsOptions struct {
	stderr, follow bool
	attempt        int
	storeFlag      string
}

func newLogsCmd() *cobra.Command {
	var o logsOptions
	cmd := &cobra.Command{
		Use:   "logs RUN TASK[INDEX] [--stderr] [-f] [--attempt N]",
		Short: "Print a task's stdout (or stderr) log",
		Long: `Print the stdout log (with --stderr, the stderr log) of one task instance's
command: its latest attempt, or attempt N with --attempt. RUN is a run id, or
"latest" for the latest run started in this directory. TASK[INDEX] names a
single task (split) or an array element (upper[2]).

With -f, keep printing what the command appends until the instance ends,
following it into new attempts when it is retried.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLogs(cmd, args[0], args[1], o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.stderr, "stderr", false, "print the stderr log instead of stdout")
	fl.BoolVarP(&o.follow, "follow", "f", false, "keep printing until the instance ends")
	fl.IntVar(&o.attempt, "attempt", 0, "print this attempt (1-based; default the latest)")
	fl.StringVar(&o.storeFlag, "store", "", "manifest store path")
	return cmd
}

func runLogs(cmd *cobra.Command, runArg, ref string, o logsOptions) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, st, err := commandStore(cmd, o.storeFlag)
	if err != nil {
		return err
	}
	defer st.Close()
	run, err := resolveRun(ctx, st, runArg)
	if err != nil {
		return err
	}
	in, err := findInstance(ctx, st, run, ref)
	if o.follow {
		// -f right after apply: wait for the instance to be created.
		in, err = awaitInstance(ctx, st, run, ref, in, err)
	}
	if err != nil {
		return err
	}
	name := refName(in.Task, in.Index)
	if o.attempt < 0 || o.attempt > in.Attempt {
		if in.Attempt == 0 {
			return invalidInput(fmt.Errorf("--attempt %d: %s has not run yet", o.attempt, name))
		}
		return invalidInput(fmt.Errorf("--attempt %d: %s has attempts 1 to %d", o.attempt, name, in.Attempt))
	}
	if in.Attempt == 0 && !(o.follow && !in.State.Terminal()) {
		return invalidInput(neverRan(run, in))
	}
	l := &logFollower{out: cmd.OutOrStdout(), errOut: cmd.ErrOrStderr(), run: run, stderr: o.stderr}
	if !o.follow {
		a := o.attempt
		if a == 0 {
			a = in.Attempt
		}
		return l.printAll(in, a)
	}
	return l.follow(ctx, st, in, o.attempt)
}

// awaitInstance retries findInstance while the instance does not exist
// yet and the run is still running.
func awaitInstance(ctx context.Context, st *store.Store, run store.Run, ref string, in store.Instance, err error) (store.Instance, error) {
	var notYet *notYetError
	for errors.As(err, &notYet) && !run.State.Terminal() {
		select {
		case <-ctx.Done():
			return in, err
		case <-time.After(followPoll):
		}
		if run, err = resolveRun(ctx, st, run.ID); err != nil {
			return in, err
		}
		in, err = findInstance(ctx, st, run, ref)
	}
	return in, err
}

// neverRan says why an instance that was never submitted has no log.
func neverRan(run store.Run, in store.Instance) error {
	name := refName(in.Task, in.Index)
	switch in.State {
	case store.InstanceCached:
		from := strings.TrimPrefix(in.Reason, "cached from run ")
		if from != in.Reason && from != "" {
			return fmt.Errorf("%s did not run in run %s: it was served from the cache of run %s; see reflow logs %s %s", name, run.ID, from, from, name)
		}
		return fmt.Errorf("%s did not run in run %s: it was served from the cache", name, run.ID)
	case store.InstancePending:
		return fmt.Errorf("%s has not been submitted yet, so it has no log; use -f to wait for it", name)
	}
	why := ""
	if in.Reason != "" {
		why = ": " + in.Reason
	}
	return fmt.Errorf("%s never ran, so it has no log (%s%s)", name, in.State, why)
}

// logFollower prints one instance's log.
type logFollower struct {
	out, errOut io.Writer
	run         store.Run
	stderr      bool
}

func (l *logFollower) path(in store.Instance, attempt int) string {
	stdout, stderr := runspec.LogPaths(l.run.RunDir, in.Task, in.Index, attempt)
	if l.stderr {
		return stderr
	}
	return stdout
}

// printAll prints one attempt's whole log.
func (l *logFollower) printAll(in store.Instance, attempt int) error {
	path := l.path(in, attempt)
	f, err := os.Open(path)
	if err != nil {
		return l.missing(in, attempt, path, err)
	}
	defer f.Close()
	if _, err := io.Copy(l.out, f); err != nil {
		return infraError(fmt.Errorf("reading %s: %w", path, err))
	}
	return nil
}

// missing explains a log file that is not there.
func (l *logFollower) missing(in store.Instance, attempt int, path string, err error) error {
	name := refName(in.Task, in.Index)
	if !errors.Is(err, fs.ErrNotExist) {
		return infraError(fmt.Errorf("cannot read the log of %s: %w", name, err))
	}
	if in.Attempt == attempt && in.State == store.InstanceSubmitted {
		return invalidInput(fmt.Errorf("%s is submitted but has not started, so its log %s does not exist yet; use -f to wait for it", name, path))
	}
	msg := fmt.Sprintf("the log of %s attempt %d is missing: %s", name, attempt, path)
	// The executor's own log of the job holds what the worker said when
	// it could not start the command.
	job := strings.TrimSuffix(strings.TrimSuffix(path, ".out"), ".err") + ".job.err"
	if _, err := os.Stat(job); err == nil {
		msg += fmt.Sprintf("; the worker may have died before starting the command: see the job's log %s", job)
	} else {
		msg += "; the run directory may have been cleaned up"
	}
	return invalidInput(errors.New(msg))
}

// follow prints the log as it grows until the instance ends. With attempt
// 0 it moves on to each new attempt; otherwise it stops when that attempt
// is over.
func (l *logFollower) follow(ctx context.Context, st *store.Store, in store.Instance, attempt int) error {
	fixed := attempt > 0
	cur := attempt
	if !fixed {
		cur = in.Attempt
	}
	var f *os.File
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	drain := func() error {
		if f == nil && cur > 0 {
			var err error
			if f, err = os.Open(l.path(in, cur)); err != nil {
				f = nil
				return nil // not created yet: the command has not started
			}
		}
		if f == nil {
			return nil
		}
		_, err := io.Copy(l.out, f)
		return err
	}
	for {
		if err := drain(); err != nil {
			return infraError(err)
		}
		var now store.Instance
		err := st.View(ctx, func(tx *store.Tx) (err error) {
			now, err = tx.GetInstance(ctx, in.RunID, in.Task, in.Index)
			return err
		})
		if ctx.Err() != nil {
			return nil // Ctrl-C ends -f
		}
		if err != nil {
			return infraError(err)
		}
		switch {
		case now.Attempt > cur && !fixed:
			// A retry: finish the old attempt's log, then follow the new.
			if err := drain(); err != nil {
				return infraError(err)
			}
			if f != nil {
				f.Close()
				f = nil
			}
			if cur > 0 {
				fmt.Fprintf(l.errOut, "--- %s attempt %d ---\n", refName(in.Task, in.Index), now.Attempt)
			}
			cur = now.Attempt
			continue
		case now.State.Terminal() || (fixed && now.Attempt > cur):
			// Ended: the worker closed the log before the result that
			// ended the instance was written, so this read is the last.
			if err := drain(); err != nil {
				return infraError(err)
			}
			if cur == 0 {
				return invalidInput(neverRan(l.run, now))
			}
			if f == nil {
				return l.missing(now, cur, l.path(in, cur), fs.ErrNotExist)
			}
			return nil
		}
		in = now
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(followPoll):
		}
	}
}
