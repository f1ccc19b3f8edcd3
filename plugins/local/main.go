// Command reflow-executor-local is reflow's local executor plugin: it runs
// jobs as process groups on this machine. The host starts it; it is not
// meant to be run by hand.
package main

import (
	"github.com/reflow-hpc/reflow/plugins/local/localexec"
	"github.com/reflow-hpc/reflow/sdk"
)

func main() {
	sdk.Serve(localexec.New(), sdk.WithName("local"))
}
