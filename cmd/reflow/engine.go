package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/hashicorp/go-hclog"

	"github.com/reflow-hpc/reflow/core/engine"
	"github.com/reflow-hpc/reflow/core/pluginhost"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
)

// openStore opens the manifest store: --store, then $REFLOW_STORE, then the
// site config, then the XDG data directory (created when missing).
func openStore(ctx context.Context, flag string, site *hclconfig.SiteConfig) (*store.Store, error) {
	path, err := store.ResolvePath(flag, site.Store.Path)
	if err != nil {
		return nil, infraError(err)
	}
	mode := store.JournalMode(site.Store.JournalMode)
	st, err := store.Open(ctx, path, store.Options{JournalMode: mode, CreateDir: flag == ""})
	if err != nil {
		return nil, infraError(err)
	}
	return st, nil
}

// newHost makes the plugin host for a run, with the site's plugin dirs,
// pins and executor settings, and plugin logs on stderr.
func newHost(site *hclconfig.SiteConfig) (*pluginhost.Host, error) {
	lock, err := pluginhost.ReadLock(lockPathFor(site, ""))
	if err != nil {
		return nil, infraError(err)
	}
	opts := hostOptions(site, lock)
	opts.Logger = hclog.New(&hclog.LoggerOptions{Name: "reflow", Output: os.Stderr,
		Level: hclog.LevelFromString(envOrDefault("REFLOW_LOG", "warn"))})
	return pluginhost.New(opts), nil
}

func envOrDefault(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// reflowPath is the reflow program workers run: the one running now, as it
// was invoked (not through symlinks, so a site's wrapper keeps working).
func reflowPath() (string, error) {
	arg0 := os.Args[0]
	if !strings.Contains(arg0, "/") {
		p, err := exec.LookPath(arg0)
		if err != nil {
			return os.Executable()
		}
		arg0 = p
	}
	return filepath.Abs(arg0)
}

// runErr maps an engine error to the CLI's exit codes: a held lease or a
// changed workflow is the user's to resolve (2); the rest is infrastructure.
func runErr(err error) error {
	var held *store.LeaseHeldError
	if errors.As(err, &held) {
		return invalidInput(err)
	}
	return infraError(err)
}

// engineFor starts the plugin host and builds the dispatcher's config for a
// command that dispatches or plans (apply, plan, dispatch, resume, retry).
// done ends the plugins it started.
func engineFor(rf *runFlags, site *hclconfig.SiteConfig, st *store.Store) (cfg engine.Config, done func(), err error) {
	host, err := newHost(site)
	if err != nil {
		return engine.Config{}, nil, err
	}
	cfg, err = engineConfig(rf, site, st, host)
	if err != nil {
		host.Close()
		return engine.Config{}, nil, err
	}
	return cfg, host.Close, nil
}
