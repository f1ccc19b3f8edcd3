//go:build unix

package sdk

import (
	"os/exec"
	"syscall"
)

// useProcessGroup starts cmd in a new process group and makes cancellation
// kill the whole group, not just the direct child: a wrapper script's
// children would otherwise live on after a timeout.
func useProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// With Setpgid and Pgid 0 the group id is the child's pid; the
		// negative pid addresses the group.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
