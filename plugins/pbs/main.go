// Command reflow-executor-pbs is reflow's PBS executor plugin: it submits
// jobs with qsub, follows them with one qstat per round and cancels them
// with qdel, on OpenPBS and PBS Pro, or on Torque with dialect = "torque".
// The host starts it; it is not meant to be run by hand.
package main

import (
	"github.com/reflow-hpc/reflow/plugins/pbs/pbsexec"
	"github.com/reflow-hpc/reflow/sdk"
)

func main() {
	sdk.Serve(pbsexec.New(), sdk.WithName("pbs"))
}
