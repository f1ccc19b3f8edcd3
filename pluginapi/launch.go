package pluginapi

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
)

// LaunchConfig says how to start one plugin process.
type LaunchConfig struct {
	// Name is the executor name, used in logs and errors.
	Name string
	// Path is the plugin binary.
	Path string
	// Env is added to the plugin's environment.
	Env []string
	// Checksum, when set, is the SHA-256 the binary must have; a binary that
	// differs refuses to start with a *ChecksumError.
	Checksum []byte
	// Logger receives the plugin's own log lines, re-emitted under its name.
	Logger hclog.Logger
	// SocketDir is where the plugin's unix socket is made. Unix socket paths
	// are limited to ~107 bytes, so a long TMPDIR breaks plugins; the default
	// is a short private directory under /tmp.
	SocketDir string
	// StartTimeout bounds the launch and handshake (default 30s).
	StartTimeout time.Duration
	// DisableMTLS turns off mutual TLS. Only benchmarks and tests use it.
	DisableMTLS bool
	// GoPluginAutoMTLS uses go-plugin's own AutoMTLS (P-521 keys, ~20 ms
	// per launch) instead of reflow's Ed25519 mTLS. Benchmarks compare them.
	GoPluginAutoMTLS bool
}

// Client is a running plugin process.
type Client struct {
	name string
	pc   *plugin.Client
	exec Executor
}

// ChecksumError reports a pinned plugin whose binary changed.
type ChecksumError struct {
	Name, Path       string
	Expected, Actual string
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("plugin %q (%s) does not match its pinned checksum: expected sha256 %s, got %s; if the change is intended, run `reflow plugins lock` again",
		e.Name, e.Path, e.Expected, e.Actual)
}

// FileSHA256 returns the SHA-256 of the file at path.
func FileSHA256(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// DefaultSocketDir returns a short per-user directory for plugin sockets,
// creating it with mode 0700 so other users on a shared login node cannot
// reach a plugin's socket.
func DefaultSocketDir() (string, error) {
	dir := filepath.Join("/tmp", "reflow-"+strconv.Itoa(os.Getuid()))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return "", err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return "", fmt.Errorf("plugin socket dir %s belongs to another user", dir)
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// Launch starts a plugin process and completes the handshake.
func Launch(ctx context.Context, cfg LaunchConfig) (*Client, error) {
	if cfg.Name == "" {
		cfg.Name = filepath.Base(cfg.Path)
	}
	if cfg.Logger == nil {
		cfg.Logger = hclog.NewNullLogger()
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = 30 * time.Second
	}
	if cfg.SocketDir == "" {
		dir, err := DefaultSocketDir()
		if err != nil {
			return nil, fmt.Errorf("plugin %q: socket dir: %w", cfg.Name, err)
		}
		cfg.SocketDir = dir
	}
	cmd := exec.Command(cfg.Path)
	cmd.Env = append(os.Environ(), cfg.Env...)
	// The plugin makes its socket itself; go-plugin applies its own
	// UnixSocketConfig.TempDir only with a custom runner, so name the
	// directory through the variable its server reads.
	cmd.Env = append(cmd.Env, plugin.EnvUnixSocketDir+"="+cfg.SocketDir)
	// The kernel kills the plugin when the host dies, even by SIGKILL, so
	// no plugin outlives its dispatcher. sdk.Serve also watches its parent,
	// because Pdeathsig follows the thread that forked, not the process.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}

	var tlsConfig *tls.Config
	if !cfg.DisableMTLS && !cfg.GoPluginAutoMTLS {
		c, env, err := hostTLS()
		if err != nil {
			return nil, fmt.Errorf("plugin %q: setting up mTLS: %w", cfg.Name, err)
		}
		tlsConfig = c
		cmd.Env = append(cmd.Env, env)
	}

	var secure *plugin.SecureConfig
	if cfg.Checksum != nil {
		// A SecureConfig holds a hash.Hash, which is consumed by one check:
		// build a fresh one per launch.
		secure = &plugin.SecureConfig{Checksum: cfg.Checksum, Hash: sha256.New()}
	}
	pc := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: versionedPlugins(nil),
		Cmd:              cmd,
		SecureConfig:     secure,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         cfg.GoPluginAutoMTLS && !cfg.DisableMTLS,
		TLSConfig:        tlsConfig,
		Logger:           cfg.Logger.Named(cfg.Name),
		StartTimeout:     cfg.StartTimeout,
	})
	rpc, err := pc.Client()
	if err != nil {
		pc.Kill()
		if errors.Is(err, plugin.ErrChecksumsDoNotMatch) {
			return nil, checksumError(cfg)
		}
		return nil, fmt.Errorf("starting plugin %q (%s): %w", cfg.Name, cfg.Path, err)
	}
	raw, err := rpc.Dispense(PluginName)
	if err != nil {
		pc.Kill()
		return nil, fmt.Errorf("plugin %q (%s): %w", cfg.Name, cfg.Path, err)
	}
	ex, ok := raw.(Executor)
	if !ok {
		pc.Kill()
		return nil, fmt.Errorf("plugin %q (%s) does not serve an executor", cfg.Name, cfg.Path)
	}
	return &Client{name: cfg.Name, pc: pc, exec: ex}, nil
}

func checksumError(cfg LaunchConfig) error {
	actual := "unreadable"
	if sum, err := FileSHA256(cfg.Path); err == nil {
		actual = hex.EncodeToString(sum)
	}
	return &ChecksumError{Name: cfg.Name, Path: cfg.Path, Expected: hex.EncodeToString(cfg.Checksum), Actual: actual}
}

// Executor returns the plugin's executor; its methods are RPCs.
func (c *Client) Executor() Executor { return c.exec }

// Name returns the executor name the client was launched under.
func (c *Client) Name() string { return c.name }

// Pid returns the plugin's process id, or 0 when it is not running.
func (c *Client) Pid() int {
	if rc := c.pc.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

// Addr is the plugin's listening address (a unix socket), or nil when it
// is not running.
func (c *Client) Addr() net.Addr {
	if rc := c.pc.ReattachConfig(); rc != nil {
		return rc.Addr
	}
	return nil
}

// Exited reports whether the plugin process has exited.
func (c *Client) Exited() bool { return c.pc.Exited() }

// Kill ends the plugin process: gracefully first, then forcibly.
func (c *Client) Kill() { c.pc.Kill() }
