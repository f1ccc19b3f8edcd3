package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/core/worker"
)

// newWorkerCmd is the hidden command every job runs: it reads its spec from
// the run directory (never the store), runs the command and writes its
// result file.
func newWorkerCmd() *cobra.Command {
	var opts worker.Options
	index := -2
	cmd := &cobra.Command{
		Use:    "worker --run-dir DIR --task NAME [--attempt N] [--index I]",
		Short:  "Run one task instance inside a scheduler job (started by the engine)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if index == -2 {
				i, err := worker.IndexFromEnv()
				if err != nil {
					return invalidInput(err)
				}
				index = i
			}
			opts.Index = index
			// SIGTERM is the worker's to handle (it records it and stops
			// the command); the context only carries it there.
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, os.Interrupt)
			defer stop()
			if code := worker.Run(ctx, opts); code != 0 {
				return &silentExit{code: code}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.RunDir, "run-dir", "", "the run directory")
	cmd.Flags().StringVar(&opts.Task, "task", "", "the task name")
	cmd.Flags().IntVar(&opts.Attempt, "attempt", 0, "the attempt number")
	cmd.Flags().IntVar(&index, "index", -2, fmt.Sprintf("the element index (default $%s; none for a singleton)", worker.IndexEnv))
	cmd.MarkFlagRequired("run-dir")
	cmd.MarkFlagRequired("task")
	return cmd
}
