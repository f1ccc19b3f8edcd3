package fluxexec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// TestRefusal maps Flux's refusals (literal stderr from the facts page)
// to the attribute at fault.
func TestRefusal(t *testing.T) {
	p := &plan{depIDs: [][]uint64{{99}, {123456, 7}}}
	argv := []string{"flux", "submit", "true"}
	exit1 := &sdk.CommandError{ExitCode: 1, Err: errors.New("exit status 1")}
	tests := []struct {
		stderr string
		attr   string
		retry  bool
	}{
		{string(readTestdata(t, "submit_dep_not_found.stderr")), "dependencies[1].handle", false},
		{string(readTestdata(t, "submit_bad_duration.stderr")), "resources.time", false},
		{"flux-submit: ERROR: node count must not be greater than task count\n", "resources.nodes", false},
		{"usage: flux submit [OPTIONS...] COMMAND [ARGS...]\nflux submit: error: unrecognized arguments: --frobnicate\n", "options", false},
		{"[Errno 22] user has max active jobs\n", "", true},
		{"flux-submit: ERROR: something new\n", "", false},
	}
	for _, tt := range tests {
		diags, retry := refusal(argv, exit1, sdk.Result{Stderr: []byte(tt.stderr)}, p)
		if retry != tt.retry || len(diags) != 1 || diags[0].Attribute != tt.attr || diags[0].Severity != pluginapi.Error {
			t.Errorf("refusal(%q) = %v, retry %v; want one error about %q, retry %v", tt.stderr, diags, retry, tt.attr, tt.retry)
		}
	}
	// A flux that cannot start at all is the setting's fault.
	diags, _ := refusal(argv, &sdk.CommandError{ExitCode: -1, Err: errors.New("exec: not found")}, sdk.Result{}, p)
	if len(diags) != 1 || diags[0].Attribute != "settings.flux" {
		t.Errorf("flux missing: %v", diags)
	}
}

// TestCancelNoise checks that flux cancel's complaints about ended and
// unknown jobs are not errors, and that anything else names the handle.
func TestCancelNoise(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "flux")
	noise := filepath.Join("testdata", "cancel_noise.stderr")
	abs, _ := filepath.Abs(noise)
	os.WriteFile(fake, []byte("#!/bin/sh\ncat "+abs+" >&2\n[ -n \"$EXTRA\" ] && echo \"flux-cancel: ERROR: f2: Permission denied\" >&2\nexit 1\n"), 0o755)
	e := configured(t, map[string]any{"flux": fake})
	hs := []pluginapi.Handle{{ID: "f2X5ZfEk9"}, {ID: "f2X5ZfEkA"}, {ID: "1"}}
	r, err := e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: hs})
	if err != nil || len(r.Diagnostics) != 0 {
		t.Errorf("inactive and unknown jobs: %v %v; want no diagnostics", err, r.Diagnostics)
	}
	t.Setenv("EXTRA", "1")
	r, _ = e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: hs})
	if len(r.Diagnostics) != 1 || r.Diagnostics[0].Attribute != "handles[2]" {
		t.Errorf("a refusal for job f2 (id 1): %v; want one error about handles[2]", r.Diagnostics)
	}
}
