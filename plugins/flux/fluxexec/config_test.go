package fluxexec

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/pluginapi"
)

func TestDecodeConfig(t *testing.T) {
	cfg, diags := decodeConfig(map[string]any{
		"flux": "/opt/flux/bin/flux", "queue": "batch", "bank": "physics", "extra_args": []any{"--requires=host:a"},
		"submit_command": "batch", "history_grace": "5m", "flux_version": "0.60.0", "max_array_size": float64(100),
		"script_dir": "/shared/scripts", "command_timeout": "30s",
	})
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	want := config{Flux: "/opt/flux/bin/flux", Queue: "batch", Bank: "physics", ExtraArgs: []string{"--requires=host:a"},
		SubmitCommand: "batch", HistoryGrace: 5 * time.Minute, FluxVersion: "0.60.0", MaxArraySize: 100,
		ScriptDir: "/shared/scripts", CommandTimeout: 30 * time.Second}
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("decodeConfig (-want +got):\n%s", diff)
	}
}

func TestDecodeConfigDiagnostics(t *testing.T) {
	tests := []struct {
		settings map[string]any
		attr     string
	}{
		{map[string]any{"submit_command": "run"}, "settings.submit_command"},
		{map[string]any{"history_grace": "soon"}, "settings.history_grace"},
		{map[string]any{"command_timeout": "0s"}, "settings.command_timeout"},
		{map[string]any{"max_array_size": float64(0)}, "settings.max_array_size"},
		{map[string]any{"max_array_size": 2.5}, "settings.max_array_size"},
		{map[string]any{"script_dir": "relative/dir"}, "settings.script_dir"},
		{map[string]any{"flux_version": "new"}, "settings.flux_version"},
		{map[string]any{"queue": ""}, "settings.queue"},
		{map[string]any{"queue": 3.0}, "settings.queue"},
		{map[string]any{"acount": "x"}, "settings.acount"},
	}
	for _, tt := range tests {
		_, diags := decodeConfig(tt.settings)
		found := false
		for _, d := range diags {
			found = found || d.Severity == pluginapi.Error && d.Attribute == tt.attr
		}
		if !found {
			t.Errorf("decodeConfig(%v): want an error about %s, got %v", tt.settings, tt.attr, diags)
		}
	}
}

func TestConfigureVersionOverride(t *testing.T) {
	e := New()
	resp, err := e.Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: map[string]any{"flux_version": "0.60.0", "flux": "/nonexistent/flux"}})
	if err != nil || resp.Diagnostics.HasErrors() {
		t.Fatalf("Configure: %v %v", err, resp.Diagnostics)
	}
	info, _ := e.Info(context.Background(), nil)
	if info.Flavor != "flux-core 0.60.0" || e.bankAsOption() {
		t.Errorf("flavor %q, --bank %v; want flux-core 0.60.0 without --bank", info.Flavor, e.bankAsOption())
	}
	// Without an override and without a flux to ask: a warning, not an error.
	e = New()
	resp, _ = e.Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: map[string]any{"flux": "/nonexistent/flux"}})
	if resp.Diagnostics.HasErrors() || len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Attribute != "settings.flux" {
		t.Errorf("Configure without a flux command: want one warning about settings.flux, got %v", resp.Diagnostics)
	}
	if !e.bankAsOption() {
		t.Errorf("an undetected release should be assumed to take --bank")
	}
}
