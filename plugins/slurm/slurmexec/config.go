package slurmexec

import (
	"fmt"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// config is the plugin's site settings after defaults.
type config struct {
	// Account, Partition and QOS apply to jobs that do not set their own.
	Account, Partition, QOS string
	// SbatchArgs go on every sbatch command line after --parsable.
	SbatchArgs []string
	// Paths (or names looked up in $PATH) of the Slurm clients.
	Sbatch, Squeue, Sacct, Scancel, Scontrol string
	// MaxArraySize, when not 0, caps the elements of one array job below
	// what Slurm allows.
	MaxArraySize int
	// Accounting is "auto", "yes" or "no": whether sacct may be asked
	// about jobs that left the queue.
	Accounting string
	// VanishGrace is how long a job this plugin submitted may be missing
	// from the queue, without accounting to ask, before it is reported
	// failed as vanished.
	VanishGrace time.Duration
	// CommandTimeout bounds every Slurm client call.
	CommandTimeout time.Duration
}

// Defaults that are not Slurm's own.
const (
	defaultVanishGrace    = 60 * time.Second
	defaultCommandTimeout = 60 * time.Second
)

func defaultConfig() config {
	return config{
		Sbatch: "sbatch", Squeue: "squeue", Sacct: "sacct", Scancel: "scancel", Scontrol: "scontrol",
		Accounting: "auto", VanishGrace: defaultVanishGrace, CommandTimeout: defaultCommandTimeout,
	}
}

func settingsSchema() []pluginapi.Setting {
	path := func(name string) pluginapi.Setting {
		return pluginapi.Setting{Name: name + "_path", Type: pluginapi.SettingString,
			Description: fmt.Sprintf("The %s command: a path, or a name looked up in $PATH.", name), Default: name}
	}
	return []pluginapi.Setting{
		{Name: "account", Type: pluginapi.SettingString,
			Description: "Account (--account) for jobs that do not set resources.account."},
		{Name: "partition", Type: pluginapi.SettingString,
			Description: "Partition (--partition) for jobs that do not set resources.partition."},
		{Name: "qos", Type: pluginapi.SettingString,
			Description: "Quality of service (--qos) for jobs that do not set resources.qos."},
		{Name: "sbatch_args", Type: pluginapi.SettingStringList,
			Description: `Extra sbatch arguments for every job, one word per item, e.g. ["--exclusive", "--mail-type=FAIL"]. Options the plugin sets itself (--array, --dependency, --output, ...) are refused.`},
		path("sbatch"), path("squeue"), path("sacct"), path("scancel"), path("scontrol"),
		{Name: "max_array_size", Type: pluginapi.SettingNumber,
			Description: "Most elements in one array job; larger arrays are submitted in chunks. Cannot exceed what Slurm allows.",
			Default:     "MaxArraySize from `scontrol show config` (1001 by default)"},
		{Name: "accounting", Type: pluginapi.SettingString,
			Description: `Whether sacct can be asked about jobs that left the queue: "yes", "no" or "auto" (yes unless AccountingStorageType is accounting_storage/none).`,
			Default:     "auto"},
		{Name: "vanish_grace", Type: pluginapi.SettingString,
			Description: "Without accounting: how long a submitted job may be missing from squeue before it is reported failed as vanished.",
			Default:     defaultVanishGrace.String()},
		{Name: "command_timeout", Type: pluginapi.SettingString,
			Description: "How long one call of a Slurm command may take before it is killed.",
			Default:     defaultCommandTimeout.String()},
	}
}

// rawSettings is what sdk.DecodeSettings fills; pointers tell "not set"
// from a zero value.
type rawSettings struct {
	Account        *string   `json:"account"`
	Partition      *string   `json:"partition"`
	QOS            *string   `json:"qos"`
	SbatchArgs     *[]string `json:"sbatch_args"`
	Sbatch         *string   `json:"sbatch_path"`
	Squeue         *string   `json:"squeue_path"`
	Sacct          *string   `json:"sacct_path"`
	Scancel        *string   `json:"scancel_path"`
	Scontrol       *string   `json:"scontrol_path"`
	MaxArraySize   *float64  `json:"max_array_size"`
	Accounting     *string   `json:"accounting"`
	VanishGrace    *string   `json:"vanish_grace"`
	CommandTimeout *string   `json:"command_timeout"`
}

// decodeConfig checks the settings and applies defaults. Every problem is a
// diagnostic naming settings.<key> and saying what is accepted.
func decodeConfig(settings map[string]any) (config, pluginapi.Diagnostics) {
	cfg := defaultConfig()
	var raw rawSettings
	diags := sdk.DecodeSettings(settings, &raw)
	bad := map[string]bool{} // keys with a diagnostic already
	for _, d := range diags {
		bad[d.Attribute] = true
	}
	text := func(key string, p *string, dst *string, allowEmpty bool) {
		if p == nil || bad["settings."+key] {
			return
		}
		v := strings.TrimSpace(*p)
		switch {
		case v == "" && !allowEmpty:
			diags = diags.Errorf("settings."+key, "%s must not be empty; leave it out for the default", key)
		case strings.ContainsAny(v, "\n\r\"\x00"):
			diags = diags.Errorf("settings."+key, "%s must not contain a newline or a double quote", key)
		default:
			*dst = v
		}
	}
	text("account", raw.Account, &cfg.Account, true)
	text("partition", raw.Partition, &cfg.Partition, true)
	text("qos", raw.QOS, &cfg.QOS, true)
	text("sbatch_path", raw.Sbatch, &cfg.Sbatch, false)
	text("squeue_path", raw.Squeue, &cfg.Squeue, false)
	text("sacct_path", raw.Sacct, &cfg.Sacct, false)
	text("scancel_path", raw.Scancel, &cfg.Scancel, false)
	text("scontrol_path", raw.Scontrol, &cfg.Scontrol, false)

	if raw.SbatchArgs != nil && !bad["settings.sbatch_args"] {
		args := *raw.SbatchArgs
		diags = append(diags, checkSbatchArgs(args)...)
		cfg.SbatchArgs = append([]string(nil), args...)
	}
	if raw.MaxArraySize != nil && !bad["settings.max_array_size"] {
		n := *raw.MaxArraySize
		if n != float64(int(n)) || n < 1 || n > 1<<26 {
			diags = diags.Errorf("settings.max_array_size", "max_array_size must be a whole number of at least 1, not %v", n)
		} else {
			cfg.MaxArraySize = int(n)
		}
	}
	if raw.Accounting != nil && !bad["settings.accounting"] {
		switch v := strings.ToLower(strings.TrimSpace(*raw.Accounting)); v {
		case "auto", "yes", "no":
			cfg.Accounting = v
		default:
			diags = diags.Errorf("settings.accounting", `accounting must be "auto", "yes" or "no", not %q`, *raw.Accounting)
		}
	}
	dur := func(key string, p *string, dst *time.Duration, min time.Duration) {
		if p == nil || bad["settings."+key] {
			return
		}
		d, err := time.ParseDuration(strings.TrimSpace(*p))
		if err != nil {
			d, err = sdk.ParseDuration(*p)
		}
		if err != nil || d < min {
			diags = diags.Errorf("settings."+key, "%s %q is not a duration of at least %v, such as \"90s\" or \"2m\"", key, *p, min)
			return
		}
		*dst = d
	}
	dur("vanish_grace", raw.VanishGrace, &cfg.VanishGrace, 0)
	dur("command_timeout", raw.CommandTimeout, &cfg.CommandTimeout, time.Second)
	return cfg, diags
}
