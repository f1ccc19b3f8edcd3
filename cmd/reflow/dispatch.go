package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/core/engine"
	"github.com/reflow-hpc/reflow/core/runspec"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
)

// newDispatchCmd is the hidden command a detached dispatcher runs: the
// dispatcher of one run, without a terminal, logging to the run directory.
func newDispatchCmd() *cobra.Command {
	var rf runFlags
	cmd := &cobra.Command{
		Use:    "dispatch RUN",
		Short:  "Dispatch a run in the background (started by apply --detach)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			site, err := loadSite(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			st, err := openStore(context.WithoutCancel(ctx), rf.store, site)
			if err != nil {
				return err
			}
			defer st.Close()
			cfg, done, err := engineFor(&rf, site, st)
			if err != nil {
				return err
			}
			defer done()
			switch rf.mode {
			case "", engine.ModeProcess:
				cfg.Mode = engine.ModeProcess
				return dispatchRun(ctx, cmd, cfg, args[0], nil)
			case engine.ModeChain, engine.ModeResident:
				return dispatchJob(ctx, cmd, cfg, site, st, args[0], rf.mode)
			}
			return invalidInput(fmt.Errorf("--mode %q: use chain, resident or detached", rf.mode))
		},
	}
	cmd.Flags().StringVar(&rf.mode, "mode", "", "what this dispatcher runs as: detached (a process), chain or resident (scheduler jobs)")
	cmd.Flags().StringVar(&rf.store, "store", "", "manifest store path")
	cmd.Flags().BoolVar(&rf.failFast, "fail-fast", false, "stop at the first failure")
	return cmd
}

// detach starts `reflow dispatch RUN` as a process of its own session, so
// it survives the terminal and the user logging out, with its output in the
// run directory.
func detach(runDir, runID, storePath string, failFast bool) (int, error) {
	bin, err := reflowPath()
	if err != nil {
		return 0, err
	}
	logPath := filepath.Join(runspec.StateDir(runDir), "dispatcher.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, err
	}
	defer logf.Close()
	args := []string{"dispatch", runID, "--store", storePath}
	if failFast {
		args = append(args, "--fail-fast")
	}
	c := exec.Command(bin, args...)
	c.Stdout, c.Stderr = logf, logf
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := c.Start(); err != nil {
		return 0, fmt.Errorf("starting the detached dispatcher: %w", err)
	}
	pid := c.Process.Pid
	// Nobody waits for it: it is the run's dispatcher now.
	_ = c.Process.Release()
	return pid, nil
}

// dispatchJob is the dispatcher inside a scheduler job (chain or resident):
// it waits for the lease a chain predecessor is still letting go of, steps
// aside for a run that ended or that another dispatcher drives, and ends
// with status 0 when it handed over to the next link.
func dispatchJob(ctx context.Context, cmd *cobra.Command, cfg engine.Config, site *hclconfig.SiteConfig, st *store.Store, runID, mode string) error {
	var run store.Run
	if err := st.View(ctx, func(tx *store.Tx) (err error) { run, err = tx.GetRun(ctx, runID); return err }); err != nil {
		return infraError(err)
	}
	cfg.Holder = store.NewHolderID()
	cfg.Mode = mode
	dt := detachFor(mode, site, st, run.Executor)
	cfg.Detach = &dt
	if err := acquireForJob(ctx, st, runID, cfg.Holder, mode); err != nil {
		if errors.Is(err, errStepAside) {
			fmt.Fprintf(cmd.ErrOrStderr(), "run %s: ended or driven by another dispatcher; this %s job has nothing to do\n", runID, mode)
			return nil
		}
		return runErr(err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "run %s: %s dispatcher %s\n", runID, mode, cfg.Holder)
	ended, err := engine.Dispatch(ctx, cfg, runID, nil)
	switch {
	case errors.Is(err, engine.ErrDispatcherStopped):
		fmt.Fprintf(cmd.ErrOrStderr(), "run %s: %v\n", runID, err)
		return &silentExit{code: exitFailed}
	case err != nil:
		return runErr(err)
	case ended.State == store.RunRunning:
		fmt.Fprintf(cmd.ErrOrStderr(), "run %s: handed over to the next dispatcher job\n", runID)
		return nil
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "run %s %s %s\n", runID, ended.State, ended.Reason)
	return nil
}
