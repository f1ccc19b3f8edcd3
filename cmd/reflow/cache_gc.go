package main

import (
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/core/store"
)

func newCacheCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Manage the cache of task results",
	}
	cmd.AddCommand(newCacheGCCmd())
	return cmd
}

// errDryRun rolls back the gc transaction of --dry-run.
var errDryRun = errors.New("dry run")

func newCacheGCCmd() *cobra.Command {
	var (
		olderThan, storeFlag string
		verbose, dryRun      bool
	)
	cmd := &cobra.Command{
		Use:   "gc [--older-than D] [-v] [--dry-run]",
		Short: "Forget cache entries not used for a while (default 30 days)",
		Long: `Forget the cache entries that no run has used (created or been served from)
for longer than --older-than (default 30d). A later run of such a task runs it
again instead of reusing its old outputs.

Only the entries in the store are removed: no file is deleted. Outputs stay
in their run directories until you remove those yourself.

D is days (30d, 1.5d, 1d12h) or a duration (72h, 90m); 0 forgets every entry.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			age, err := parseAge(olderThan)
			if err != nil {
				return invalidInput(fmt.Errorf("--older-than: %w", err))
			}
			_, st, err := commandStore(cmd, storeFlag)
			if err != nil {
				return err
			}
			defer st.Close()
			cutoff := st.Now().Add(-age)
			var removed []store.CacheEntry
			err = st.Update(cmd.Context(), func(tx *store.Tx) (err error) {
				if removed, err = tx.CacheGC(cmd.Context(), cutoff); err != nil || !dryRun {
					return err
				}
				return errDryRun
			})
			if err != nil && !errors.Is(err, errDryRun) {
				return infraError(err)
			}
			out := cmd.OutOrStdout()
			verb := "removed"
			if dryRun {
				verb = "would remove"
			}
			fmt.Fprintf(out, "%s %s not used since %s (older than %s); no files were deleted\n",
				verb, entriesText(len(removed)), cutoff.Local().Format("2006-01-02 15:04:05"), olderThan)
			if verbose && len(removed) > 0 {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "IDENTITY\tTASK\tRUN\tLAST USED")
				for _, e := range removed {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Identity, refName(e.Task, e.Index), e.RunID,
						e.LastUsed.Local().Format(time.DateTime))
				}
				tw.Flush()
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&olderThan, "older-than", "30d", "forget entries last used longer ago than this (30d, 1d12h, 72h)")
	fl.BoolVarP(&verbose, "verbose", "v", false, "list each removed entry: identity, task, run, last use")
	fl.BoolVar(&dryRun, "dry-run", false, "only say what would be removed")
	fl.StringVar(&storeFlag, "store", "", "manifest store path")
	return cmd
}

func entriesText(n int) string {
	if n == 1 {
		return "1 cache entry"
	}
	return fmt.Sprintf("%d cache entries", n)
}
