package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/core/engine"
	"github.com/reflow-hpc/reflow/core/store"
)

// redispatchFlags are the dispatcher settings retry and resume share with
// apply.
type redispatchFlags struct {
	store    string
	verify   string
	failFast bool
}

func (f *redispatchFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.store, "store", "", "manifest store path")
	fl.StringVar(&f.verify, "verify", "", "cache check of recorded outputs: mtime (default) or content")
	fl.BoolVar(&f.failFast, "fail-fast", false, "stop the run at the first failure instead of finishing independent branches")
}

func (f *redispatchFlags) runFlags() *runFlags {
	return &runFlags{store: f.store, verify: f.verify, failFast: f.failFast}
}

func newRetryCmd() *cobra.Command {
	var (
		f     redispatchFlags
		tasks []string
	)
	cmd := &cobra.Command{
		Use:   "retry [RUN] [--task T]...",
		Short: "Run the failed, cancelled and skipped tasks of a finished run again",
		Long: `Run again the failed, cancelled and skipped task instances of a run that
ended failed or cancelled, in the same run: the run goes back to running and a
dispatcher runs in the foreground, like reflow apply. Each retried instance
gets a new attempt; earlier attempts stay in its history. Tasks whose inputs
are cached are still served from the cache.

With --task, only that task's instances are retried, with what was skipped or
cancelled downstream of it.

A succeeded run is final: to run its tasks again, start a new run with
reflow apply FILE --force-task TASK. The workflow file must be unchanged since
the run started; otherwise start a new run with reflow apply.

RUN is a run id, or "latest" (the default) for the latest run started in this
directory. Exit status as for apply.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			site, st, run, err := commandRun(cmd, f.store, args)
			if err != nil {
				return err
			}
			defer st.Close()
			switch run.State {
			case store.RunSucceeded:
				return invalidInput(fmt.Errorf("run %s succeeded: there is nothing to retry; to run a task again, start a new run: reflow apply %s --force-task TASK", run.ID, run.FilePath))
			case store.RunRunning:
				return invalidInput(fmt.Errorf("run %s is still running: wait for it to end, or stop it with reflow cancel %s (if its dispatcher died, continue it with reflow resume %s)", run.ID, run.ID, run.ID))
			}
			// Bind before touching anything: a run whose workflow changed
			// must stay as it ended.
			bound, err := engine.Rebind(run)
			if err != nil {
				return invalidInput(err)
			}
			cfg, done, err := engineFor(f.runFlags(), site, st)
			if err != nil {
				return err
			}
			defer done()
			if err := engine.ClearCancelRequest(run.RunDir); err != nil {
				return infraError(err)
			}
			n, err := engine.ResetForRetry(ctx, st, run.ID, tasks)
			var refused *engine.RetryRefusedError
			switch {
			case errors.As(err, &refused):
				return invalidInput(err)
			case err != nil:
				return runErr(err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "run %s: retrying %s (workflow %s, in %s)\n", run.ID, plural(n, "task instance"), run.Workflow, run.RunDir)
			return dispatchRun(ctx, cmd, cfg, run.ID, bound)
		},
	}
	f.register(cmd)
	cmd.Flags().StringArrayVar(&tasks, "task", nil, "retry only this task and what it held back downstream (repeatable)")
	return cmd
}
