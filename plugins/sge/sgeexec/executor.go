package sgeexec

import (
	"context"
	"sync"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// Version is the plugin's own version.
const Version = "0.1.0"

// Runner runs one Grid Engine command. Tests replace it to feed recorded
// outputs; the plugin uses sdk.Run.
type Runner func(ctx context.Context, c sdk.Command) (sdk.Result, error)

// Executor is the Grid Engine executor. Create it with New; all methods are
// safe for concurrent use.
type Executor struct {
	mu     sync.Mutex
	cfg    config // the defaults until Configure
	flavor string // what Configure found

	run   Runner
	now   func() time.Time
	track *tracker
}

// New returns an executor with default settings; Configure changes them.
func New() *Executor {
	return NewWithRunner(sdk.Run)
}

// NewWithRunner returns an executor that runs Grid Engine commands through
// run, for tests that replay recorded outputs.
func NewWithRunner(run Runner) *Executor {
	return &Executor{cfg: defaultConfig(), run: run, now: time.Now, track: newTracker()}
}

var _ pluginapi.Executor = (*Executor)(nil)

func (e *Executor) config() config {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg
}

// Info describes the plugin. It needs no settings; after Configure it
// also reports the Grid Engine version found and the cluster's array limit.
func (e *Executor) Info(ctx context.Context, req *pluginapi.InfoRequest) (*pluginapi.InfoResponse, error) {
	e.mu.Lock()
	maxArray, flavor := e.cfg.MaxArraySize, e.flavor
	e.mu.Unlock()
	return &pluginapi.InfoResponse{
		Name:            "sge",
		Version:         Version,
		ProtocolVersion: pluginapi.ProtocolVersion,
		Flavor:          flavor,
		Capabilities: pluginapi.Capabilities{
			Arrays:         true,
			MaxArraySize:   maxArray,
			ArrayIndexBase: 1,
			Throttle:       true,
			// afterany is -hold_jid; afterok and element-wise are native
			// holds plus a user hold that Poll releases (deps.go).
			Dependencies: []pluginapi.DependencyKind{pluginapi.AfterOK, pluginapi.AfterAny, pluginapi.Elementwise},
			AnyOf:        false,
		},
		ResourceKeys: resourceKeys(),
		Settings:     settingsSchema(),
	}, nil
}

// Configure applies the site settings and asks Grid Engine for its version
// and, unless the site set max_array_size, its max_aj_tasks. Bad settings
// leave the previous configuration in place.
func (e *Executor) Configure(ctx context.Context, req *pluginapi.ConfigureRequest) (*pluginapi.ConfigureResponse, error) {
	var settings map[string]any
	if req != nil {
		settings = req.Settings
	}
	cfg, diags := decodeConfig(settings)
	if diags.HasErrors() {
		return &pluginapi.ConfigureResponse{Diagnostics: diags}, nil
	}
	flavor, maxTasks, d := e.detect(ctx, &cfg)
	diags = append(diags, d...)
	if !cfg.maxArraySet && maxTasks > 0 {
		cfg.MaxArraySize = maxTasks
	}
	e.mu.Lock()
	e.cfg, e.flavor = cfg, flavor
	e.mu.Unlock()
	return &pluginapi.ConfigureResponse{Diagnostics: diags}, nil
}

// command runs a Grid Engine client with the configured path, environment
// and timeout.
func (e *Executor) command(ctx context.Context, cfg *config, name string, args []string, stdin []byte) (sdk.Result, error) {
	return e.run(ctx, sdk.Command{
		Path:    cfg.command(name),
		Args:    args,
		Stdin:   stdin,
		Env:     cfg.commandEnv(),
		Timeout: cfg.CommandTimeout,
	})
}
