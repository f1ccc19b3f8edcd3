package slurmexec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/pluginapi"
)

func TestDecodeConfig(t *testing.T) {
	got, diags := decodeConfig(map[string]any{
		"account": " lab ", "partition": "short", "qos": "normal",
		"sbatch_args": []any{"-p", "debug", "--exclusive"}, "sbatch_path": "/opt/slurm/bin/sbatch",
		"max_array_size": 500.0, "accounting": "NO", "vanish_grace": "2m", "command_timeout": "30s",
	})
	if diags.HasErrors() {
		t.Fatalf("diagnostics: %v", diags)
	}
	want := defaultConfig()
	want.Account, want.Partition, want.QOS = "lab", "short", "normal"
	want.SbatchArgs = []string{"-p", "debug", "--exclusive"}
	want.Sbatch = "/opt/slurm/bin/sbatch"
	want.MaxArraySize, want.Accounting = 500, "no"
	want.VanishGrace, want.CommandTimeout = 2*time.Minute, 30*time.Second
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

func TestDecodeConfigErrors(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]any
		attr     string
		detail   string // in the summary or detail
	}{
		{"misspelt key", map[string]any{"acount": "x"}, "settings.acount", `Did you mean "account"`},
		{"wrong type", map[string]any{"max_array_size": "big"}, "settings.max_array_size", "number"},
		{"fraction", map[string]any{"max_array_size": 1.5}, "settings.max_array_size", "whole number"},
		{"zero", map[string]any{"max_array_size": 0.0}, "settings.max_array_size", "at least 1"},
		{"accounting", map[string]any{"accounting": "maybe"}, "settings.accounting", `"auto", "yes" or "no"`},
		{"grace", map[string]any{"vanish_grace": "soon"}, "settings.vanish_grace", "duration"},
		{"timeout too short", map[string]any{"command_timeout": "10ms"}, "settings.command_timeout", "at least 1s"},
		{"empty path", map[string]any{"squeue_path": ""}, "settings.squeue_path", "empty"},
		{"owned sbatch arg", map[string]any{"sbatch_args": []any{"--array=1-3"}}, "settings.sbatch_args[0]", "--array"},
		{"owned short sbatch arg", map[string]any{"sbatch_args": []any{"--exclusive", "-J", "x"}}, "settings.sbatch_args[1]", "--job-name"},
		{"sbatch arg with newline", map[string]any{"sbatch_args": []any{"--comment", "a\nb"}}, "settings.sbatch_args[1]", "line break"},
		{"quote in account", map[string]any{"account": `a"b`}, "settings.account", "double quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := decodeConfig(tt.settings)
			found := false
			for _, d := range diags {
				if d.Severity == pluginapi.Error && d.Attribute == tt.attr && strings.Contains(d.Summary+" "+d.Detail, tt.detail) {
					found = true
				}
			}
			if !found {
				t.Errorf("want an error about %s mentioning %q, got %v", tt.attr, tt.detail, diags)
			}
		})
	}
}

// Configure reads the cluster: Info then reports Slurm's version and
// MaxArraySize, and a max_array_size above the cluster's is refused.
func TestConfigureReadsCluster(t *testing.T) {
	f := newFakeSlurm(t)
	e := New()
	ctx := context.Background()
	resp, err := e.Configure(ctx, &pluginapi.ConfigureRequest{Settings: f.settings(map[string]any{"max_array_size": 5000.0})})
	if err != nil {
		t.Fatal(err)
	}
	if !hasError(resp.Diagnostics, "settings.max_array_size") {
		t.Errorf("max_array_size 5000 on a cluster with MaxArraySize 1001: want an error, got %v", resp.Diagnostics)
	}
	resp, err = e.Configure(ctx, &pluginapi.ConfigureRequest{Settings: f.settings(map[string]any{"max_array_size": 300.0})})
	if err != nil || resp.Diagnostics.HasErrors() {
		t.Fatalf("Configure: %v %v", err, resp.Diagnostics)
	}
	info, err := e.Info(ctx, &pluginapi.InfoRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Flavor != "slurm 22.05.8" || info.Capabilities.MaxArraySize != 300 {
		t.Errorf("Info: flavor %q, MaxArraySize %d; want slurm 22.05.8 and 300", info.Flavor, info.Capabilities.MaxArraySize)
	}
}

// A controller that does not answer is a warning at Configure, and Info
// falls back to Slurm's default MaxArraySize.
func TestConfigureWithoutController(t *testing.T) {
	f := newFakeSlurm(t)
	os.Remove(filepath.Join(f.dir, "scontrol.config.out")) // no canned configuration: scontrol fails
	f.set("scontrol", "", "slurm_load_ctl_conf error: Unable to contact slurm controller (connect failure)", 1)
	e := New()
	resp, err := e.Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: f.settings(nil)})
	if err != nil || resp.Diagnostics.HasErrors() {
		t.Fatalf("Configure: %v %v", err, resp.Diagnostics)
	}
	if len(resp.Diagnostics) == 0 || !strings.Contains(resp.Diagnostics[0].Summary, "Unable to contact") {
		t.Errorf("want a warning carrying scontrol's complaint, got %v", resp.Diagnostics)
	}
	info, _ := e.Info(context.Background(), &pluginapi.InfoRequest{})
	if info.Capabilities.MaxArraySize != defaultMaxArraySize {
		t.Errorf("MaxArraySize %d, want the default %d", info.Capabilities.MaxArraySize, defaultMaxArraySize)
	}
}

func TestInfo(t *testing.T) {
	e := newFakeSlurm(t).executor(nil)
	info, err := e.Info(context.Background(), &pluginapi.InfoRequest{})
	if err != nil {
		t.Fatal(err)
	}
	c := info.Capabilities
	if !c.Arrays || c.MaxArraySize != 1001 || c.ArrayIndexBase != 0 || !c.Throttle || !c.AnyOf || len(c.Dependencies) != 3 {
		t.Errorf("capabilities %+v", c)
	}
	aliases := map[string]string{}
	for _, k := range info.ResourceKeys {
		for _, a := range k.Aliases {
			aliases[a] = k.Name
		}
	}
	for alias, key := range map[string]string{"queue": "partition", "project": "account", "walltime": "time", "memory": "mem", "ntasks": "tasks"} {
		if aliases[alias] != key {
			t.Errorf("alias %s → %q, want %s", alias, aliases[alias], key)
		}
	}
	var names []string
	for _, s := range info.Settings {
		names = append(names, s.Name)
	}
	want := []string{"account", "partition", "qos", "sbatch_args", "sbatch_path", "squeue_path", "sacct_path",
		"scancel_path", "scontrol_path", "max_array_size", "accounting", "vanish_grace", "command_timeout"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
}
