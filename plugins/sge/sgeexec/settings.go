package sgeexec

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

func settingsSchema() []pluginapi.Setting {
	s := []pluginapi.Setting{
		{Name: "queue", Type: pluginapi.SettingString, Description: "Queue (-q) for jobs that name none."},
		{Name: "project", Type: pluginapi.SettingString, Description: "Project (-P) for jobs that name none."},
		{Name: "parallel_environment", Type: pluginapi.SettingString, Default: defaultPE,
			Description: "Parallel environment for jobs with cpus > 1 (-pe NAME SLOTS); it should keep all slots on one host (allocation_rule $pe_slots)."},
		{Name: "mpi_parallel_environment", Type: pluginapi.SettingString,
			Description: "Parallel environment for jobs with tasks (MPI ranks): -pe NAME tasks*cpus. Without it, tasks is refused."},
		{Name: "memory_resource", Type: pluginapi.SettingString, Default: defaultMemoryResource,
			Description: `Resource that carries mem, requested per slot (-l NAME=mem/slots): mem_free, h_vmem, a site's consumable, ...; "" requests no memory. h_vmem also limits virtual memory, which the reflow worker (a Go program) needs about 1 GB of.`},
		{Name: "gpu_resource", Type: pluginapi.SettingString,
			Description: "Resource (complex) that carries gpus (-l NAME=N). Without it, gpus above 0 is refused."},
		{Name: "extra_args", Type: pluginapi.SettingStringList, Description: `Extra qsub arguments for every job, e.g. ["-w", "e"].`},
		{Name: "export_environment", Type: pluginapi.SettingBool, Default: "false",
			Description: "Pass the dispatcher's whole environment to jobs (qsub -V)."},
		{Name: "shell", Type: pluginapi.SettingString, Default: defaultShell, Description: "Shell of the job script (-S); must be bash."},
		{Name: "bin_dir", Type: pluginapi.SettingString,
			Description: "Directory of the Grid Engine clients (qsub, qstat, ...); default: found in $PATH."},
	}
	for _, n := range commandNames {
		s = append(s, pluginapi.Setting{Name: n, Type: pluginapi.SettingString, Default: n,
			Description: fmt.Sprintf("Path of %s (overrides bin_dir for it).", n)})
	}
	return append(s,
		pluginapi.Setting{Name: "sge_root", Type: pluginapi.SettingString, Default: "$SGE_ROOT, or /etc/default/gridengine",
			Description: "SGE_ROOT of the cell: locates the accounting file and is passed to the clients."},
		pluginapi.Setting{Name: "sge_cell", Type: pluginapi.SettingString, Default: "$SGE_CELL, or default", Description: "SGE_CELL of the cell."},
		pluginapi.Setting{Name: "max_array_size", Type: pluginapi.SettingNumber, Default: "max_aj_tasks from qconf -sconf, else 75000",
			Description: "Most tasks in one array job; larger arrays are split by the engine."},
		pluginapi.Setting{Name: "accounting", Type: pluginapi.SettingString, Default: accountingAuto,
			Description: `How Poll learns how jobs ended once they left qstat: "file" reads the accounting file, "qacct" runs qacct -j per job, "auto" reads the file when it is readable.`},
		pluginapi.Setting{Name: "accounting_file", Type: pluginapi.SettingString, Default: "$SGE_ROOT/$SGE_CELL/common/accounting",
			Description: "The accounting file qacct reads."},
		pluginapi.Setting{Name: "accounting_grace", Type: pluginapi.SettingString, Default: defaultAccountingGrace.String(),
			Description: "How long a job may be gone from qstat without an accounting record before it counts as vanished (accounting_flush_time can delay records)."},
		pluginapi.Setting{Name: "user", Type: pluginapi.SettingString, Default: "the current user",
			Description: `Whose jobs qstat lists (qstat -u USER); "*" for everyone's.`},
		pluginapi.Setting{Name: "command_timeout", Type: pluginapi.SettingString, Default: defaultCommandTimeout.String(),
			Description: "How long one Grid Engine command may take."},
	)
}

// rawSettings is what sdk.DecodeSettings fills; pointers tell "not set"
// from an empty value.
type rawSettings struct {
	Queue           *string  `json:"queue"`
	Project         *string  `json:"project"`
	PE              *string  `json:"parallel_environment"`
	MPIPE           *string  `json:"mpi_parallel_environment"`
	MemRes          *string  `json:"memory_resource"`
	GPURes          *string  `json:"gpu_resource"`
	ExtraArgs       []string `json:"extra_args"`
	ExportEnv       *bool    `json:"export_environment"`
	Shell           *string  `json:"shell"`
	BinDir          *string  `json:"bin_dir"`
	Qsub            *string  `json:"qsub"`
	Qstat           *string  `json:"qstat"`
	Qacct           *string  `json:"qacct"`
	Qdel            *string  `json:"qdel"`
	Qrls            *string  `json:"qrls"`
	Qconf           *string  `json:"qconf"`
	SGERoot         *string  `json:"sge_root"`
	SGECell         *string  `json:"sge_cell"`
	MaxArraySize    *float64 `json:"max_array_size"`
	Accounting      *string  `json:"accounting"`
	AccountingFile  *string  `json:"accounting_file"`
	AccountingGrace *string  `json:"accounting_grace"`
	User            *string  `json:"user"`
	CommandTimeout  *string  `json:"command_timeout"`
}

