package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/core/engine"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
)

// This file is the CLI side of dispatchers that run as scheduler jobs
// (core/engine/detach.go): which mode --detach means, what environment the
// dispatcher job takes along, and how a chain link waits for the lease its
// predecessor is about to release.

// detachMode is what --detach means for a run: --mode, then
// $REFLOW_DISPATCH_MODE, then the site's dispatch { mode }; a background
// process on this host when none of them names a job mode. The local
// executor takes only the process.
func detachMode(flag string, site *hclconfig.SiteConfig, executor string) (string, error) {
	mode := ""
	for _, m := range []string{flag, os.Getenv("REFLOW_DISPATCH_MODE"), site.Dispatch.Mode} {
		if m != "" {
			mode = m
			break
		}
	}
	switch mode {
	case "", engine.ModeForeground, "process", engine.ModeProcess:
		return engine.ModeProcess, nil
	case engine.ModeChain, engine.ModeResident:
		if dispatchExecutor(site, executor) == "local" {
			// The local executor starts jobs from its plugin process,
			// which ends with this command: a dispatcher job would never
			// start. Its background process is the same thing anyway.
			return "", invalidInput(fmt.Errorf("--mode %s runs the dispatcher as a scheduler job; the local executor has no scheduler that outlives this command: use --detach alone (a background process on this host)", mode))
		}
		return mode, nil
	}
	return "", invalidInput(fmt.Errorf("--mode %q: use chain, resident or process", mode))
}

// dispatchExecutor is the executor dispatcher jobs go to.
func dispatchExecutor(site *hclconfig.SiteConfig, runExecutor string) string {
	if site.Dispatch.Executor != "" {
		return site.Dispatch.Executor
	}
	return runExecutor
}

// detachFor collects how this run's dispatcher jobs are made.
func detachFor(mode string, site *hclconfig.SiteConfig, st *store.Store, runExecutor string) engine.Detach {
	dt := engine.Detach{Mode: mode, Executor: dispatchExecutor(site, runExecutor), StorePath: st.Path(), Env: dispatcherEnv()}
	var siteRes *hclconfig.Resources
	if ex := site.Executors[dt.Executor]; ex != nil {
		siteRes = ex.Resources
	}
	dt.Resources, dt.Options = engine.RenderResources(hclconfig.MergeResources(siteRes, site.Dispatch.Resources))
	if _, ok := dt.Resources["time"]; !ok && mode == engine.ModeChain {
		// A chain link lingers a few minutes at most.
		dt.Resources["time"] = "30m"
	}
	if d, err := time.ParseDuration(site.Dispatch.ChainFallback); err == nil && d > 0 {
		dt.Fallback = d
	}
	return dt
}

// dispatcherEnv is what a dispatcher job needs of this environment to find
// the same store, site config, plugins and pins, made absolute.
func dispatcherEnv() map[string]string {
	env := map[string]string{"REFLOW_CONFIG": hclconfig.SiteConfigPath()}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case k == "REFLOW_CONFIG", k == "REFLOW_DISPATCH_MODE":
		case strings.HasPrefix(k, "REFLOW_"), k == "XDG_CONFIG_HOME", k == "XDG_STATE_HOME", k == "XDG_DATA_HOME", k == "HOME", k == "PATH":
			env[k] = v
		}
	}
	return env
}

// leaseWait is how long a dispatcher job waits for the lease of a
// predecessor that is still finishing its last commit.
const leaseWait = 2 * time.Minute

// stepAside tells a dispatcher job that finds its run taken care of to end
// quietly: the run ended, or a dispatcher that is not part of its chain
// (`reflow resume` in the foreground) drives it.
var errStepAside = errors.New("step aside")

// acquireForJob waits until this dispatcher job may drive the run.
func acquireForJob(ctx context.Context, st *store.Store, runID, holder, mode string) error {
	deadline := time.Now().Add(leaseWait)
	for {
		var run store.Run
		if err := st.View(ctx, func(tx *store.Tx) (err error) { run, err = tx.GetRun(ctx, runID); return err }); err != nil {
			return err
		}
		if run.State != store.RunRunning {
			return errStepAside
		}
		err := st.AcquireLease(ctx, runID, holder, mode, time.Minute)
		var held *store.LeaseHeldError
		switch {
		case err == nil:
			return nil
		case !errors.As(err, &held):
			return err
		case held.Mode != engine.ModeChain && held.Mode != engine.ModeResident:
			return errStepAside
		case time.Now().After(deadline):
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
