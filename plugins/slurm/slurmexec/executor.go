package slurmexec

import (
	"context"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// Version is the plugin's own version.
const Version = "0.1.0"

// detectTimeout bounds the `scontrol show config` that Info may run before
// Configure: Info must answer quickly even when the controller is down.
const detectTimeout = 10 * time.Second

// Executor is the Slurm executor. Create it with New; all methods are safe
// for concurrent use.
type Executor struct {
	mu  sync.Mutex
	cfg config
	// cluster is what scontrol said, detected on first need (Info may come
	// before Configure) and again at Configure; nil until then.
	cluster    *clusterInfo
	clusterErr error
	// acctDisabled is set when sacct said the cluster has no accounting
	// storage, so later Polls do not ask again (accounting "auto").
	acctDisabled bool
	// missing holds, per job id this plugin submitted, when Poll first
	// found it in no status source: without accounting it is declared
	// vanished once VanishGrace has passed.
	missing map[string]time.Time
	// cancelled holds the ids this process cancelled: pending elements of a
	// cancelled array leave no record anywhere, and this says why.
	cancelled map[string]bool

	loc    *time.Location // Slurm prints local times
	now    func() time.Time
	logger hclog.Logger
}

// New returns an executor with default settings; Configure changes them.
func New() *Executor {
	return &Executor{
		cfg:       defaultConfig(),
		missing:   map[string]time.Time{},
		cancelled: map[string]bool{},
		loc:       time.Local,
		now:       time.Now,
	}
}

var _ pluginapi.Executor = (*Executor)(nil)

func (e *Executor) log() hclog.Logger {
	if e.logger != nil {
		return e.logger
	}
	return sdk.Logger()
}

// snapshot returns the settings and what is known of the cluster,
// detecting the cluster first if nobody has yet.
func (e *Executor) snapshot(ctx context.Context) (config, clusterInfo) {
	e.mu.Lock()
	cfg, cl := e.cfg, e.cluster
	e.mu.Unlock()
	if cl != nil {
		return cfg, *cl
	}
	c, err := detectCluster(ctx, cfg.Scontrol, min(detectTimeout, cfg.CommandTimeout))
	if err != nil {
		e.log().Warn("cannot read the Slurm configuration; assuming Slurm's defaults", "error", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cluster == nil {
		e.cluster, e.clusterErr = &c, err
	}
	return e.cfg, *e.cluster
}

// maxArray is the most elements one Submit may carry.
func maxArray(cfg config, cl clusterInfo) int {
	n := cl.maxElements()
	if cfg.MaxArraySize > 0 && cfg.MaxArraySize < n {
		n = cfg.MaxArraySize
	}
	return n
}

// accountingOn reports whether sacct may be asked.
func (e *Executor) accountingOn(cfg config, cl clusterInfo) bool {
	switch cfg.Accounting {
	case "yes":
		return true
	case "no":
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return !e.acctDisabled && !cl.accountingOff()
}

// Info describes the plugin. Before Configure it reads the cluster's
// configuration with scontrol from $PATH, because the host may plan
// arrays from what Info says before it configures the plugin.
func (e *Executor) Info(ctx context.Context, req *pluginapi.InfoRequest) (*pluginapi.InfoResponse, error) {
	cfg, cl := e.snapshot(ctx)
	resp := &pluginapi.InfoResponse{
		Name:            "slurm",
		Version:         Version,
		ProtocolVersion: pluginapi.ProtocolVersion,
		Flavor:          cl.flavor(),
		Capabilities: pluginapi.Capabilities{
			Arrays:         maxArray(cfg, cl) > 0,
			MaxArraySize:   maxArray(cfg, cl),
			ArrayIndexBase: 0,
			Throttle:       true,
			Dependencies:   []pluginapi.DependencyKind{pluginapi.AfterOK, pluginapi.AfterAny, pluginapi.Elementwise},
			AnyOf:          true,
		},
		ResourceKeys: resourceKeys(),
		Settings:     settingsSchema(),
	}
	if !resp.Capabilities.Arrays {
		resp.Capabilities.Throttle = false
		resp.Capabilities.Dependencies = resp.Capabilities.Dependencies[:2]
	}
	e.mu.Lock()
	if e.clusterErr != nil {
		resp.Diagnostics = resp.Diagnostics.Warnf("", "cannot read the Slurm configuration (%v); assuming MaxArraySize %d", e.clusterErr, defaultMaxArraySize)
	}
	e.mu.Unlock()
	return resp, nil
}

// Configure applies the site settings and reads the cluster's
// configuration with the configured scontrol. Bad settings leave the
// previous configuration in place. A controller that does not answer is a
// warning: jobs may still be submitted once it is back.
func (e *Executor) Configure(ctx context.Context, req *pluginapi.ConfigureRequest) (*pluginapi.ConfigureResponse, error) {
	var settings map[string]any
	if req != nil {
		settings = req.Settings
	}
	cfg, diags := decodeConfig(settings)
	if diags.HasErrors() {
		return &pluginapi.ConfigureResponse{Diagnostics: diags}, nil
	}
	cl, err := detectCluster(ctx, cfg.Scontrol, min(detectTimeout, cfg.CommandTimeout))
	if err != nil {
		diags = diags.Warnf("settings.scontrol_path", "cannot read the Slurm configuration with %s (%v); assuming Slurm's defaults (MaxArraySize %d)",
			cfg.Scontrol, err, defaultMaxArraySize)
	}
	if cfg.MaxArraySize > cl.maxElements() && cl.Known {
		diags = diags.Errorf("settings.max_array_size", "max_array_size %d is above what this cluster allows (%d elements; MaxArraySize %d); leave it out or lower it",
			cfg.MaxArraySize, cl.maxElements(), cl.MaxArraySize)
		return &pluginapi.ConfigureResponse{Diagnostics: diags}, nil
	}
	if cfg.Accounting == "yes" && cl.accountingOff() {
		diags = diags.Warnf("settings.accounting", `accounting = "yes" but this cluster has AccountingStorageType=accounting_storage/none; sacct will fail`)
	}
	e.mu.Lock()
	e.cfg = cfg
	e.cluster, e.clusterErr = &cl, err
	e.acctDisabled = false
	e.mu.Unlock()
	e.log().Info("configured", "flavor", cl.flavor(), "max_array_size", maxArray(cfg, cl), "accounting", cfg.Accounting,
		"accounting_storage", cl.AccountingStorage)
	return &pluginapi.ConfigureResponse{Diagnostics: diags}, nil
}
