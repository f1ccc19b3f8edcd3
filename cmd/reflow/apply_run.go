package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/core/engine"
	"github.com/reflow-hpc/reflow/core/pluginhost"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
)

// applyRun creates the run and dispatches it in the foreground.
func applyRun(cmd *cobra.Command, rf *runFlags, site *hclconfig.SiteConfig, b *hclconfig.Bound, executor string) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := openStore(context.WithoutCancel(ctx), rf.store, site)
	if err != nil {
		return err
	}
	defer st.Close()
	cfg, done, err := engineFor(rf, site, st)
	if err != nil {
		return err
	}
	defer done()
	mode := engine.ModeForeground
	if rf.detach {
		if mode, err = detachMode(rf.mode, site, executor); err != nil {
			return err
		}
	}
	cfg.Seed = rf.seed
	run, err := engine.Create(ctx, st, engine.NewRun{Bound: b, RunRoot: rf.root(), Executor: executor, Mode: mode, ID: rf.runID})
	if err != nil {
		return infraError(err)
	}
	if mode == engine.ModeChain || mode == engine.ModeResident {
		dj, err := engine.SubmitDispatcher(ctx, cfg, run, detachFor(mode, site, st, executor))
		if err != nil {
			failCreated(st, run.ID, err)
			return infraError(err)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "run %s: workflow %s on %s, dispatched by %s job %s on %s (reflow status %s shows it)\n",
			run.ID, run.Workflow, executor, mode, dj.Handle.ID, dj.Executor, run.ID)
		fmt.Fprintln(cmd.OutOrStdout(), run.ID)
		return nil
	}
	if rf.detach {
		pid, err := detach(run.RunDir, run.ID, st.Path(), rf.failFast)
		if err != nil {
			return infraError(err)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "run %s: workflow %s on %s, dispatched in the background (pid %d, log %s/.reflow/dispatcher.log)\n",
			run.ID, run.Workflow, executor, pid, run.RunDir)
		fmt.Fprintln(cmd.OutOrStdout(), run.ID)
		return nil
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "run %s: workflow %s on %s, in %s\n", run.ID, run.Workflow, executor, run.RunDir)
	return dispatchRun(ctx, cmd, cfg, run.ID, b)
}

// engineConfig collects the dispatcher's settings from flags and the site.
func engineConfig(rf *runFlags, site *hclconfig.SiteConfig, st *store.Store, host *pluginhost.Host) (engine.Config, error) {
	bin, err := reflowPath()
	if err != nil {
		return engine.Config{}, infraError(fmt.Errorf("cannot find the reflow binary for workers: %w", err))
	}
	verify := rf.verify
	if verify == "" {
		verify = site.Cache.Verify
	}
	if verify != "" && verify != "mtime" && verify != "content" {
		return engine.Config{}, invalidInput(fmt.Errorf("--verify=%s: use mtime or content", verify))
	}
	cfg := engine.Config{
		Store: st, Host: host, Site: site, Reflow: bin,
		VerifyContent: verify == "content", Force: rf.force || site.Cache.Disabled,
		ForceTasks: map[string]bool{}, FailFast: rf.failFast, Mode: "foreground",
	}
	for _, t := range rf.forceTask {
		cfg.ForceTasks[t] = true
	}
	if cfg.PollMin, err = parseDurationSetting("dispatch.poll_interval", site.Dispatch.PollInterval); err != nil {
		return cfg, err
	}
	if cfg.PollMax, err = parseDurationSetting("dispatch.max_poll_interval", site.Dispatch.MaxPollInterval); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func parseDurationSetting(name, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, invalidInput(fmt.Errorf("site config %s = %q: use a duration such as \"5s\" or \"1m\"", name, v))
	}
	return d, nil
}

// dispatchRun runs the dispatcher in the foreground and turns the run's
// end into the exit code.
func dispatchRun(ctx context.Context, cmd *cobra.Command, cfg engine.Config, runID string, b *hclconfig.Bound) error {
	progress := newProgress(cmd.ErrOrStderr())
	var last engine.Summary
	cfg.Progress = func(s engine.Summary) { last = s; progress(s) }
	run, err := engine.Dispatch(ctx, cfg, runID, b)
	if os.Getenv("REFLOW_STATS") != "" {
		printStats(cmd.ErrOrStderr(), last)
	}
	if err != nil {
		return runErr(err)
	}
	switch run.State {
	case store.RunSucceeded:
		fmt.Fprintf(cmd.ErrOrStderr(), "run %s succeeded\n", run.ID)
		return nil
	case store.RunCancelled:
		fmt.Fprintf(cmd.ErrOrStderr(), "run %s cancelled\n", run.ID)
	default:
		fmt.Fprintf(cmd.ErrOrStderr(), "run %s %s: %s\n", run.ID, run.State, run.Reason)
	}
	return &silentExit{code: exitFailed}
}

// failCreated marks a run that was created but never got a dispatcher
// failed, so it does not sit "running" with nobody to drive it.
func failCreated(st *store.Store, runID string, cause error) {
	ctx := context.Background()
	_ = st.Update(ctx, func(tx *store.Tx) error {
		return tx.UpdateRunState(ctx, runID, store.RunFailed, "no dispatcher could be started: "+cause.Error())
	})
}
