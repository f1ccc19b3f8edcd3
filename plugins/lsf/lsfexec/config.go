package lsfexec

import (
	"fmt"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// config is the plugin's site settings after defaults.
type config struct {
	Queue    string
	Project  string
	BsubArgs []string
	Bsub     string
	Bjobs    string
	Bkill    string
	// MemUnit is LSF_UNIT_FOR_LIMITS: the unit of the bare numbers the
	// plugin writes for -M and rusage[mem=].
	MemUnit sdk.MemoryUnit
	// ReservePerTask mirrors lsb.params RESOURCE_RESERVE_PER_TASK=Y: the
	// rusage[mem=] reservation counts per task (slot), so the job's memory
	// is divided among the slots on a host.
	ReservePerTask bool
	// MemLimit writes -M (the enforced limit) besides the reservation.
	MemLimit     bool
	MaxArraySize int
	// HistoryGrace is how long after its submission a job bjobs does not
	// list is still "unknown" rather than "vanished".
	HistoryGrace time.Duration
	// JSON selects bjobs -json; otherwise -noheader -o with a delimiter.
	JSON           bool
	CommandTimeout time.Duration
	// Flavor, when set, is reported instead of detecting it with bsub -V.
	Flavor string
}

// Defaults from the facts page: LSF_UNIT_FOR_LIMITS is KB when unset,
// MAX_JOB_ARRAY_SIZE is 1000.
const (
	defaultMaxArraySize = 1000
	// defaultHistoryGrace covers mbatchd's lag in listing a new job. It is
	// below the engine's own 30s for "unknown" jobs, which fails them
	// without reading their result files, while "vanished" (failed) lets
	// the engine read them.
	defaultHistoryGrace = 20 * time.Second
)

func defaultConfig() config {
	return config{
		Bsub: "bsub", Bjobs: "bjobs", Bkill: "bkill",
		MemUnit: sdk.Kilobyte, MemLimit: true, MaxArraySize: defaultMaxArraySize,
		HistoryGrace: defaultHistoryGrace, JSON: true, CommandTimeout: sdk.DefaultCommandTimeout,
	}
}

func settingsSchema() []pluginapi.Setting {
	return []pluginapi.Setting{
		{Name: "queue", Type: pluginapi.SettingString,
			Description: "Queue (bsub -q) for jobs whose resources name no partition/queue.", Default: "LSF's default queue"},
		{Name: "project", Type: pluginapi.SettingString,
			Description: "Project (bsub -P) for jobs whose resources name no account/project.", Default: "none"},
		{Name: "bsub_args", Type: pluginapi.SettingStringList,
			Description: `Extra bsub options for every job, on the command line (they override the script's #BSUB lines), e.g. ["-G", "mygroup"].`, Default: "[]"},
		{Name: "bsub", Type: pluginapi.SettingString, Description: "The bsub command.", Default: "bsub"},
		{Name: "bjobs", Type: pluginapi.SettingString, Description: "The bjobs command.", Default: "bjobs"},
		{Name: "bkill", Type: pluginapi.SettingString, Description: "The bkill command.", Default: "bkill"},
		{Name: "mem_unit", Type: pluginapi.SettingString,
			Description: "The site's LSF_UNIT_FOR_LIMITS (KB, MB, GB, ...): the unit of the numbers written for -M and rusage[mem=].", Default: "KB"},
		{Name: "reserve_per_task", Type: pluginapi.SettingBool,
			Description: "Set when lsb.params has RESOURCE_RESERVE_PER_TASK=Y: rusage[mem=] then counts per slot, so the job's memory is divided among its slots on a host.", Default: "false"},
		{Name: "mem_limit", Type: pluginapi.SettingBool,
			Description: "Write -M (the memory limit LSF enforces) besides the rusage[mem=] reservation.", Default: "true"},
		{Name: "max_array_size", Type: pluginapi.SettingNumber,
			Description: "The site's MAX_JOB_ARRAY_SIZE (lsb.params); larger arrays are split by reflow.", Default: "1000"},
		{Name: "history_grace", Type: pluginapi.SettingString,
			Description: "How long after submission a job that bjobs does not list is reported unknown; after it, vanished (failed).", Default: defaultHistoryGrace.String()},
		{Name: "bjobs_format", Type: pluginapi.SettingString,
			Description: `"json" (bjobs -json -o ...) or "delimited" (bjobs -noheader -o "... delimiter='|'").`, Default: "json"},
		{Name: "command_timeout", Type: pluginapi.SettingString,
			Description: "How long one bsub, bjobs or bkill call may take.", Default: sdk.DefaultCommandTimeout.String()},
		{Name: "flavor", Type: pluginapi.SettingString,
			Description: "The LSF flavour and version to report instead of asking bsub -V, e.g. \"IBM Spectrum LSF 10.1.0.13\".", Default: "detected"},
	}
}

// rawSettings is what sdk.DecodeSettings fills; pointers tell "not set"
// from a zero value.
type rawSettings struct {
	Queue          *string  `json:"queue"`
	Project        *string  `json:"project"`
	BsubArgs       []string `json:"bsub_args"`
	Bsub           *string  `json:"bsub"`
	Bjobs          *string  `json:"bjobs"`
	Bkill          *string  `json:"bkill"`
	MemUnit        *string  `json:"mem_unit"`
	ReservePerTask *bool    `json:"reserve_per_task"`
	MemLimit       *bool    `json:"mem_limit"`
	MaxArraySize   *float64 `json:"max_array_size"`
	HistoryGrace   *string  `json:"history_grace"`
	BjobsFormat    *string  `json:"bjobs_format"`
	CommandTimeout *string  `json:"command_timeout"`
	Flavor         *string  `json:"flavor"`
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
	str := func(p *string, dst *string, key string, emptyOK bool) {
		if p == nil {
			return
		}
		v := strings.TrimSpace(*p)
		if v == "" && !emptyOK {
			diags = diags.Errorf("settings."+key, "%s must not be empty", key)
			return
		}
		*dst = v
	}
	str(raw.Queue, &cfg.Queue, "queue", true)
	str(raw.Project, &cfg.Project, "project", true)
	str(raw.Bsub, &cfg.Bsub, "bsub", false)
	str(raw.Bjobs, &cfg.Bjobs, "bjobs", false)
	str(raw.Bkill, &cfg.Bkill, "bkill", false)
	str(raw.Flavor, &cfg.Flavor, "flavor", true)
	if strings.ContainsAny(cfg.Queue, "\n\"'") {
		diags = diags.Errorf("settings.queue", "queue %q is not a queue name", cfg.Queue)
	}
	for i, a := range raw.BsubArgs {
		if a == "" || strings.ContainsAny(a, "\n\x00") {
			diags = diags.Errorf(fmt.Sprintf("settings.bsub_args[%d]", i), "bsub_args entries must be non-empty words without newlines")
		}
	}
	cfg.BsubArgs = raw.BsubArgs
	if raw.MemUnit != nil {
		u, err := sdk.ParseMemoryUnit(*raw.MemUnit)
		if err != nil || u < sdk.Kilobyte {
			diags = diags.Errorf("settings.mem_unit", "mem_unit %q is not an LSF_UNIT_FOR_LIMITS unit: want KB, MB, GB, TB or PB", *raw.MemUnit)
		} else {
			cfg.MemUnit = u
		}
	}
	if raw.ReservePerTask != nil {
		cfg.ReservePerTask = *raw.ReservePerTask
	}
	if raw.MemLimit != nil {
		cfg.MemLimit = *raw.MemLimit
	}
	if raw.MaxArraySize != nil {
		n := *raw.MaxArraySize
		if n != float64(int(n)) || n < 1 || n > 2147483646 {
			diags = diags.Errorf("settings.max_array_size", "max_array_size must be a whole number from 1 to 2147483646 (MAX_JOB_ARRAY_SIZE), not %v", n)
		} else {
			cfg.MaxArraySize = int(n)
		}
	}
	dur := func(p *string, dst *time.Duration, key string) {
		if p == nil {
			return
		}
		d, err := time.ParseDuration(*p)
		if err != nil {
			d, err = sdk.ParseDuration(*p)
		}
		if err != nil || d <= 0 {
			diags = diags.Errorf("settings."+key, "%s %q is not a positive duration such as \"1m\"", key, *p)
			return
		}
		*dst = d
	}
	dur(raw.HistoryGrace, &cfg.HistoryGrace, "history_grace")
	dur(raw.CommandTimeout, &cfg.CommandTimeout, "command_timeout")
	if raw.BjobsFormat != nil {
		switch *raw.BjobsFormat {
		case "json":
			cfg.JSON = true
		case "delimited":
			cfg.JSON = false
		default:
			diags = diags.Errorf("settings.bjobs_format", "bjobs_format must be \"json\" or \"delimited\", not %q", *raw.BjobsFormat)
		}
	}
	return cfg, diags
}
