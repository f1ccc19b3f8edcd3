package fluxexec

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// Submission commands (the submit_command setting).
const (
	modeAuto   = "auto"   // flux submit for one-task jobs, flux batch for the rest
	modeBatch  = "batch"  // always flux batch
	modeSubmit = "submit" // always flux submit (one task per job)
)

// config is the plugin's site settings after defaults.
type config struct {
	Flux           string
	Queue          string
	Bank           string
	ExtraArgs      []string
	SubmitCommand  string
	HistoryGrace   time.Duration
	FluxVersion    string // the site's override; "" to detect
	MaxArraySize   int
	ScriptDir      string
	CommandTimeout time.Duration
}

const (
	defaultHistoryGrace   = 60 * time.Second
	defaultMaxArraySize   = 256
	defaultCommandTimeout = 60 * time.Second
)

func defaultConfig() config {
	return config{Flux: "flux", SubmitCommand: modeAuto, HistoryGrace: defaultHistoryGrace,
		MaxArraySize: defaultMaxArraySize, CommandTimeout: defaultCommandTimeout}
}

func settingsSchema() []pluginapi.Setting {
	return []pluginapi.Setting{
		{Name: "flux", Type: pluginapi.SettingString, Default: "flux",
			Description: "The flux command (a name looked up in PATH, or a path)."},
		{Name: "queue", Type: pluginapi.SettingString,
			Description: "Queue for jobs that name none (--queue); a job's partition/queue resource wins."},
		{Name: "bank", Type: pluginapi.SettingString,
			Description: "Bank (flux-accounting) for jobs that name no account; a job's account resource wins."},
		{Name: "extra_args", Type: pluginapi.SettingStringList,
			Description: "Arguments added to every flux submit/batch command line, before the job's command."},
		{Name: "submit_command", Type: pluginapi.SettingString, Default: modeAuto,
			Description: `"auto" (flux submit for one-task jobs, flux batch for jobs with several tasks or nodes), "batch" or "submit".`},
		{Name: "history_grace", Type: pluginapi.SettingString, Default: defaultHistoryGrace.String(),
			Description: "How long a job this plugin submitted may be missing from flux jobs before Poll reports it vanished (purged)."},
		{Name: "flux_version", Type: pluginapi.SettingString, Default: "detected with `flux version`",
			Description: "The flux-core release to assume, e.g. \"0.60.0\" (decides --bank or --setattr=bank)."},
		{Name: "max_array_size", Type: pluginapi.SettingNumber, Default: fmt.Sprint(defaultMaxArraySize),
			Description: "Most elements one array submission carries; the engine splits larger arrays. Each element's id is kept in the handle."},
		{Name: "script_dir", Type: pluginapi.SettingString, Default: "the directory of the job's stdout file",
			Description: "Where job scripts are written; must be visible to the compute nodes."},
		{Name: "command_timeout", Type: pluginapi.SettingString, Default: defaultCommandTimeout.String(),
			Description: "How long one flux command may take."},
	}
}

// rawSettings is what sdk.DecodeSettings fills; pointers tell "not set"
// from a zero value.
type rawSettings struct {
	Flux           *string  `json:"flux"`
	Queue          *string  `json:"queue"`
	Bank           *string  `json:"bank"`
	ExtraArgs      []string `json:"extra_args"`
	SubmitCommand  *string  `json:"submit_command"`
	HistoryGrace   *string  `json:"history_grace"`
	FluxVersion    *string  `json:"flux_version"`
	MaxArraySize   *float64 `json:"max_array_size"`
	ScriptDir      *string  `json:"script_dir"`
	CommandTimeout *string  `json:"command_timeout"`
}

// decodeConfig checks the settings and applies defaults; every problem is
// a diagnostic naming settings.<key>.
func decodeConfig(settings map[string]any) (config, pluginapi.Diagnostics) {
	cfg := defaultConfig()
	var raw rawSettings
	diags := sdk.DecodeSettings(settings, &raw)
	if diags.HasErrors() {
		return cfg, diags
	}
	str := func(p *string, dst *string, key string) {
		if p == nil {
			return
		}
		if *p == "" {
			diags = diags.Errorf("settings."+key, "%s must not be empty; leave it out for the default", key)
			return
		}
		*dst = *p
	}
	str(raw.Flux, &cfg.Flux, "flux")
	str(raw.Queue, &cfg.Queue, "queue")
	str(raw.Bank, &cfg.Bank, "bank")
	str(raw.FluxVersion, &cfg.FluxVersion, "flux_version")
	cfg.ExtraArgs = raw.ExtraArgs
	if raw.SubmitCommand != nil {
		switch *raw.SubmitCommand {
		case modeAuto, modeBatch, modeSubmit:
			cfg.SubmitCommand = *raw.SubmitCommand
		default:
			diags = diags.Errorf("settings.submit_command", "submit_command must be \"auto\", \"batch\" or \"submit\", not %q", *raw.SubmitCommand)
		}
	}
	dur := func(p *string, dst *time.Duration, key string, zeroOK bool) {
		if p == nil {
			return
		}
		d, err := time.ParseDuration(*p)
		if err != nil {
			d, err = sdk.ParseDuration(*p)
		}
		if err != nil || d < 0 || (d == 0 && !zeroOK) {
			diags = diags.Errorf("settings."+key, "%s %q is not a duration such as \"60s\"", key, *p)
			return
		}
		*dst = d
	}
	dur(raw.HistoryGrace, &cfg.HistoryGrace, "history_grace", true)
	dur(raw.CommandTimeout, &cfg.CommandTimeout, "command_timeout", false)
	if raw.MaxArraySize != nil {
		n := *raw.MaxArraySize
		if n != float64(int(n)) || n < 1 || n > 100000 {
			diags = diags.Errorf("settings.max_array_size", "max_array_size must be a whole number from 1 to 100000, not %v", n)
		} else {
			cfg.MaxArraySize = int(n)
		}
	}
	if raw.ScriptDir != nil {
		if !filepath.IsAbs(*raw.ScriptDir) {
			diags = diags.Errorf("settings.script_dir", "script_dir must be an absolute path, not %q", *raw.ScriptDir)
		} else {
			cfg.ScriptDir = filepath.Clean(*raw.ScriptDir)
		}
	}
	if cfg.FluxVersion != "" {
		if _, err := parseVersion(cfg.FluxVersion); err != nil {
			diags = diags.Errorf("settings.flux_version", "%v", err)
		}
	}
	return cfg, diags
}
