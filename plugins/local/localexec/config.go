package localexec

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// config is the plugin's site settings after defaults.
type config struct {
	Slots     int
	StateDir  string
	KillGrace time.Duration
}

// defaultKillGrace is how long a job gets between SIGTERM and SIGKILL; long
// enough for a worker to record that it was terminated, short enough that a
// cancel feels immediate.
const defaultKillGrace = 5 * time.Second

func defaultStateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "reflow", "local")
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, ".local", "state", "reflow", "local")
	}
	// No home (a stripped-down service account): still somewhere private
	// to the user rather than failing every submission.
	return filepath.Join(os.TempDir(), fmt.Sprintf("reflow-local-%d", os.Getuid()))
}

func defaultConfig() config {
	return config{Slots: runtime.NumCPU(), StateDir: defaultStateDir(), KillGrace: defaultKillGrace}
}

func settingsSchema() []pluginapi.Setting {
	return []pluginapi.Setting{
		{Name: "slots", Type: pluginapi.SettingNumber,
			Description: "CPUs the local executor hands out: the cpus of all running jobs never exceed it.",
			Default:     "number of CPUs"},
		{Name: "state_dir", Type: pluginapi.SettingString,
			Description: "Directory holding job state, so jobs survive the plugin and a new plugin reattaches.",
			Default:     "$XDG_STATE_HOME/reflow/local or ~/.local/state/reflow/local"},
		{Name: "kill_grace", Type: pluginapi.SettingString,
			Description: "Time between SIGTERM and SIGKILL when a job is cancelled or exceeds its time limit.",
			Default:     defaultKillGrace.String()},
	}
}

// rawSettings is what sdk.DecodeSettings fills (it refuses unknown keys and
// wrong types); pointers tell "not set" from a zero value.
type rawSettings struct {
	Slots     *float64 `json:"slots"`
	StateDir  *string  `json:"state_dir"`
	KillGrace *string  `json:"kill_grace"`
}

// decodeConfig checks the settings and applies defaults. Every problem is
// a diagnostic naming settings.<key>.
func decodeConfig(settings map[string]any) (config, pluginapi.Diagnostics) {
	cfg := defaultConfig()
	var raw rawSettings
	diags := sdk.DecodeSettings(settings, &raw)
	// A value of the wrong type may still leave its field set (to a zero
	// value); it has its diagnostic already, so do not judge it again.
	for _, d := range diags {
		switch d.Attribute {
		case "settings.slots":
			raw.Slots = nil
		case "settings.state_dir":
			raw.StateDir = nil
		case "settings.kill_grace":
			raw.KillGrace = nil
		}
	}
	if raw.Slots != nil {
		n := *raw.Slots
		switch {
		case n != float64(int(n)) || n < 1:
			diags = diags.Errorf("settings.slots", "slots must be a whole number of at least 1, not %v", n)
		case n > 1<<20:
			diags = diags.Errorf("settings.slots", "slots %v is implausibly large", n)
		default:
			cfg.Slots = int(n)
		}
	}
	if raw.StateDir != nil {
		d := *raw.StateDir
		if d == "" {
			diags = diags.Errorf("settings.state_dir", "state_dir must not be empty")
		} else if abs, err := filepath.Abs(d); err != nil {
			diags = diags.Errorf("settings.state_dir", "state_dir %q: %v", d, err)
		} else {
			cfg.StateDir = abs
		}
	}
	if raw.KillGrace != nil {
		// Go's form first: a grace is short and people write "500ms" or
		// "0s"; the SDK's form covers "00:00:10" and friends.
		g, err := time.ParseDuration(*raw.KillGrace)
		if err != nil {
			g, err = sdk.ParseDuration(*raw.KillGrace)
		}
		if err != nil || g < 0 {
			diags = diags.Errorf("settings.kill_grace", "kill_grace %q is not a duration such as \"5s\"", *raw.KillGrace)
		} else {
			cfg.KillGrace = g
		}
	}
	if !diags.HasErrors() {
		if err := os.MkdirAll(filepath.Join(cfg.StateDir, "jobs"), 0o755); err != nil {
			diags = diags.Errorf("settings.state_dir", "cannot create the state directory: %v", err)
		}
	}
	return cfg, diags
}
