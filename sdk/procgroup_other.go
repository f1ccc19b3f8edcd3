//go:build !unix

package sdk

import "os/exec"

// useProcessGroup does nothing where there are no process groups; the
// default cancellation kills the direct child only.
func useProcessGroup(cmd *exec.Cmd) {}
