package main

import "github.com/spf13/cobra"

func newPluginsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plugins",
		Short: "List executor plugins and pin their checksums",
	}
	return cmd
}
