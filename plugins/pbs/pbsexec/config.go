package pbsexec

import (
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// The dialects.
const (
	dialectOpenPBS = "openpbs"
	dialectTorque  = "torque"
)

// config is the plugin's site settings after defaults.
type config struct {
	// Dialect is "openpbs", "torque", or "" to follow qstat --version.
	Dialect string
	// Version overrides the detected server version ("22.05.11").
	Version     string
	Queue       string
	Account     string
	Project     string
	AccountFlag string // "A" or "P": where the account resource goes
	QsubArgs    []string
	Qsub        string
	Qstat       string
	Qdel        string
	// MaxArraySize is the server's max_array_size; 0 means "the
	// dialect's default" until Configure, and no limit for Torque.
	MaxArraySize   int
	HistoryGrace   time.Duration
	CommandTimeout time.Duration
	CancelForce    bool
	JobHistory     bool
}

// Defaults.
const (
	defaultMaxArrayOpenPBS = 10000
	defaultHistoryGrace    = 30 * time.Second
	defaultCommandTimeout  = 60 * time.Second
)

func defaultConfig() config {
	return config{AccountFlag: "A", Qsub: "qsub", Qstat: "qstat", Qdel: "qdel",
		HistoryGrace: defaultHistoryGrace, CommandTimeout: defaultCommandTimeout, JobHistory: true}
}

func settingsSchema() []pluginapi.Setting {
	return []pluginapi.Setting{
		{Name: "dialect", Type: pluginapi.SettingString,
			Description: `"openpbs" (also PBS Pro) or "torque".`, Default: "what qstat --version reports, else openpbs"},
		{Name: "version", Type: pluginapi.SettingString,
			Description: `Server version to assume instead of asking qstat --version, e.g. "22.05.11"; OpenPBS before 22.05 has no array throttle.`},
		{Name: "queue", Type: pluginapi.SettingString, Description: "Queue for jobs that name none (-q)."},
		{Name: "account", Type: pluginapi.SettingString, Description: "Account for jobs that name none (-A, or -P with account_flag = \"P\")."},
		{Name: "project", Type: pluginapi.SettingString, Description: "OpenPBS project for every job (-P)."},
		{Name: "account_flag", Type: pluginapi.SettingString,
			Description: `Where the account resource goes: "A" (-A account_string) or "P" (OpenPBS -P project).`, Default: "A"},
		{Name: "qsub_args", Type: pluginapi.SettingStringList, Description: "Extra qsub arguments for every submission, e.g. [\"-W\", \"group_list=lab\"]."},
		{Name: "qsub", Type: pluginapi.SettingString, Description: "qsub command (a path, or a name looked up in PATH).", Default: "qsub"},
		{Name: "qstat", Type: pluginapi.SettingString, Description: "qstat command.", Default: "qstat"},
		{Name: "qdel", Type: pluginapi.SettingString, Description: "qdel command.", Default: "qdel"},
		{Name: "max_array_size", Type: pluginapi.SettingNumber,
			Description: "The server's max_array_size; larger arrays are split by reflow. 0 means no limit.",
			Default:     "10000 (OpenPBS), no limit (Torque)"},
		{Name: "history_grace", Type: pluginapi.SettingString,
			Description: "How long a submitted job may be missing from qstat before Poll reports it failed as vanished.",
			Default:     defaultHistoryGrace.String()},
		{Name: "command_timeout", Type: pluginapi.SettingString, Description: "Time limit for one qsub, qstat or qdel.", Default: defaultCommandTimeout.String()},
		{Name: "cancel_force", Type: pluginapi.SettingBool, Description: "Cancel with qdel -W force (OpenPBS), for nodes that stopped answering.", Default: "false"},
		{Name: "job_history", Type: pluginapi.SettingBool,
			Description: "Ask qstat for finished jobs with -x (OpenPBS job_history_enable). Turned off by itself when the server refuses -x.", Default: "true"},
	}
}

// rawSettings is what sdk.DecodeSettings fills; pointers tell "not set".
type rawSettings struct {
	Dialect        *string   `json:"dialect"`
	Version        *string   `json:"version"`
	Queue          *string   `json:"queue"`
	Account        *string   `json:"account"`
	Project        *string   `json:"project"`
	AccountFlag    *string   `json:"account_flag"`
	QsubArgs       *[]string `json:"qsub_args"`
	Qsub           *string   `json:"qsub"`
	Qstat          *string   `json:"qstat"`
	Qdel           *string   `json:"qdel"`
	MaxArraySize   *float64  `json:"max_array_size"`
	HistoryGrace   *string   `json:"history_grace"`
	CommandTimeout *string   `json:"command_timeout"`
	CancelForce    *bool     `json:"cancel_force"`
	JobHistory     *bool     `json:"job_history"`
}

// decodeConfig checks the settings and applies defaults; every problem is
// a diagnostic naming settings.<key>.
func decodeConfig(settings map[string]any) (config, pluginapi.Diagnostics) {
	cfg := defaultConfig()
	var raw rawSettings
	diags := sdk.DecodeSettings(settings, &raw)
	bad := map[string]bool{}
	for _, d := range diags {
		bad[strings.TrimPrefix(d.Attribute, "settings.")] = true
	}
	str := func(key string, p *string, dst *string, allowEmpty bool) {
		if p == nil || bad[key] {
			return
		}
		v := strings.TrimSpace(*p)
		if v == "" && !allowEmpty {
			diags = diags.Errorf("settings."+key, "%s must not be empty; leave it out for the default", key)
			return
		}
		*dst = v
	}
	str("dialect", raw.Dialect, &cfg.Dialect, true)
	switch strings.ToLower(cfg.Dialect) {
	case "", dialectOpenPBS, dialectTorque:
		cfg.Dialect = strings.ToLower(cfg.Dialect)
	case "pbspro", "pbs", "pbs_pro", "pbs pro":
		cfg.Dialect = dialectOpenPBS
	default:
		diags = diags.Errorf("settings.dialect", "dialect %q is not one this plugin speaks: use \"openpbs\" (also PBS Pro) or \"torque\"", cfg.Dialect)
	}
	str("version", raw.Version, &cfg.Version, false)
	str("queue", raw.Queue, &cfg.Queue, false)
	str("account", raw.Account, &cfg.Account, false)
	str("project", raw.Project, &cfg.Project, false)
	str("account_flag", raw.AccountFlag, &cfg.AccountFlag, false)
	cfg.AccountFlag = strings.TrimPrefix(strings.ToUpper(cfg.AccountFlag), "-")
	if cfg.AccountFlag != "A" && cfg.AccountFlag != "P" {
		diags = diags.Errorf("settings.account_flag", "account_flag must be \"A\" (-A) or \"P\" (-P), not %q", cfg.AccountFlag)
	}
	str("qsub", raw.Qsub, &cfg.Qsub, false)
	str("qstat", raw.Qstat, &cfg.Qstat, false)
	str("qdel", raw.Qdel, &cfg.Qdel, false)
	if raw.QsubArgs != nil && !bad["qsub_args"] {
		cfg.QsubArgs = append([]string(nil), (*raw.QsubArgs)...)
	}
	if raw.MaxArraySize != nil && !bad["max_array_size"] {
		n := *raw.MaxArraySize
		if n != float64(int(n)) || n < 0 || n > 1<<31 {
			diags = diags.Errorf("settings.max_array_size", "max_array_size must be a whole number, 0 or more, not %v", n)
		} else {
			cfg.MaxArraySize = int(n)
			if cfg.MaxArraySize == 0 {
				cfg.MaxArraySize = -1 // set explicitly: no limit
			}
		}
	}
	dur := func(key string, p *string, dst *time.Duration) {
		if p == nil || bad[key] {
			return
		}
		d, err := time.ParseDuration(*p)
		if err != nil {
			d, err = sdk.ParseDuration(*p)
		}
		if err != nil || d < 0 {
			diags = diags.Errorf("settings."+key, "%s %q is not a duration such as \"30s\" or \"2m\"", key, *p)
			return
		}
		*dst = d
	}
	dur("history_grace", raw.HistoryGrace, &cfg.HistoryGrace)
	dur("command_timeout", raw.CommandTimeout, &cfg.CommandTimeout)
	if cfg.CommandTimeout == 0 {
		cfg.CommandTimeout = defaultCommandTimeout
	}
	if raw.CancelForce != nil && !bad["cancel_force"] {
		cfg.CancelForce = *raw.CancelForce
	}
	if raw.JobHistory != nil && !bad["job_history"] {
		cfg.JobHistory = *raw.JobHistory
	}
	return cfg, diags
}

// maxArray is the array size limit in effect for a dialect: 0 for none.
func (c config) maxArray(dialect string) int {
	switch {
	case c.MaxArraySize < 0:
		return 0
	case c.MaxArraySize > 0:
		return c.MaxArraySize
	case dialect == dialectTorque:
		return 0
	}
	return defaultMaxArrayOpenPBS
}
