package runspec

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWriteFileAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "deep", "er", "f.json")
	for _, content := range []string{"first", "second, longer than the first"} {
		if err := WriteFileAtomic(path, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("read %q, %v; want %q", got, err, content)
		}
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, %v; want 0640", fi.Mode(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only f.json (temp files left behind?)", len(entries))
	}
}

func TestSpecAndResultRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := &Spec{Version: Version, RunID: "r1", RunDir: dir, Task: "upper", Index: 3, Attempt: 2,
		Command: "tr a-z A-Z < in > up.txt", Env: map[string]string{"A": "b"}, Outputs: []string{"up.txt"},
		MaxResultBytes: DefaultMaxResultBytes}
	sp := SpecPath(dir, "upper", 3)
	if err := WriteSpec(sp, spec); err != nil {
		t.Fatal(err)
	}
	gotSpec, err := ReadSpec(sp)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(spec, gotSpec); diff != "" {
		t.Errorf("spec round trip (-want +got):\n%s", diff)
	}

	at := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	res := &Result{Version: Version, Task: "upper", Index: 3, Attempt: 2, Outcome: Succeeded,
		Value: []byte("8\n"), Outputs: []Output{{Path: "/x/up.txt", Size: 4, ModTime: at, Digest: "sha256:00"}},
		Start: at, End: at.Add(time.Second), Host: "n1", PeakRSS: 1 << 20}
	rp := ResultPath(dir, "upper", 3, 2)
	if err := WriteResult(rp, res); err != nil {
		t.Fatal(err)
	}
	gotRes, err := ReadResult(rp)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(res, gotRes); diff != "" {
		t.Errorf("result round trip (-want +got):\n%s", diff)
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := ReadResult(filepath.Join(dir, "none.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing result: %v, want fs.ErrNotExist", err)
	}
	future := filepath.Join(dir, "future.json")
	if err := WriteSpec(future, &Spec{Version: Version + 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSpec(future); err == nil || !strings.Contains(err.Error(), "format version") {
		t.Errorf("spec from a newer reflow: %v, want a version error", err)
	}
	garbage := filepath.Join(dir, "garbage.json")
	os.WriteFile(garbage, []byte("{"), 0o644)
	if _, err := ReadResult(garbage); err == nil || !strings.Contains(err.Error(), "garbage.json") {
		t.Errorf("torn result: %v, want an error naming the file", err)
	}
}

func TestValuePath(t *testing.T) {
	t.Parallel()
	rp := ResultPath("/runs/r1", "join", -1, 1)
	if got, want := ValuePath(rp), "/runs/r1/.reflow/results/join.a1.value"; got != want {
		t.Errorf("ValuePath = %q, want %q", got, want)
	}
}
