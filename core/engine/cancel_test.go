package engine

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/reflow-hpc/reflow/core/cache"
)

func TestParseHolder(t *testing.T) {
	tests := []struct {
		in   string
		host string
		pid  int
		ok   bool
	}{
		{"login1:4242:ab12cd34", "login1", 4242, true},
		{"node-7.cluster:1:ff", "node-7.cluster", 1, true},
		{"a:b:12:ff", "a:b", 12, true},
		{"login1:x:ab", "", 0, false},
		{"login1:0:ab", "", 0, false},
		{"login1:4242", "", 0, false},
		{"", "", 0, false},
	}
	for _, tt := range tests {
		host, pid, ok := parseHolder(tt.in)
		if ok != tt.ok || host != tt.host || pid != tt.pid {
			t.Errorf("parseHolder(%q) = %q, %d, %v; want %q, %d, %v", tt.in, host, pid, ok, tt.host, tt.pid, tt.ok)
		}
	}
}

// TestProcessAlive: this process is alive; a child that exited and was
// reaped is not.
func TestProcessAlive(t *testing.T) {
	if !processAlive(os.Getpid()) {
		t.Error("this process reported dead")
	}
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("cannot run true:", err)
	}
	if processAlive(cmd.Process.Pid) {
		t.Errorf("exited pid %d reported alive", cmd.Process.Pid)
	}
}

func TestPartsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := ReadParts(dir, "upper", 2); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadParts before writing: %v, want not exist", err)
	}
	p := cache.Parts{Task: "upper", Index: 2, Command: "tr a-z A-Z < x\n", Env: map[string]string{"A": "1"},
		Version: "v2", Outputs: []string{"up.txt"}, Inputs: map[string]string{"/d/x": "sha256:00"},
		Upstream: []cache.Upstream{{Task: "split", Index: -1, Identity: "abc"}}}
	older := p
	older.Command = "old"
	other := p
	other.Index = 3
	d := &dispatcher{m: &model{}}
	d.m.run.RunDir = dir
	// Two rounds: the later record of index 2 is the one read back.
	d.recordParts([]partsRecord{{&older, older.Identity()}, {&other, other.Identity()}})
	d.recordParts([]partsRecord{{&p, p.Identity()}})
	got, id, err := ReadParts(dir, "upper", 2)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) || id != p.Identity() || got.Identity() != id {
		t.Errorf("round trip: got %+v (%s), want %+v (%s)", got, id, p, p.Identity())
	}
	if got, _, err := ReadParts(dir, "upper", 3); err != nil || got.Index != 3 {
		t.Errorf("index 3: %+v, %v", got, err)
	}
	if _, _, err := ReadParts(dir, "upper", -1); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("no singleton record: %v, want not exist", err)
	}
	// A last line still being written is ignored; a broken line with
	// others after it is an error.
	path := filepath.Join(dir, ".reflow", "parts", "upper.jsonl")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"identity":"x","task":"upper","ind`)
	f.Close()
	if got, _, err := ReadParts(dir, "upper", 2); err != nil || got.Command != p.Command {
		t.Errorf("with a partial last line: %+v, %v", got, err)
	}
	f, _ = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("\n{}\n")
	f.Close()
	if _, _, err := ReadParts(dir, "upper", 2); err == nil || !strings.Contains(err.Error(), "upper.jsonl:4") {
		t.Errorf("with a broken line in the middle: %v, want an error naming line 4", err)
	}
}
