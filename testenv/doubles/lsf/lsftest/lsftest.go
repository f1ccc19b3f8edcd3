// Package lsftest installs the LSF test double for a test and stops it
// cleanly when the test ends.
package lsftest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/reflow-hpc/reflow/testenv/doubles"
)

// Install is doubles.Install(t, "lsf") plus a cleanup that, before the
// state directory is removed, ends the jobs still in it and waits for the
// double's background processes (mbatchd, and res for each running
// element) to exit, so none of them writes into a directory being removed.
func Install(t testing.TB) doubles.Env {
	t.Helper()
	env := doubles.Install(t, "lsf")
	// Registered after Install's t.TempDir, so it runs before the removal.
	t.Cleanup(func() {
		// doubles links bsub, bjobs and bkill to one binary; started under
		// another name it acts as that role.
		exe, err := os.Readlink(filepath.Join(env.Bin, "bsub"))
		if err != nil {
			t.Logf("lsftest: %v", err)
			return
		}
		cmd := &exec.Cmd{Path: exe, Args: []string{"lsf-quiesce"}, Env: append(os.Environ(), doubles.StateEnv+"="+env.State)}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("lsftest: stopping the LSF double: %v %s", err, out)
		}
	})
	return env
}
