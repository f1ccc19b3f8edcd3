// Command reflow-executor-flux is reflow's executor plugin for the Flux
// resource manager (flux-core). The host starts it; it is not meant to be
// run by hand.
package main

import (
	"github.com/reflow-hpc/reflow/plugins/flux/fluxexec"
	"github.com/reflow-hpc/reflow/sdk"
)

func main() {
	sdk.Serve(fluxexec.New(), sdk.WithName("flux"))
}
