package main

import (
	"github.com/spf13/cobra"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "reflow",
		Short:         "Run workflows of shell jobs on HPC clusters, skipping what is cached",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newApplyCmd(),
		newPlanCmd(),
		newValidateCmd(),
		newGraphCmd(),
		newStatusCmd(),
		newRunsCmd(),
		newLogsCmd(),
		newExplainCmd(),
		newCancelCmd(),
		newRetryCmd(),
		newResumeCmd(),
		newCacheCmd(),
		newPluginsCmd(),
		newReportCmd(),
		newVersionCmd(),
		newWorkerCmd(),
		newDispatchCmd(),
	)
	return root
}
