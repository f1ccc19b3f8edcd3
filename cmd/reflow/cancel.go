package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/core/engine"
	"github.com/reflow-hpc/reflow/core/store"
)

func newCancelCmd() *cobra.Command {
	var (
		storeFlag string
		wait      time.Duration
	)
	cmd := &cobra.Command{
		Use:   "cancel [RUN] [--wait D]",
		Short: "Cancel a running run and its jobs (default: the latest run here)",
		Long: `Cancel a run: every job it has at the scheduler is cancelled, unfinished
tasks are marked cancelled, and so is the run.

When a dispatcher drives the run (reflow apply in a terminal, or a detached
one), cancel asks it to stop and waits up to --wait for it to do so. When no
dispatcher is alive, cancel cancels the jobs itself through their executors.

RUN is a run id, or "latest" (the default) for the latest run started in this
directory. A cancelled run can be run again with reflow retry.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			site, st, run, err := commandRun(cmd, storeFlag, args)
			if err != nil {
				return err
			}
			defer st.Close()
			switch run.State {
			case store.RunCancelled:
				fmt.Fprintf(cmd.ErrOrStderr(), "run %s is already cancelled\n", run.ID)
				return nil
			case store.RunSucceeded, store.RunFailed:
				return invalidInput(fmt.Errorf("run %s already ended (%s): there is nothing to cancel", run.ID, run.State))
			}
			// The request goes first: a dispatcher starting from now on
			// sees it, whichever path below is taken.
			if err := engine.RequestCancel(run.RunDir); err != nil {
				return infraError(fmt.Errorf("cannot leave the cancel request in %s: %w", run.RunDir, err))
			}
			if _, err := engine.ReleaseDeadLease(ctx, st, run.ID); err != nil {
				return infraError(err)
			}
			host, err := newHost(site)
			if err != nil {
				return err
			}
			defer host.Close()
			ended, err := engine.CancelRun(ctx, st, host, run.ID, engine.CancelledByCommand)
			var held *store.LeaseHeldError
			switch {
			case errors.As(err, &held):
				fmt.Fprintf(cmd.ErrOrStderr(), "run %s: asked its dispatcher (%s) to stop\n", run.ID, held.Holder)
				ended, err = waitForEnd(ctx, st, run.ID, wait, func() (store.Run, error) {
					return engine.CancelRun(ctx, st, host, run.ID, engine.CancelledByCommand)
				})
				if err != nil {
					return infraError(err)
				}
				if !ended.State.Terminal() {
					return infraError(fmt.Errorf("run %s: its dispatcher has not stopped within %s; it will at its next round (check with reflow status %s)", run.ID, wait, run.ID))
				}
			case err != nil:
				return infraError(fmt.Errorf("cancelling run %s: %w (the cancel request stays, so its dispatcher stops the run if one starts)", run.ID, err))
			}
			// A chain's next link (and its timer) waits in the queue; a
			// resident dispatcher job may be at its end: neither is needed.
			if dj, ok := engine.RunDispatcherJob(ended); ok {
				if err := engine.CancelDispatcherJob(ctx, engine.Config{Host: host}, dj); err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "run %s: cancelling its dispatcher job %s: %v\n", run.ID, dj.Handle.ID, err)
				} else {
					fmt.Fprintf(cmd.ErrOrStderr(), "run %s: cancelled its dispatcher job %s\n", run.ID, dj.Handle.ID)
				}
			}
			if ended.State == store.RunCancelled {
				fmt.Fprintf(cmd.ErrOrStderr(), "run %s cancelled\n", ended.ID)
				return nil
			}
			// It ended on its own just before the request arrived.
			engine.ClearCancelRequest(run.RunDir)
			fmt.Fprintf(cmd.ErrOrStderr(), "run %s had already ended: %s\n", ended.ID, ended.State)
			return nil
		},
	}
	cmd.Flags().DurationVar(&wait, "wait", 2*time.Minute, "how long to wait for a running dispatcher to stop the run")
	cmd.Flags().StringVar(&storeFlag, "store", "", "manifest store path")
	return cmd
}

func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// waitForEnd polls the store until the run ends or wait passes, and
// returns the run as last read. If the dispatcher goes away meanwhile
// without ending the run (its lease is released or expires), it calls
// takeOver to cancel the run directly.
func waitForEnd(ctx context.Context, st *store.Store, runID string, wait time.Duration, takeOver func() (store.Run, error)) (store.Run, error) {
	deadline := time.Now().Add(wait)
	for {
		var (
			run   store.Run
			lease store.Lease
			held  bool
		)
		err := st.View(ctx, func(tx *store.Tx) (err error) {
			if run, err = tx.GetRun(ctx, runID); err != nil {
				return err
			}
			lease, held, err = tx.Lease(ctx, runID)
			return err
		})
		if err != nil || run.State.Terminal() {
			return run, err
		}
		if !held || !st.Now().Before(lease.Expires) {
			r, err := takeOver()
			var busy *store.LeaseHeldError
			if !errors.As(err, &busy) {
				return r, err
			}
			// A new dispatcher started meanwhile: it sees the request too.
		}
		if time.Now().After(deadline) {
			return run, nil
		}
		select {
		case <-ctx.Done():
			return run, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
