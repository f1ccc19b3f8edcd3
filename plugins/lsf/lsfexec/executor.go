package lsfexec

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// Version is the plugin's own version.
const Version = "0.1.0"

// Executor is the LSF executor. Create it with New. All methods are safe
// for concurrent use.
type Executor struct {
	mu     sync.Mutex
	cfg    config
	flavor string
	// lastKnown keeps the last unfinished status Poll reported per job id,
	// to answer with when bjobs fails outright (mbatchd restarting, say),
	// rather than calling every job unknown.
	lastKnown map[string]pluginapi.JobStatus
	now       func() time.Time
}

// New returns an executor with default settings; Configure changes them.
func New() *Executor {
	return &Executor{cfg: defaultConfig(), lastKnown: map[string]pluginapi.JobStatus{}, now: time.Now}
}

var _ pluginapi.Executor = (*Executor)(nil)

func (e *Executor) config() config {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg
}

// Info describes the plugin; it works before Configure (with the default
// MAX_JOB_ARRAY_SIZE).
func (e *Executor) Info(ctx context.Context, req *pluginapi.InfoRequest) (*pluginapi.InfoResponse, error) {
	e.mu.Lock()
	cfg, flavor := e.cfg, e.flavor
	e.mu.Unlock()
	return &pluginapi.InfoResponse{
		Name:            "lsf",
		Version:         Version,
		ProtocolVersion: pluginapi.ProtocolVersion,
		Flavor:          flavor,
		Capabilities: pluginapi.Capabilities{
			Arrays:         true,
			MaxArraySize:   cfg.MaxArraySize,
			ArrayIndexBase: 1,
			Throttle:       true,
			Dependencies:   []pluginapi.DependencyKind{pluginapi.AfterOK, pluginapi.AfterAny, pluginapi.Elementwise},
			AnyOf:          true,
		},
		ResourceKeys: resourceKeys(),
		Settings:     settingsSchema(),
	}, nil
}

// Configure applies the site settings and finds out which LSF answers
// (bsub -V), unless the flavor setting says. Bad settings leave the
// previous configuration in place.
func (e *Executor) Configure(ctx context.Context, req *pluginapi.ConfigureRequest) (*pluginapi.ConfigureResponse, error) {
	var settings map[string]any
	if req != nil {
		settings = req.Settings
	}
	cfg, diags := decodeConfig(settings)
	if diags.HasErrors() {
		return &pluginapi.ConfigureResponse{Diagnostics: diags}, nil
	}
	flavor := cfg.Flavor
	if flavor == "" {
		var d pluginapi.Diagnostics
		flavor, d = detectFlavor(ctx, cfg)
		diags = append(diags, d...)
	}
	e.mu.Lock()
	e.cfg, e.flavor = cfg, flavor
	e.mu.Unlock()
	return &pluginapi.ConfigureResponse{Diagnostics: diags}, nil
}

// detectFlavor asks bsub -V which LSF this is; LSF commands print their
// version on stderr. OpenLava's bjobs has neither -o nor -json, which Poll
// needs, so it is worth a warning at once rather than at the first poll.
func detectFlavor(ctx context.Context, cfg config) (string, pluginapi.Diagnostics) {
	var diags pluginapi.Diagnostics
	res, err := sdk.Run(ctx, sdk.Command{Path: cfg.Bsub, Args: []string{"-V"}, Env: commandEnv(), Timeout: min(cfg.CommandTimeout, 20*time.Second)})
	text := strings.TrimSpace(string(res.Stderr) + "\n" + string(res.Stdout))
	first, _, _ := strings.Cut(text, "\n")
	first = strings.TrimSpace(first)
	if err != nil && first == "" {
		return "", diags.Warnf("settings.bsub", "cannot ask LSF for its version (%v); set the flavor setting to say which LSF this is", err)
	}
	if strings.Contains(strings.ToLower(first), "openlava") {
		diags = diags.Warnf("settings.bsub", "%s: OpenLava's bjobs has no -o or -json, which this plugin polls with; jobs will submit but their states cannot be read", first)
	}
	return first, diags
}
