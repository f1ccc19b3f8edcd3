package pluginhost

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