// decodeConfig checks the settings and applies defaults. Every problem is a
// diagnostic naming settings.<key>.
func decodeConfig(settings map[string]any) (config, pluginapi.Diagnostics) {
	cfg := defaultConfig()
	var raw rawSettings
	diags := sdk.DecodeSettings(settings, &raw)
	if diags.HasErrors() {
		// A value of the wrong type is already reported; judging the
		// half-decoded rest would only repeat it.
		return cfg, diags
	}
	str := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	str(&cfg.Queue, raw.Queue)
	str(&cfg.Project, raw.Project)
	str(&cfg.PE, raw.PE)
	str(&cfg.MPIPE, raw.MPIPE)
	str(&cfg.MemRes, raw.MemRes)
	str(&cfg.GPURes, raw.GPURes)
	str(&cfg.Shell, raw.Shell)
	str(&cfg.BinDir, raw.BinDir)
	str(&cfg.SGERoot, raw.SGERoot)
	str(&cfg.SGECell, raw.SGECell)
	str(&cfg.AccountingFile, raw.AccountingFile)
	str(&cfg.User, raw.User)
	cfg.ExtraArgs = raw.ExtraArgs
	if raw.ExportEnv != nil {
		cfg.ExportEnv = *raw.ExportEnv
	}
	for name, v := range map[string]*string{"qsub": raw.Qsub, "qstat": raw.Qstat, "qacct": raw.Qacct,
		"qdel": raw.Qdel, "qrls": raw.Qrls, "qconf": raw.Qconf} {
		if v != nil {
			if p := strings.TrimSpace(*v); p == "" {
				diags = diags.Errorf("settings."+name, "%s must not be empty; leave it out to find %s in $PATH or bin_dir", name, name)
			} else {
				cfg.Cmds[name] = p
			}
		}
	}

	for _, c := range []struct{ key, v string }{{"parallel_environment", cfg.PE}, {"mpi_parallel_environment", cfg.MPIPE},
		{"memory_resource", cfg.MemRes}, {"gpu_resource", cfg.GPURes}, {"queue", cfg.Queue}, {"project", cfg.Project}} {
		if strings.ContainsAny(c.v, " \t\n\"'=,") {
			diags = diags.Errorf("settings."+c.key, "%s %q must be a single Grid Engine name, without spaces, quotes, '=' or ','", c.key, c.v)
		}
	}
	if raw.PE != nil && cfg.PE == "" {
		diags = diags.Errorf("settings.parallel_environment", "parallel_environment must not be empty: jobs with cpus > 1 need one (ask your admins which PE keeps slots on one host)")
	}
	if cfg.Shell == "" || !filepath.IsAbs(cfg.Shell) {
		diags = diags.Errorf("settings.shell", "shell %q must be an absolute path to bash, e.g. \"/bin/bash\"", cfg.Shell)
	}
	for i, a := range cfg.ExtraArgs {
		if strings.ContainsAny(a, "\n") {
			diags = diags.Errorf(fmt.Sprintf("settings.extra_args[%d]", i), "extra_args must not contain newlines")
		}
	}
	if cfg.BinDir != "" {
		if fi, err := os.Stat(cfg.BinDir); err != nil || !fi.IsDir() {
			diags = diags.Errorf("settings.bin_dir", "bin_dir %q is not a directory", cfg.BinDir)
		}
	}
	if raw.MaxArraySize != nil {
		n := *raw.MaxArraySize
		if n != float64(int(n)) || n < 1 || n > 1e8 {
			diags = diags.Errorf("settings.max_array_size", "max_array_size must be a whole number from 1 to 100000000, not %v", n)
		} else {
			cfg.MaxArraySize, cfg.maxArraySet = int(n), true
		}
	}
	if raw.Accounting != nil {
		switch a := strings.TrimSpace(*raw.Accounting); a {
		case accountingAuto, accountingFile, accountingQacct:
			cfg.Accounting = a
		default:
			diags = diags.Errorf("settings.accounting", "accounting %q must be \"auto\", \"file\" or \"qacct\"", a)
		}
	}
	if cfg.Accounting == accountingFile && cfg.accountingPath() == "" {
		diags = diags.Errorf("settings.accounting", `accounting = "file" needs the accounting file: set accounting_file, or sge_root (or $SGE_ROOT)`)
	}
	durationSetting := func(key string, v *string, dst *time.Duration, min time.Duration) {
		if v == nil {
			return
		}
		d, err := time.ParseDuration(strings.TrimSpace(*v))
		if err != nil {
			d, err = sdk.ParseDuration(*v)
		}
		if err != nil || d < min {
			diags = diags.Errorf("settings."+key, "%s %q must be a duration of at least %v, such as \"60s\"", key, *v, min)
			return
		}
		*dst = d
	}
	durationSetting("accounting_grace", raw.AccountingGrace, &cfg.AccountingGrace, 0)
	durationSetting("command_timeout", raw.CommandTimeout, &cfg.CommandTimeout, time.Second)
	if cfg.User == "" {
		diags = diags.Errorf("settings.user", `user must not be empty; use "*" for every user's jobs`)
	}
	return cfg, diags
}
