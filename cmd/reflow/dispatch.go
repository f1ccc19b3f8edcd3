package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/core/runspec"
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
			cfg.Mode = "detached"
			return dispatchRun(ctx, cmd, cfg, args[0], nil)
		},
	}
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
