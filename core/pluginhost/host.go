package pluginhost

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Options configure a Host.
type Options struct {
	// Dirs are the user and site plugin directories from the config; they
	// are searched after $REFLOW_PLUGIN_PATH and before the reflow binary's
	// own directory.
	Dirs []string
	// Lock pins checksums; nil means nothing is pinned.
	Lock *Lock
	// Logger receives plugin logs under each plugin's name.
	Logger hclog.Logger
	// Settings are each executor's site settings, passed to Configure.
	Settings map[string]map[string]any
}

// Host runs executor plugins: one process per executor, launched on first
// use and reused for every later call.
type Host struct {
	opts    Options
	plugins []Plugin

	mu      sync.Mutex
	running map[string]*Running
}

// Running is a launched, configured plugin.
type Running struct {
	Plugin Plugin
	Client *pluginapi.Client
	Info   *pluginapi.InfoResponse
}

// Executor returns the plugin's executor.
func (r *Running) Executor() pluginapi.Executor { return r.Client.Executor() }

// New discovers plugins. It launches nothing yet.
func New(opts Options) *Host {
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	return &Host{
		opts:    opts,
		plugins: Discover(SearchDirs(opts.Dirs)),
		running: map[string]*Running{},
	}
}

// Plugins lists the discovered plugins, sorted by name.
func (h *Host) Plugins() []Plugin { return h.plugins }

// Find returns the plugin for an executor name.
func (h *Host) Find(name string) (Plugin, error) {
	for _, p := range h.plugins {
		if p.Name == name {
			return p, nil
		}
	}
	var names []string
	for _, p := range h.plugins {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	avail := "none"
	if len(names) > 0 {
		avail = strings.Join(names, ", ")
	}
	return Plugin{}, fmt.Errorf("no executor plugin %q found (looked for %s%s in %s); available: %s",
		name, BinaryPrefix, name, strings.Join(SearchDirs(h.opts.Dirs), ", "), avail)
}

// Launch starts the plugin for name without configuring it, pinned when the
// lock says so. The caller owns the client. `reflow plugins list` uses it;
// the engine uses Get.
func (h *Host) Launch(ctx context.Context, p Plugin) (*pluginapi.Client, error) {
	var sum []byte
	if h.opts.Lock != nil {
		sum = h.opts.Lock.Checksum(p.Name)
	}
	return pluginapi.Launch(ctx, pluginapi.LaunchConfig{
		Name:     p.Name,
		Path:     p.Path,
		Checksum: sum,
		Logger:   h.opts.Logger,
	})
}

// Get returns the running plugin for an executor, launching, checking and
// configuring it on first use.
func (h *Host) Get(ctx context.Context, name string) (*Running, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r, ok := h.running[name]; ok && !r.Client.Exited() {
		return r, nil
	}
	p, err := h.Find(name)
	if err != nil {
		return nil, err
	}
	c, err := h.Launch(ctx, p)
	if err != nil {
		return nil, err
	}
	r, err := configure(ctx, p, c, h.opts.Settings[name])
	if err != nil {
		c.Kill()
		return nil, err
	}
	h.running[name] = r
	return r, nil
}

func configure(ctx context.Context, p Plugin, c *pluginapi.Client, settings map[string]any) (*Running, error) {
	ex := c.Executor()
	info, err := ex.Info(ctx, &pluginapi.InfoRequest{})
	if err != nil {
		return nil, fmt.Errorf("plugin %q: Info: %w", p.Name, err)
	}
	if err := info.Diagnostics.Err(); err != nil {
		return nil, fmt.Errorf("plugin %q: %w", p.Name, err)
	}
	if info.ProtocolVersion != pluginapi.ProtocolVersion {
		return nil, fmt.Errorf("plugin %q (%s) speaks executor protocol %d; this reflow speaks %d",
			p.Name, p.Path, info.ProtocolVersion, pluginapi.ProtocolVersion)
	}
	resp, err := ex.Configure(ctx, &pluginapi.ConfigureRequest{Settings: settings})
	if err != nil {
		return nil, fmt.Errorf("plugin %q: Configure: %w", p.Name, err)
	}
	if err := resp.Diagnostics.Err(); err != nil {
		return nil, fmt.Errorf("executor %q settings: %w", p.Name, err)
	}
	// What a plugin can do may depend on its settings and on what it
	// found out while configuring (a site's max_array_size, the scheduler
	// version it detected): the engine plans with the configured answer.
	if after, err := ex.Info(ctx, &pluginapi.InfoRequest{}); err == nil && after.Diagnostics.Err() == nil {
		info = after
	}
	return &Running{Plugin: p, Client: c, Info: info}, nil
}

// Close ends every plugin process the host started.
func (h *Host) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for name, r := range h.running {
		r.Client.Kill()
		delete(h.running, name)
	}
}
