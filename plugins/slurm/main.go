// Command reflow-executor-slurm is reflow's Slurm executor plugin: it
// submits jobs with sbatch and follows them with squeue and sacct. The host
// starts it; it is not meant to be run by hand.
package main

import (
	"github.com/reflow-hpc/reflow/plugins/slurm/slurmexec"
	"github.com/reflow-hpc/reflow/sdk"
)

func main() {
	sdk.Serve(slurmexec.New(), sdk.WithName("slurm"))
}
