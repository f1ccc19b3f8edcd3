package pluginhost

import (
	"context"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// localPlugin returns the directory holding the real local executor plugin,
// built once by TestMain.
func localPlugin(t *testing.T) string {
	t.Helper()
	if localPluginDir == "" {
		t.Fatal("TestMain did not build the local plugin")
	}
	return localPluginDir
}

func TestHostLaunchesOncePerExecutor(t *testing.T) {
	t.Setenv(PathEnv, localPlugin(t))
	ctx := context.Background()
	h := New(Options{Settings: map[string]map[string]any{
		"local": {"state_dir": t.TempDir(), "slots": 2.0},
	}})
	defer h.Close()
	a, err := h.Get(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Get(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	if a.Client.Pid() == 0 || a.Client.Pid() != b.Client.Pid() {
		t.Errorf("second Get started another process: pids %d, %d", a.Client.Pid(), b.Client.Pid())
	}
	if a.Info.Name != "local" || a.Info.ProtocolVersion != pluginapi.ProtocolVersion {
		t.Errorf("Info = %+v", a.Info)
	}
	h.Close()
	if !a.Client.Exited() {
		t.Error("plugin still running after Close")
	}
}

func TestHostRejectsBadSettings(t *testing.T) {
	t.Setenv(PathEnv, localPlugin(t))
	h := New(Options{Settings: map[string]map[string]any{"local": {"slots": "many"}}})
	defer h.Close()
	_, err := h.Get(context.Background(), "local")
	if err == nil || !strings.Contains(err.Error(), "settings.slots") {
		t.Errorf("err = %v, want a diagnostic naming settings.slots", err)
	}
}

func TestPinnedPluginWithChangedBinaryRefusesToStart(t *testing.T) {
	src := filepath.Join(localPlugin(t), "reflow-executor-local")
	dir := t.TempDir()
	bin := filepath.Join(dir, "reflow-executor-local")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(PathEnv, dir)
	sum, err := pluginapi.FileSHA256(bin)
	if err != nil {
		t.Fatal(err)
	}
	lock := NewLock()
	lock.Plugins["local"] = LockedPlug{Path: bin, SHA256: hex.EncodeToString(sum)}
	ctx := context.Background()

	h := New(Options{Lock: lock, Settings: map[string]map[string]any{"local": {"state_dir": t.TempDir()}}})
	if _, err := h.Get(ctx, "local"); err != nil {
		t.Fatalf("pinned, unchanged plugin: %v", err)
	}
	h.Close()

	f, err := os.OpenFile(bin, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{0})
	f.Close()
	changed, _ := pluginapi.FileSHA256(bin)

	h = New(Options{Lock: lock})
	defer h.Close()
	_, err = h.Get(ctx, "local")
	var ce *pluginapi.ChecksumError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a checksum error", err)
	}
	for _, want := range []string{`"local"`, hex.EncodeToString(sum), hex.EncodeToString(changed)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// TestPluginLogsAreReEmittedUnderItsName checks that a plugin's own log
// lines reach the host's logger, named after the executor.
func TestPluginLogsAreReEmittedUnderItsName(t *testing.T) {
	t.Setenv(PathEnv, localPlugin(t))
	t.Setenv("REFLOW_PLUGIN_LOG", "debug")
	var buf syncBuffer
	logger := hclog.New(&hclog.LoggerOptions{Name: "reflow", Output: &buf, Level: hclog.Debug})
	h := New(Options{Logger: logger, Settings: map[string]map[string]any{"local": {"state_dir": t.TempDir()}}})
	defer h.Close()
	ctx := context.Background()
	r, err := h.Get(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	wd := t.TempDir()
	resp, err := r.Executor().Submit(ctx, &pluginapi.SubmitRequest{Job: pluginapi.JobSpec{
		RunID: "logs", Task: "t", WorkDir: wd, Script: "env > env.txt", Stdout: wd + "/out", Stderr: wd + "/err"}})
	if err != nil || resp.Diagnostics.HasErrors() {
		t.Fatalf("submit: %v %v", err, resp.Diagnostics)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(buf.String(), "started job") {

		if time.Now().After(deadline) {
			t.Fatalf("no plugin log line reached the host; host log:\n%s", buf.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The plugin's TLS key must not leak into the jobs it starts.
	var env []byte
	waitUntil(t, "the job to write env.txt", func() bool {
		env, err = os.ReadFile(wd + "/env.txt")
		return err == nil && len(env) > 0
	})
	if strings.Contains(string(env), "PRIVATE KEY") || strings.Contains(string(env), "REFLOW_PLUGIN_TLS") {
		t.Errorf("a job inherited the plugin's TLS material:\n%s", env)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.Contains(line, "started job") && !strings.Contains(line, "reflow.local") {
			t.Errorf("plugin line not named after its executor: %s", line)
		}
	}
	// The job's runner writes its exit status into the state dir after
	// env.txt: the test ends only once the job has, or removing the state
	// dir races with that write.
	waitUntil(t, "the job to end", func() bool {
		p, err := r.Executor().Poll(ctx, &pluginapi.PollRequest{Handles: []pluginapi.Handle{resp.Handle}})
		if err != nil {
			t.Fatal(err)
		}
		return p.Jobs[0].State.Terminal()
	})
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPluginSocketRequiresMutualTLS dials the plugin's socket without TLS,
// and with TLS but without the host's certificate: both must be refused, so
// no other process can drive a plugin.
func TestPluginSocketRequiresMutualTLS(t *testing.T) {
	t.Setenv(PathEnv, localPlugin(t))
	h := New(Options{Settings: map[string]map[string]any{"local": {"state_dir": t.TempDir()}}})
	defer h.Close()
	ctx := context.Background()
	r, err := h.Get(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	addr := r.Client.Addr()
	if addr == nil || addr.Network() != "unix" {
		t.Fatalf("plugin address = %v, want a unix socket", addr)
	}
	if dir, want := filepath.Dir(addr.String()), fmt.Sprintf("/tmp/reflow-%d", os.Getuid()); dir != want {
		t.Errorf("socket %s is not in the short private dir", addr)
	}
	dialer := grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", addr.String())
	})
	for name, creds := range map[string]credentials.TransportCredentials{
		"plaintext":       insecure.NewCredentials(),
		"tls-no-host-key": credentials.NewTLS(&tls.Config{InsecureSkipVerify: true}),
	} {
		t.Run(name, func(t *testing.T) {
			conn, err := grpc.NewClient("passthrough:///plugin", dialer, grpc.WithTransportCredentials(creds))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			_, err = healthpb.NewHealthClient(conn).Check(cctx, &healthpb.HealthCheckRequest{Service: "plugin"})
			if err == nil {
				t.Fatal("the plugin answered a client without the host's certificate")
			}
		})
	}
	// The real host still gets through.
	if _, err := r.Executor().Info(ctx, &pluginapi.InfoRequest{}); err != nil {
		t.Fatal(err)
	}
}

// TestLongTMPDIR: a unix socket path is limited to ~107 bytes, and cluster
// TMPDIRs are often long; plugins must still start.
func TestLongTMPDIR(t *testing.T) {
	t.Setenv(PathEnv, localPlugin(t))
	long := filepath.Join(t.TempDir(), strings.Repeat("scratch-job-tmp-", 8))
	if err := os.MkdirAll(long, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", long)
	h := New(Options{Settings: map[string]map[string]any{"local": {"state_dir": t.TempDir()}}})
	defer h.Close()
	if _, err := h.Get(context.Background(), "local"); err != nil {
		t.Fatalf("with a %d-byte TMPDIR: %v", len(long), err)
	}
}
