package engine

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/pluginapi"
)

// RetryRefusedError: the run cannot be retried as asked (it did not end
// failed or cancelled, a task named does not exist, or nothing is broken).
// The message says which; nothing was changed.
type RetryRefusedError struct{ Msg string }

func (e *RetryRefusedError) Error() string { return e.Msg }

func refuse(format string, args ...any) error {
	return &RetryRefusedError{Msg: fmt.Sprintf(format, args...)}
}

// ResetForRetry prepares a run that ended failed or cancelled for `reflow
// retry`: its failed, cancelled and skipped instances go back to pending
// (keeping their attempt number, so the next attempt counts on) and the
// run back to running, in one transaction under the run's lease. A
// dispatcher started afterwards runs them like new ones, cache included.
//
// With tasks, only their broken instances are reset, plus the skipped and
// cancelled instances of everything downstream of them: those never ran
// because of them and would otherwise keep the run failed. It returns how
// many instances it reset.
func ResetForRetry(ctx context.Context, st *store.Store, runID string, tasks []string) (int, error) {
	holder := store.NewHolderID()
	if err := st.AcquireLease(ctx, runID, holder, "retry", leaseTTL); err != nil {
		return 0, err
	}
	defer st.ReleaseLease(context.WithoutCancel(ctx), runID, holder)
	n := 0
	err := st.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CheckLease(ctx, runID, holder); err != nil {
			return err
		}
		run, err := tx.GetRun(ctx, runID)
		if err != nil {
			return err
		}
		if run.State != store.RunFailed && run.State != store.RunCancelled {
			return refuse("run %s is %s: only a failed or cancelled run can be retried", runID, run.State)
		}
		ts, err := tx.ListTasks(ctx, runID)
		if err != nil {
			return err
		}
		kind := map[string]store.TaskKind{}
		for _, t := range ts {
			kind[t.Name] = t.Kind
		}
		var selected map[string]bool // nil: every task
		if len(tasks) > 0 {
			deps, err := tx.ListDependencies(ctx, runID)
			if err != nil {
				return err
			}
			if selected, err = selectTasks(tasks, kind, deps); err != nil {
				return err
			}
		}
		broken, err := tx.ListInstances(ctx, runID, store.InstanceFilter{
			States: []store.InstanceState{store.InstanceFailed, store.InstanceCancelled, store.InstanceSkipped}})
		if err != nil {
			return err
		}
		var reset []store.Instance
		for _, in := range broken {
			if selected != nil {
				named := slices.Contains(tasks, in.Task)
				if !named && !(selected[in.Task] && in.State != store.InstanceFailed) {
					continue
				}
			}
			if kind[in.Task] == store.TaskArray && in.Index == store.SingletonIndex {
				// The stand-in of an array that never got a size: the
				// dispatcher sizes the array afresh once it can.
				if err := tx.DeleteInstance(ctx, runID, in.Task, in.Index); err != nil {
					return err
				}
				n++
				continue
			}
			in.State, in.Reason = store.InstancePending, "reset by reflow retry"
			in.Handle, in.NativeState = pluginapi.Handle{}, ""
			in.ExitCode = store.NoExitCode
			in.Result, in.Outputs = nil, nil
			in.Submitted, in.Started, in.Finished = time.Time{}, time.Time{}, time.Time{}
			in.Host, in.PeakMemory = "", 0
			reset = append(reset, in)
		}
		if n+len(reset) == 0 {
			if len(tasks) > 0 {
				return refuse("run %s: %s has no failed, cancelled or skipped instance to retry", runID, strings.Join(tasks, ", "))
			}
			return refuse("run %s has no failed, cancelled or skipped instance to retry", runID)
		}
		if err := tx.UpdateInstances(ctx, reset); err != nil {
			return err
		}
		n += len(reset)
		return tx.UpdateRunState(ctx, runID, store.RunRunning, "")
	})
	return n, err
}

// selectTasks checks the task names and returns them with every task
// downstream of them.
func selectTasks(names []string, kind map[string]store.TaskKind, deps []store.Dependency) (map[string]bool, error) {
	for _, n := range names {
		if _, ok := kind[n]; !ok {
			all := make([]string, 0, len(kind))
			for k := range kind {
				all = append(all, k)
			}
			sort.Strings(all)
			return nil, refuse("run has no task %q; its tasks are: %s", n, strings.Join(all, ", "))
		}
	}
	down := map[string][]string{}
	for _, d := range deps {
		down[d.Upstream] = append(down[d.Upstream], d.Task)
	}
	selected := map[string]bool{}
	queue := slices.Clone(names)
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		if selected[t] {
			continue
		}
		selected[t] = true
		queue = append(queue, down[t]...)
	}
	return selected, nil
}
