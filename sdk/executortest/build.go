package executortest

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Build compiles the plugin package pkg (an import path, or a relative path
// such as ".") into a temporary directory and returns the binary's path. The
// binary is named reflow-executor-<base>, as reflow's discovery expects,
// where base is the last element of pkg (of the working directory for ".").
//
// Build runs `go build` in the test's working directory, which `go test`
// sets to the package under test, so pkg resolves in the caller's module:
// a third-party plugin builds itself with Build(t, "."). It builds with
// CGO_ENABLED=0 because plugins must run on cluster nodes without reflow's
// C toolchain. The binary is removed when the test ends.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	// A short directory directly under the temp dir rather than t.TempDir(),
	// whose name repeats the test name: the plugin's path appears in every
	// log line and error message.
	dir, err := os.MkdirTemp("", "rxt")
	if err != nil {
		t.Fatalf("executortest.Build: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	out, err := BuildTo(dir, pkg)
	if err != nil {
		t.Fatalf("executortest.Build: %v", err)
	}
	return out
}

// BuildTo is Build for callers without a testing.TB, such as a TestMain that
// shares one build among many tests: it builds pkg into dir as
// reflow-executor-<base> and returns the binary's path. The caller removes
// dir.
func BuildTo(dir, pkg string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		// `go test` may have been started by absolute path with a PATH that
		// lacks go; the toolchain that built the test is still there.
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, statErr := os.Stat(goBin); statErr != nil {
			return "", fmt.Errorf("cannot find the go command: %w", err)
		}
	}
	base := path.Base(filepath.ToSlash(pkg))
	if base == "." || base == ".." || base == "/" || strings.HasPrefix(pkg, ".") {
		abs, err := filepath.Abs(pkg)
		if err != nil {
			return "", err
		}
		base = filepath.Base(abs)
	}
	base = strings.TrimPrefix(base, "reflow-executor-")
	out := filepath.Join(dir, "reflow-executor-"+base)

	cmd := exec.Command(goBin, "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build -o %s %s: %v\n%s", out, pkg, err, msg)
	}
	return out, nil
}
