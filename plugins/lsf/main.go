// Command reflow-executor-lsf is reflow's executor plugin for IBM Spectrum
// LSF: it submits jobs with bsub (the job script on stdin), follows them
// with one bjobs call per poll and cancels them with bkill. The host starts
// it; it is not meant to be run by hand.
package main

import (
	"github.com/reflow-hpc/reflow/plugins/lsf/lsfexec"
	"github.com/reflow-hpc/reflow/sdk"
)

func main() {
	sdk.Serve(lsfexec.New(), sdk.WithName("lsf"))
}
