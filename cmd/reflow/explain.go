package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/core/cache"
	"github.com/reflow-hpc/reflow/core/engine"
	"github.com/reflow-hpc/reflow/core/store"
)

// explainLookback bounds how many earlier runs of the workflow explain
// searches for the same instance.
const explainLookback = 50

func newExplainCmd() *cobra.Command {
	var storeFlag string
	cmd := &cobra.Command{
		Use:   "explain RUN TASK[INDEX]",
		Short: "Show what a task's cache identity is made of, and what changed since the last run",
		Long: `Show the parts a task instance's cache identity was computed from, in the
order they are hashed: the instance, its rendered command, env, version,
declared outputs, input files with their digests, and the identities of the
upstream instances it reads. Then the identity itself.

When an earlier run of the same workflow has the same task (and index), say
why the identities differ (command changed, input X changed, upstream
changed, ...) or that they are the same.

RUN is a run id, or "latest" for the latest run started in this directory.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			_, st, err := commandStore(cmd, storeFlag)
			if err != nil {
				return err
			}
			defer st.Close()
			run, err := resolveRun(ctx, st, args[0])
			if err != nil {
				return err
			}
			in, err := findInstance(ctx, st, run, args[1])
			if err != nil {
				return err
			}
			name := refName(in.Task, in.Index)
			parts, recorded, err := engine.ReadParts(run.RunDir, in.Task, in.Index)
			switch {
			case errors.Is(err, fs.ErrNotExist) && in.Identity == "":
				return invalidInput(fmt.Errorf("%s has no cache identity yet (%s): it gets one when everything it reads is done", name, in.State))
			case errors.Is(err, fs.ErrNotExist):
				return invalidInput(fmt.Errorf("the identity parts of %s were not recorded (the run was made by an older reflow, or its .reflow directory was cleaned); identity %s", name, in.Identity))
			case err != nil:
				return infraError(fmt.Errorf("reading the identity parts of %s: %w", name, err))
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "run %s  workflow %s  %s  %s\n", run.ID, run.Workflow, name, in.State)
			if in.Reason != "" {
				fmt.Fprintf(out, "  %s\n", in.Reason)
			}
			fmt.Fprintln(out, "\nidentity parts:")
			printParts(out, parts)
			fmt.Fprintf(out, "\nidentity %s\n", recorded)
			if in.Identity != "" && in.Identity != recorded {
				// The store is written after the parts file: a mismatch means
				// the round that computed these parts never committed.
				fmt.Fprintf(out, "  (the store records identity %s: these parts are from a round that did not complete)\n", in.Identity)
			}
			prev, prevParts, err := earlierParts(ctx, st, run, in)
			if err != nil {
				return infraError(err)
			}
			if prev == "" {
				fmt.Fprintf(out, "\nno earlier run of workflow %s recorded %s\n", run.Workflow, name)
				return nil
			}
			reasons := cache.Diff(prevParts, parts)
			if len(reasons) == 0 {
				fmt.Fprintf(out, "\nsame identity as in run %s\n", prev)
				return nil
			}
			fmt.Fprintf(out, "\nchanged since run %s:\n", prev)
			for _, r := range reasons {
				fmt.Fprintf(out, "  %s\n", r)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&storeFlag, "store", "", "manifest store path")
	return cmd
}

// printParts prints cache.Parts.List, a multi-line command indented under
// its label.
func printParts(w io.Writer, p cache.Parts) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, part := range p.List() {
		lines := strings.Split(strings.TrimRight(part.Value, "\n"), "\n")
		if part.Value == "" {
			lines = []string{"(none)"}
		}
		fmt.Fprintf(tw, "  %s\t%s\n", part.Label, lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(tw, "  \t%s\n", l)
		}
	}
	tw.Flush()
}

// earlierParts finds the newest run of the same workflow, older than run,
// that recorded parts for the same task and index.
func earlierParts(ctx context.Context, st *store.Store, run store.Run, in store.Instance) (string, cache.Parts, error) {
	var runs []store.Run
	err := st.View(ctx, func(tx *store.Tx) (err error) {
		runs, err = tx.ListRuns(ctx, store.RunFilter{Workflow: run.Workflow})
		return err
	})
	if err != nil {
		return "", cache.Parts{}, err
	}
	looked := 0
	for _, r := range runs {
		// ListRuns is newest first: skip the run itself and newer ones.
		if !r.Created.Before(run.Created) && !(r.Created.Equal(run.Created) && r.ID < run.ID) {
			continue
		}
		if looked++; looked > explainLookback {
			break
		}
		if p, _, err := engine.ReadParts(r.RunDir, in.Task, in.Index); err == nil {
			return r.ID, p, nil
		}
	}
	return "", cache.Parts{}, nil
}
