package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/core/engine"
	"github.com/reflow-hpc/reflow/core/store"
)

// statusJSON is `reflow status --json`. Its shape is a contract: scripts
// read it. Add fields; never rename or remove them.
type statusJSON struct {
	RunID    string       `json:"run_id"`
	Workflow string       `json:"workflow"`
	State    string       `json:"state"`
	Reason   string       `json:"reason,omitempty"`
	RunDir   string       `json:"run_dir"`
	Started  *time.Time   `json:"started"`
	Finished *time.Time   `json:"finished"`
	Tasks    []taskStatus `json:"tasks"`
	// Dispatcher is the run's dispatcher job (detached modes chain and
	// resident); absent otherwise.
	Dispatcher *dispatcherStatus `json:"dispatcher,omitempty"`
}

// dispatcherStatus is the dispatcher job of a run.
type dispatcherStatus struct {
	Mode       string `json:"mode"`
	Executor   string `json:"executor"`
	NativeID   string `json:"native_id"`
	Generation int    `json:"generation"`
	WaitsFor   int    `json:"waits_for"`
	TimerID    string `json:"timer_native_id,omitempty"`
}

type taskStatus struct {
	Task     string          `json:"task"`
	Index    *int            `json:"index"`
	State    string          `json:"state"`
	Attempt  int             `json:"attempt"`
	Cached   bool            `json:"cached"`
	ExitCode *int            `json:"exit_code"`
	Reason   string          `json:"reason"`
	Result   json.RawMessage `json:"result"`
	Outputs  []string        `json:"outputs"`
	NativeID string          `json:"native_id"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func buildStatus(run store.Run, insts []store.Instance) statusJSON {
	s := statusJSON{RunID: run.ID, Workflow: run.Workflow, State: string(run.State), Reason: run.Reason,
		RunDir: run.RunDir, Started: timePtr(run.Started), Finished: timePtr(run.Finished), Tasks: []taskStatus{}}
	if s.Started == nil {
		s.Started = timePtr(run.Created)
	}
	if dj, ok := engine.RunDispatcherJob(run); ok {
		s.Dispatcher = &dispatcherStatus{Mode: dj.Mode, Executor: dj.Executor, NativeID: dj.Handle.ID,
			Generation: dj.Generation, WaitsFor: dj.WaitsFor}
		if dj.Timer != nil {
			s.Dispatcher.TimerID = dj.Timer.ID
		}
	}
	for _, in := range insts {
		t := taskStatus{Task: in.Task, State: string(in.State), Attempt: in.Attempt, Cached: in.Cached,
			Reason: in.Reason, Result: in.Result, Outputs: []string{}, NativeID: in.Handle.ID}
		if in.Index != store.SingletonIndex {
			idx := in.Index
			t.Index = &idx
		}
		if in.ExitCode != store.NoExitCode {
			code := in.ExitCode
			t.ExitCode = &code
		}
		if len(t.Result) == 0 {
			t.Result = json.RawMessage("null")
		}
		for _, o := range in.Outputs {
			t.Outputs = append(t.Outputs, o.Path)
		}
		s.Tasks = append(s.Tasks, t)
	}
	return s
}

func newStatusCmd() *cobra.Command {
	var asJSON, watch bool
	var interval time.Duration
	var storeFlag string
	cmd := &cobra.Command{
		Use:   "status [RUN]",
		Short: "Show a run's state and every task's state (default: the latest run here)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			site, err := loadSite(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			st, err := openStore(ctx, storeFlag, site)
			if err != nil {
				return err
			}
			defer st.Close()
			run, err := resolveRun(ctx, st, firstArg(args))
			if err != nil {
				return err
			}
			for {
				if err := st.View(ctx, func(tx *store.Tx) (err error) { run, err = tx.GetRun(ctx, run.ID); return err }); err != nil {
					return infraError(err)
				}
				insts, err := listInstances(ctx, st, run.ID)
				if err != nil {
					return infraError(err)
				}
				s := buildStatus(run, insts)
				if watch && !asJSON && isTerminal(cmd.OutOrStdout()) {
					fmt.Fprint(cmd.OutOrStdout(), "\033[H\033[2J") // redraw in place
				}
				if asJSON {
					enc := json.NewEncoder(cmd.OutOrStdout())
					enc.SetIndent("", "  ")
					if err := enc.Encode(s); err != nil {
						return err
					}
				} else {
					printStatus(cmd.OutOrStdout(), s)
				}
				if !watch || run.State.Terminal() {
					return nil
				}
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(interval):
				}
			}
		},
	}
	cmd.Flags().BoolVarP(&watch, "watch", "w", false, "show the status again every --interval until the run ends")
	cmd.Flags().DurationVar(&interval, "interval", 2*time.Second, "how often --watch refreshes")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object: run_id, workflow, state, run_dir, started, finished, tasks")
	cmd.Flags().StringVar(&storeFlag, "store", "", "manifest store path")
	return cmd
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func listInstances(ctx context.Context, st *store.Store, runID string) ([]store.Instance, error) {
	var out []store.Instance
	err := st.View(ctx, func(tx *store.Tx) (err error) {
		out, err = tx.ListInstances(ctx, runID, store.InstanceFilter{})
		return err
	})
	return out, err
}

func printStatus(w io.Writer, s statusJSON) {
	fmt.Fprintf(w, "run %s  workflow %s  %s\n", s.RunID, s.Workflow, s.State)
	if s.Reason != "" {
		fmt.Fprintf(w, "  %s\n", s.Reason)
	}
	if d := s.Dispatcher; d != nil {
		fmt.Fprintf(w, "dispatcher: %s job %s on %s (link %d", d.Mode, d.NativeID, d.Executor, d.Generation)
		if d.Mode == "chain" {
			fmt.Fprintf(w, ", starts when one of %d jobs ends", d.WaitsFor)
			if d.TimerID != "" {
				fmt.Fprintf(w, " or timer job %s does", d.TimerID)
			}
		}
		fmt.Fprintf(w, "; its log: %s/.reflow/logs/dispatch.g%d.err)\n", s.RunDir, d.Generation)
	}
	fmt.Fprintf(w, "run dir %s (logs in %s/.reflow/logs)\n\n", s.RunDir, s.RunDir)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TASK\tSTATE\tATTEMPT\tEXIT\tJOB\tRESULT / REASON")
	for _, t := range s.Tasks {
		name := t.Task
		if t.Index != nil {
			name = fmt.Sprintf("%s[%d]", t.Task, *t.Index)
		}
		exit := "-"
		if t.ExitCode != nil {
			exit = fmt.Sprint(*t.ExitCode)
		}
		note := t.Reason
		if string(t.Result) != "null" {
			note = string(t.Result)
		}
		job := t.NativeID
		if job == "" {
			job = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", name, t.State, t.Attempt, exit, job, note)
	}
	tw.Flush()
}
