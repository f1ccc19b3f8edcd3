package pluginhost

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeExe(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), mode); err != nil {
		t.Fatal(err)
	}
}

func TestDiscover(t *testing.T) {
	root := t.TempDir()
	envDir := filepath.Join(root, "env")
	userDir := filepath.Join(root, "user")
	siteDir := filepath.Join(root, "site")
	writeExe(t, filepath.Join(envDir, "reflow-executor-slurm"), 0o755)
	writeExe(t, filepath.Join(userDir, "reflow-executor-slurm"), 0o755) // shadowed by env
	writeExe(t, filepath.Join(userDir, "reflow-executor-pbs"), 0o755)
	writeExe(t, filepath.Join(siteDir, "reflow-executor-pbs"), 0o755) // shadowed by user
	writeExe(t, filepath.Join(siteDir, "reflow-executor-lsf"), 0o755)
	writeExe(t, filepath.Join(siteDir, "reflow-executor-sge"), 0o644)       // not executable
	writeExe(t, filepath.Join(siteDir, "reflow-executor-flux.orig"), 0o755) // backup
	writeExe(t, filepath.Join(siteDir, "reflow-executor-"), 0o755)          // no name
	writeExe(t, filepath.Join(siteDir, "other-tool"), 0o755)
	if err := os.MkdirAll(filepath.Join(siteDir, "reflow-executor-dir"), 0o755); err != nil {
		t.Fatal(err)
	}

	t.Setenv(PathEnv, envDir+string(os.PathListSeparator)+filepath.Join(root, "missing"))
	dirs := SearchDirs([]string{userDir, siteDir})
	if diff := cmp.Diff([]string{envDir, filepath.Join(root, "missing"), userDir, siteDir}, dirs[:4]); diff != "" {
		t.Errorf("search order (-want +got):\n%s", diff)
	}
	if len(dirs) != 5 {
		t.Errorf("want the reflow binary's directory last, got %v", dirs)
	}

	got := Discover(dirs[:4])
	want := []Plugin{
		{Name: "lsf", Path: filepath.Join(siteDir, "reflow-executor-lsf")},
		{Name: "pbs", Path: filepath.Join(userDir, "reflow-executor-pbs")},
		{Name: "slurm", Path: filepath.Join(envDir, "reflow-executor-slurm")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Discover (-want +got):\n%s", diff)
	}
}

func TestFindNamesWhatIsAvailable(t *testing.T) {
	dir := t.TempDir()
	writeExe(t, filepath.Join(dir, "reflow-executor-local"), 0o755)
	t.Setenv(PathEnv, dir)
	h := New(Options{})
	if _, err := h.Find("local"); err != nil {
		t.Fatal(err)
	}
	_, err := h.Find("slurm")
	if err == nil {
		t.Fatal("found a plugin that does not exist")
	}
	for _, want := range []string{`"slurm"`, "reflow-executor-slurm", dir, "available: local"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}
