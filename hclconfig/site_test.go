package hclconfig

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadSiteConfig(t *testing.T) {
	path := "testdata/site/config.hcl"
	cfg, _, diags := LoadSiteConfig(path)
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	dir, _ := filepath.Abs("testdata/site")
	want := &SiteConfig{
		File:            path,
		DefaultExecutor: "slurm",
		Store:           StoreConfig{Path: filepath.Join(dir, "db/manifest.db")},
		Executors: map[string]*ExecutorConfig{
			"slurm": {
				Name: "slurm",
				// Settings reach plugins as JSON-compatible values.
				Settings: map[string]any{
					"account": "proj42", "partition": "short", "sbatch": "/opt/slurm/bin/sbatch",
					"poll_batch": float64(1000), "use_arrays": true,
					"extra_args": []any{"--exclusive", "--mail-type=NONE"},
				},
				Resources: &Resources{Values: map[string]any{"account": "proj42", "time": "1h"}},
				MaxQueued: 500,
			},
			"local": {Name: "local", Settings: map[string]any{}},
		},
		Dispatch: DispatchConfig{Mode: "chain", PollInterval: "10s",
			Resources: &Resources{Values: map[string]any{"cpus": float64(1), "mem": "512M"}}},
		Plugins: PluginsConfig{Dirs: []string{filepath.Join(dir, "plugins"), "/opt/reflow/plugins"},
			LockFile: filepath.Join(dir, "plugins.lock")},
		Cache: CacheConfig{Verify: "content"},
	}
	ignoreRanges := cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".DeclRange" }, cmp.Ignore())
	if diff := cmp.Diff(want, cfg, ignoreRanges); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLoadSiteConfigMissingIsEmpty(t *testing.T) {
	cfg, _, diags := LoadSiteConfig(filepath.Join(t.TempDir(), "none.hcl"))
	if len(diags) > 0 || cfg.File != "" || len(cfg.Executors) != 0 {
		t.Fatalf("got %+v, %v", cfg, diags)
	}
}

func TestLoadSiteConfigErrors(t *testing.T) {
	_, files, diags := LoadSiteConfig("testdata/site/bad.hcl")
	var buf bytes.Buffer
	_ = WriteDiagnostics(&buf, files, diags)
	golden(t, "testdata/site/bad.golden", buf.Bytes())
	if len(diags) != 4 {
		t.Errorf("want 4 problems, got %d:\n%s", len(diags), buf.String())
	}
}

func TestSiteConfigPath(t *testing.T) {
	t.Setenv("REFLOW_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", "/xdg")
	if got := SiteConfigPath(); got != "/xdg/reflow/config.hcl" {
		t.Errorf("got %s", got)
	}
	t.Setenv("REFLOW_CONFIG", "/etc/reflow.hcl")
	if got := SiteConfigPath(); got != "/etc/reflow.hcl" {
		t.Errorf("got %s", got)
	}
}
