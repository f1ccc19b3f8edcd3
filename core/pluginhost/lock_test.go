package pluginhost

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLockRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conf", LockFileName)
	l, err := ReadLock(path)
	if err != nil {
		t.Fatalf("a missing lock file is an empty lock: %v", err)
	}
	if len(l.Plugins) != 0 {
		t.Fatalf("empty lock has %d plugins", len(l.Plugins))
	}
	sum := strings.Repeat("ab", 32)
	l.Plugins["local"] = LockedPlug{Path: "/opt/reflow/bin/reflow-executor-local", SHA256: sum}
	if err := l.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l, back); diff != "" {
		t.Errorf("round trip (-wrote +read):\n%s", diff)
	}
	if got := back.Checksum("local"); len(got) != 32 || got[0] != 0xab {
		t.Errorf("Checksum(local) = %x", got)
	}
	if back.Checksum("slurm") != nil {
		t.Error("an unpinned plugin has a checksum")
	}
}

func TestReadLockErrors(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"not json", "nonsense", "is not valid"},
		{"future version", `{"version": 9, "plugins": {}}`, "has version 9"},
		{"short checksum", `{"version": 1, "plugins": {"local": {"path": "/x", "sha256": "abcd"}}}`, `plugin "local" has an invalid sha256`},
		{"not hex", `{"version": 1, "plugins": {"local": {"path": "/x", "sha256": "` + strings.Repeat("zz", 32) + `"}}}`, "invalid sha256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "lock.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadLock(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("err = %v, want it to name %s and say %q", err, path, tt.want)
			}
		})
	}
}

func TestDefaultLockPath(t *testing.T) {
	t.Setenv("REFLOW_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", "/xdg")
	if got := DefaultLockPath(); got != "/xdg/reflow/"+LockFileName {
		t.Errorf("DefaultLockPath = %s", got)
	}
	t.Setenv("REFLOW_CONFIG", "/etc/reflow/site.hcl")
	if got := DefaultLockPath(); got != "/etc/reflow/"+LockFileName {
		t.Errorf("DefaultLockPath with REFLOW_CONFIG = %s", got)
	}
}
