package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/core/engine"
	"github.com/reflow-hpc/reflow/core/store"
)

func newResumeCmd() *cobra.Command {
	var f redispatchFlags
	cmd := &cobra.Command{
		Use:   "resume [RUN]",
		Short: "Continue a run whose dispatcher died",
		Long: `Start a dispatcher, in the foreground like reflow apply, for a run that is
still running but that no dispatcher drives any more (reflow apply was killed,
its machine rebooted). It reattaches to the jobs already submitted through
their stored handles and submits only what never was: nothing runs twice.

A run another live dispatcher drives is refused with exit status 2. A
dispatcher that died on this machine is recognised at once; one on another
machine only once its lease expires (2 minutes after its last heartbeat).

To run the failed tasks of a run that ended, use reflow retry. RUN is a run
id, or "latest" (the default) for the latest run started in this directory.
Exit status as for apply.`,
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
				fmt.Fprintf(cmd.ErrOrStderr(), "run %s already succeeded: nothing to resume\n", run.ID)
				return nil
			case store.RunFailed, store.RunCancelled:
				return invalidInput(fmt.Errorf("run %s ended %s: nothing is left to resume; run its failed tasks again with reflow retry %s", run.ID, run.State, run.ID))
			}
			if _, err := engine.ReleaseDeadLease(ctx, st, run.ID); err != nil {
				return infraError(err)
			}
			// Bound here rather than left to the dispatcher, so a changed
			// workflow file is reported as the user's to resolve (exit 2).
			bound, err := engine.Rebind(run)
			if err != nil {
				return invalidInput(err)
			}
			cfg, done, err := engineFor(f.runFlags(), site, st)
			if err != nil {
				return err
			}
			defer done()
			if what, err := engine.SettleDispatcherJob(ctx, cfg, run); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "run %s: cannot tell whether its dispatcher job still runs: %v\n", run.ID, err)
			} else if what != "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "run %s: %s\n", run.ID, what)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "run %s: resuming workflow %s in %s\n", run.ID, run.Workflow, run.RunDir)
			return dispatchRun(ctx, cmd, cfg, run.ID, bound)
		},
	}
	f.register(cmd)
	return cmd
}
