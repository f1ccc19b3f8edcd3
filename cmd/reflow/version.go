package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print reflow's version and the executor protocol it speaks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "reflow %s (executor protocol %d, %s)\n",
				version, pluginapi.ProtocolVersion, runtime.Version())
			return nil
		},
	}
}
