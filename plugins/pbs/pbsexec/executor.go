package pbsexec

import (
	"context"
	"os/exec"
	"sync"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// Version is the plugin's own version.
const Version = "0.1.0"

// Executor is the PBS executor. Create it with New. All methods are safe
// for concurrent use.
type Executor struct {
	mu  sync.Mutex
	cfg config
	fl  flavor
	// qstatPath is qstat resolved to an absolute path at Configure, for
	// job scripts that call it (the afterok guard of deps.go).
	qstatPath string
	// noHistory is set once the server refused qstat -x: history is off.
	noHistory bool
	// final keeps the last final status seen of each job, by handle id, so
	// a job that ages out of qstat after it ended keeps its status.
	final map[string]pluginapi.JobStatus
	// missing records when a job with our handle state was first missing
	// from qstat, for history_grace.
	missing map[string]time.Time
	// cancelled holds ids this process cancelled, to word their reasons.
	cancelled map[string]bool
	now       func() time.Time
}

// New returns an executor with default settings.
func New() *Executor {
	cfg := defaultConfig()
	return &Executor{cfg: cfg, fl: flavor{Dialect: dialectOpenPBS},
		final: map[string]pluginapi.JobStatus{}, missing: map[string]time.Time{},
		cancelled: map[string]bool{}, now: time.Now}
}

var _ pluginapi.Executor = (*Executor)(nil)

// snapshot returns the settings and flavor in effect.
func (e *Executor) snapshot() (config, flavor) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg, e.fl
}

// Info describes the plugin; before Configure it describes the default
// (OpenPBS, newest version).
func (e *Executor) Info(ctx context.Context, req *pluginapi.InfoRequest) (*pluginapi.InfoResponse, error) {
	cfg, fl := e.snapshot()
	return &pluginapi.InfoResponse{
		Name:            "pbs",
		Version:         Version,
		ProtocolVersion: pluginapi.ProtocolVersion,
		Flavor:          fl.String(),
		Capabilities:    capabilities(cfg, fl),
		ResourceKeys:    resourceKeys(),
		Settings:        settingsSchema(),
	}, nil
}

// capabilities are what the dialect expresses natively. PBS has no any-of
// dependency and no element-wise one, so neither is claimed and the engine
// holds those dependents back itself.
func capabilities(cfg config, fl flavor) pluginapi.Capabilities {
	return pluginapi.Capabilities{
		Arrays:         true,
		MaxArraySize:   cfg.maxArray(fl.Dialect),
		ArrayIndexBase: 0,
		Throttle:       fl.throttle(),
		Dependencies:   []pluginapi.DependencyKind{pluginapi.AfterOK, pluginapi.AfterAny},
	}
}

// Configure applies the site settings and finds out the flavor: the
// dialect and version settings when given, else `qstat --version`.
func (e *Executor) Configure(ctx context.Context, req *pluginapi.ConfigureRequest) (*pluginapi.ConfigureResponse, error) {
	var settings map[string]any
	if req != nil {
		settings = req.Settings
	}
	cfg, diags := decodeConfig(settings)
	if diags.HasErrors() {
		return &pluginapi.ConfigureResponse{Diagnostics: diags}, nil
	}
	fl := flavor{Dialect: cfg.Dialect, Version: cfg.Version}
	if cfg.Version == "" {
		detected, problem := detectFlavor(ctx, cfg.Qstat)
		switch {
		case problem != "":
			if fl.Dialect == "" {
				fl.Dialect = dialectOpenPBS
			}
			diags = diags.Warnf("settings.qstat", "could not tell the PBS flavor from `%s --version` (%s); assuming %s; set dialect and version to silence this", cfg.Qstat, problem, fl)
		case fl.Dialect != "" && detected.Dialect != fl.Dialect:
			diags = diags.Warnf("settings.dialect", "dialect is %q but `%s --version` reports %s; using %q as configured", fl.Dialect, cfg.Qstat, detected, fl.Dialect)
			fl.Version = ""
		default:
			fl = detected
		}
	}
	if fl.Dialect == "" {
		fl.Dialect = dialectOpenPBS
	}
	if cfg.Project != "" && fl.Dialect == dialectTorque {
		diags = diags.Errorf("settings.project", "Torque has no projects (its -P names a proxy user); leave project out or use account")
	}
	if cfg.AccountFlag == "P" && fl.Dialect == dialectTorque {
		diags = diags.Errorf("settings.account_flag", "account_flag = \"P\" needs OpenPBS; Torque's -P names a proxy user")
	}
	if diags.HasErrors() {
		return &pluginapi.ConfigureResponse{Diagnostics: diags}, nil
	}
	qstatPath := cfg.Qstat
	if p, err := exec.LookPath(cfg.Qstat); err == nil {
		qstatPath = p
	}
	e.mu.Lock()
	e.cfg, e.fl, e.qstatPath = cfg, fl, qstatPath
	e.noHistory = !cfg.JobHistory
	e.mu.Unlock()
	sdk.Logger().Debug("configured", "flavor", fl.String())
	return &pluginapi.ConfigureResponse{Diagnostics: diags}, nil
}
