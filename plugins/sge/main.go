// Command reflow-executor-sge is reflow's Grid Engine executor plugin (Son
// of Grid Engine, Univa/Altair Grid Engine, Open Grid Scheduler, Sun Grid
// Engine): it submits jobs with qsub and follows them with qstat and the
// accounting. The host starts it; it is not meant to be run by hand.
package main

import (
	"github.com/reflow-hpc/reflow/plugins/sge/sgeexec"
	"github.com/reflow-hpc/reflow/sdk"
)

func main() {
	sdk.Serve(sgeexec.New(), sdk.WithName("sge"))
}
