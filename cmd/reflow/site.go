package main

import (
	"io"

	"github.com/reflow-hpc/reflow/core/pluginhost"
	"github.com/reflow-hpc/reflow/hclconfig"
)

// loadSite reads the site config ($REFLOW_CONFIG, else the user's config
// dir). Its diagnostics go to stderr with source snippets; a broken config
// is invalid input.
func loadSite(stderr io.Writer) (*hclconfig.SiteConfig, error) {
	cfg, files, diags := hclconfig.LoadSiteConfig(hclconfig.SiteConfigPath())
	if diags.HasErrors() {
		hclconfig.WriteDiagnostics(stderr, files, diags)
		return nil, &silentExit{code: exitInvalid}
	}
	return cfg, nil
}

// lockPathFor picks the plugin lock file: the --lockfile flag, else the
// config's plugins { lock_file }, else plugins.lock.json beside the config.
func lockPathFor(cfg *hclconfig.SiteConfig, flag string) string {
	switch {
	case flag != "":
		return flag
	case cfg.Plugins.LockFile != "":
		return cfg.Plugins.LockFile
	}
	return pluginhost.DefaultLockPath()
}

// hostOptions turns the site config into plugin host options: the plugin
// directories, the pins, and each executor's settings.
func hostOptions(cfg *hclconfig.SiteConfig, lock *pluginhost.Lock) pluginhost.Options {
	settings := map[string]map[string]any{}
	for name, ex := range cfg.Executors {
		settings[name] = ex.Settings
	}
	return pluginhost.Options{Dirs: cfg.Plugins.Dirs, Lock: lock, Settings: settings}
}
