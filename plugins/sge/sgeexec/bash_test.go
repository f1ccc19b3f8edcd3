package sgeexec

import (
	"errors"
	"os"
	"os/exec"
	"testing"
)

// runBash runs a script with bash in dir, stdin from /dev/null, as an
// execution host would, and returns its exit status.
func runBash(t *testing.T, script, dir string, env ...string) int {
	t.Helper()
	cmd := exec.Command("bash", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatalf("bash %s: %v: %s", script, err, out)
	return -1
}
