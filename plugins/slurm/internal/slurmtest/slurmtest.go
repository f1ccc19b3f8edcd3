// Package slurmtest holds what the Slurm executor's tests share about the
// real Slurm they run against.
package slurmtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RequireEnv names the environment variable that makes an unreachable
// Slurm a test failure instead of a skip. CI sets it, so a broken
// scripts/testenv/slurm-up.sh cannot turn the real-Slurm tests into silent
// skips.
const RequireEnv = "REFLOW_REQUIRE_SLURM"

var (
	once    sync.Once
	pingErr string
)

// Require returns when a Slurm controller answers `scontrol ping`. When
// none does it skips t with a message saying how to start one, or fails t
// when REFLOW_REQUIRE_SLURM=1.
func Require(t testing.TB) {
	t.Helper()
	once.Do(func() {
		if pingErr = ping(); pingErr == "" {
			holdCluster()
		}
	})
	if pingErr == "" {
		return
	}
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("Slurm is not reachable (%s) and %s=1: start it with scripts/testenv/slurm-up.sh (as root)", pingErr, RequireEnv)
	}
	t.Skipf("SKIPPED: no real Slurm to test against (%s); start one with scripts/testenv/slurm-up.sh (as root), or set %s=1 to make this a failure",
		pingErr, RequireEnv)
}

// holdCluster makes this test binary the only one using the cluster until
// it exits: `go test ./...` runs packages in parallel, and one package's
// 1,500-element fan-out would otherwise keep another's jobs pending past
// their waits. The lock is an flock on a file every Slurm test binary
// shares; the kernel drops it when the process ends, however it ends.
func holdCluster() {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "reflow-slurm-tests.lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return // no lock: the tests still run, only less isolated
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_EX) // held, with f, until exit
	lockFile = f
}

// lockFile keeps the cluster lock's file open for the life of the process.
var lockFile *os.File

// ping asks the controller whether it is up; "" means it is.
func ping() string {
	path, err := exec.LookPath("scontrol")
	if err != nil {
		return "scontrol is not installed"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "ping").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "is UP") {
		return "scontrol ping: " + strings.TrimSpace(string(out))
	}
	return ""
}

// TempDir returns a fresh directory with a short path under /tmp (job log
// paths and unix sockets stay short), removed when t ends. Jobs still
// running may write there after a failed test, so removal errors are
// ignored.
func TempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rsl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
