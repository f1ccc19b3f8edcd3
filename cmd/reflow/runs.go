package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/core/store"
)

// runJSON is one element of `reflow runs --json`. Like status --json it is
// a contract for scripts: add fields, never rename or remove them.
type runJSON struct {
	RunID    string     `json:"run_id"`
	Workflow string     `json:"workflow"`
	State    string     `json:"state"`
	Reason   string     `json:"reason"`
	File     string     `json:"file"`
	RunDir   string     `json:"run_dir"`
	Started  *time.Time `json:"started"`
	Finished *time.Time `json:"finished"`
	// DurationSeconds runs to Finished, or to now while the run runs.
	DurationSeconds float64 `json:"duration_seconds"`
	// Tasks counts instances by state; states with none are absent.
	Tasks map[string]int `json:"tasks"`
}

func newRunsCmd() *cobra.Command {
	var (
		workflow, state, storeFlag string
		limit                      int
		asJSON                     bool
	)
	cmd := &cobra.Command{
		Use:   "runs [--workflow W] [--state S] [--limit N] [--json]",
		Short: "List the runs in the store, newest first",
		Long: `List the runs in the store, newest first: id, workflow, state, when it
started, how long it ran (so far, while running), how many task instances are
in each state, and the run directory.

--json prints an array of objects with the keys run_id, workflow, state,
reason, file, run_dir, started, finished (null while running),
duration_seconds and tasks (instance counts by state).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := store.RunFilter{Workflow: workflow, State: store.RunState(state), Limit: limit}
			if state != "" && !f.State.Valid() {
				return invalidInput(fmt.Errorf("--state %s: use one of %s", state, joinStates(store.RunStates)))
			}
			if limit < 0 {
				return invalidInput(fmt.Errorf("--limit %d: use 0 for every run, or a positive number", limit))
			}
			_, st, err := commandStore(cmd, storeFlag)
			if err != nil {
				return err
			}
			defer st.Close()
			rows, err := listRuns(cmd.Context(), st, f)
			if err != nil {
				return infraError(err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			if len(rows) == 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "no runs%s in the store %s\n", filterText(f), st.Path())
				return nil
			}
			printRuns(out, rows)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&workflow, "workflow", "", "only runs of this workflow (its workflow block's name)")
	fl.StringVar(&state, "state", "", "only runs in this state: "+joinStates(store.RunStates))
	fl.IntVar(&limit, "limit", 20, "show at most N runs; 0 shows all")
	fl.BoolVar(&asJSON, "json", false, "print a JSON array of {run_id, workflow, state, reason, file, run_dir, started, finished, duration_seconds, tasks}")
	fl.StringVar(&storeFlag, "store", "", "manifest store path")
	return cmd
}

func listRuns(ctx context.Context, st *store.Store, f store.RunFilter) ([]runJSON, error) {
	rows := []runJSON{}
	now := st.Now()
	err := st.View(ctx, func(tx *store.Tx) error {
		runs, err := tx.ListRuns(ctx, f)
		if err != nil {
			return err
		}
		for _, r := range runs {
			counts, err := tx.CountInstances(ctx, r.ID)
			if err != nil {
				return err
			}
			row := runJSON{RunID: r.ID, Workflow: r.Workflow, State: string(r.State), Reason: r.Reason,
				File: r.FilePath, RunDir: r.RunDir, Started: timePtr(r.Started), Finished: timePtr(r.Finished),
				Tasks: map[string]int{}}
			start := r.Started
			if start.IsZero() {
				start = r.Created
				row.Started = timePtr(r.Created)
			}
			end := r.Finished
			if end.IsZero() {
				end = now
			}
			if d := end.Sub(start); d > 0 {
				row.DurationSeconds = d.Round(time.Millisecond).Seconds()
			}
			for s, n := range counts {
				row.Tasks[string(s)] = n
			}
			rows = append(rows, row)
		}
		return nil
	})
	return rows, err
}

func printRuns(w io.Writer, rows []runJSON) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tWORKFLOW\tSTATE\tSTARTED\tDURATION\tTASKS\tRUN DIR")
	for _, r := range rows {
		started := "-"
		if r.Started != nil {
			started = r.Started.Local().Format("2006-01-02 15:04:05")
		}
		dur := formatDuration(time.Duration(r.DurationSeconds * float64(time.Second)))
		if r.Finished == nil {
			dur += "+" // still running
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.RunID, r.Workflow, r.State, started, dur, countsText(r.Tasks), r.RunDir)
	}
	tw.Flush()
}

// countsText writes instance counts in the order a run progresses:
// "3 succeeded, 1 failed, 2 skipped".
func countsText(counts map[string]int) string {
	var parts []string
	for _, s := range store.InstanceStates {
		if n := counts[string(s)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// formatDuration is compact and rounded for a table: 850ms, 12s, 3m05s,
// 2h07m, 3d04h.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
}

func joinStates(states []store.RunState) string {
	s := make([]string, len(states))
	for i, st := range states {
		s[i] = string(st)
	}
	return strings.Join(s, ", ")
}

func filterText(f store.RunFilter) string {
	var parts []string
	if f.Workflow != "" {
		parts = append(parts, "of workflow "+f.Workflow)
	}
	if f.State != "" {
		parts = append(parts, "in state "+string(f.State))
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " ")
}
