package fluxexec

import (
	"context"
	"os"
	"sync"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// Version is the plugin's own version.
const Version = "0.1.0"

// Executor is the Flux executor. Create it with New; all methods are safe
// for concurrent use.
type Executor struct {
	mu  sync.Mutex
	cfg config
	// flavor is the flux-core release in use (configured or detected);
	// known is false when neither worked.
	flavor version
	known  bool
	// last remembers each job's latest status, so a job purged from
	// Flux's history after this process saw it end still reports how it
	// ended, and a failed `flux jobs` does not turn running jobs unknown.
	last map[uint64]pluginapi.Status
}

// New returns an executor with default settings.
func New() *Executor {
	return &Executor{cfg: defaultConfig(), last: map[uint64]pluginapi.Status{}}
}

var _ pluginapi.Executor = (*Executor)(nil)

func (e *Executor) config() config {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg
}

// Info describes the plugin. It needs no settings.
func (e *Executor) Info(ctx context.Context, req *pluginapi.InfoRequest) (*pluginapi.InfoResponse, error) {
	e.mu.Lock()
	cfg, flavor, known := e.cfg, e.flavor, e.known
	e.mu.Unlock()
	f := "flux-core (version not detected)"
	if known {
		f = "flux-core " + flavor.String()
	}
	return &pluginapi.InfoResponse{
		Name:            "flux",
		Version:         Version,
		ProtocolVersion: pluginapi.ProtocolVersion,
		Flavor:          f,
		Capabilities: pluginapi.Capabilities{
			// One Submit makes one Flux job per element (flux submit --cc,
			// or one flux batch each) and the handle keeps every id.
			Arrays:         true,
			MaxArraySize:   cfg.MaxArraySize,
			ArrayIndexBase: 0,
			// Flux has no array throttle; the copies are independent jobs.
			Throttle: false,
			// One --dependency per upstream job id; there is no OR form
			// and --cc copies cannot each depend on a different id.
			Dependencies: []pluginapi.DependencyKind{pluginapi.AfterOK, pluginapi.AfterAny},
			AnyOf:        false,
		},
		ResourceKeys: resourceKeys(),
		Settings:     settingsSchema(),
	}, nil
}

// Configure applies the site settings and finds the flux-core release.
// Bad settings leave the previous configuration in place.
func (e *Executor) Configure(ctx context.Context, req *pluginapi.ConfigureRequest) (*pluginapi.ConfigureResponse, error) {
	var settings map[string]any
	if req != nil {
		settings = req.Settings
	}
	cfg, diags := decodeConfig(settings)
	if diags.HasErrors() {
		return &pluginapi.ConfigureResponse{Diagnostics: diags}, nil
	}
	var (
		v     version
		known bool
	)
	if cfg.FluxVersion != "" {
		v, _ = parseVersion(cfg.FluxVersion)
		known = true
	} else if dv, err := detectVersion(ctx, cfg.Flux); err == nil {
		v, known = dv, true
	} else {
		diags = append(diags, pluginapi.Diagnostic{Severity: pluginapi.Warning, Attribute: "settings.flux",
			Summary: "could not find the flux-core version",
			Detail:  err.Error() + "; assuming 0.65 or newer. Set flux_version to say which release the site runs."})
	}
	e.mu.Lock()
	e.cfg, e.flavor, e.known = cfg, v, known
	e.mu.Unlock()
	return &pluginapi.ConfigureResponse{Diagnostics: diags}, nil
}

// bankAsOption reports whether the release takes --bank (0.65+); an
// undetected release is assumed to.
func (e *Executor) bankAsOption() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return !e.known || e.flavor.atLeast(bankSince)
}

// fluxEnv is the environment of every flux command: the plugin's, with
// F58 ids forced to ASCII so that they are parseable in any locale.
func fluxEnv() []string {
	return append(os.Environ(), "FLUX_F58_FORCE_ASCII=1")
}

// runFlux runs one flux command.
func (e *Executor) runFlux(ctx context.Context, args ...string) (sdk.Result, error) {
	cfg := e.config()
	return sdk.Run(ctx, sdk.Command{Path: cfg.Flux, Args: args, Env: fluxEnv(), Timeout: cfg.CommandTimeout})
}
