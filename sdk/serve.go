package sdk

import (
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// ServeOption changes how Serve runs a plugin.
type ServeOption func(*serveConfig)

type serveConfig struct {
	logger      hclog.Logger
	name        string
	parentWatch time.Duration
}

// WithLogger sets the plugin's logger. The default writes JSON to stderr,
// which the host parses and re-emits under the plugin's name.
func WithLogger(l hclog.Logger) ServeOption {
	return func(c *serveConfig) { c.logger = l }
}

// WithName sets the name the default logger uses.
func WithName(name string) ServeOption {
	return func(c *serveConfig) { c.name = name }
}

// WithParentWatch sets how often the plugin checks that the host that
// started it is still alive; 0 disables the check.
func WithParentWatch(every time.Duration) ServeOption {
	return func(c *serveConfig) { c.parentWatch = every }
}

// Serve runs exec as an executor plugin and returns when the host ends the
// plugin. A plugin's main function calls it and nothing else:
//
//	func main() { sdk.Serve(myexec.New()) }
//
// Besides the handshake, Serve makes sure the plugin never outlives its host:
// the host asks the kernel for a parent-death signal, and Serve also watches
// its parent process id, because that signal follows the host thread that
// forked the plugin rather than the host process.
func Serve(exec pluginapi.Executor, opts ...ServeOption) {
	cfg := serveConfig{name: "executor", parentWatch: 500 * time.Millisecond}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = hclog.New(&hclog.LoggerOptions{
			Name:       cfg.name,
			Level:      hclog.LevelFromString(envOr("REFLOW_PLUGIN_LOG", "info")),
			Output:     os.Stderr,
			JSONFormat: true,
		})
	}
	// Executors log through Logger(); setting the default here means every
	// package of the plugin, not only the executor, logs to the host.
	hclog.SetDefault(cfg.logger)
	if cfg.parentWatch > 0 {
		go watchParent(cfg.logger, os.Getppid(), cfg.parentWatch)
	}
	plugin.Serve(pluginapi.ServeConfig(exec, cfg.logger))
}

// Logger returns the plugin's logger. Its lines go to the host as JSON on
// stderr, and the host re-emits them under the plugin's name. Before Serve
// runs (in tests of an executor package) it is hclog's default logger.
func Logger() hclog.Logger { return hclog.Default() }

// watchParent exits the plugin once its parent is gone (the process is then
// re-parented, so its parent pid changes).
func watchParent(log hclog.Logger, parent int, every time.Duration) {
	for {
		time.Sleep(every)
		if os.Getppid() != parent {
			log.Warn("host process is gone; plugin exits", "host_pid", parent)
			os.Exit(1)
		}
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
