package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/reflow-hpc/reflow/core/pluginhost"
	"github.com/reflow-hpc/reflow/core/runspec"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/pluginapi"
)

// CancelledByCommand is the reason a run and its instances get when
// `reflow cancel` stops them.
const CancelledByCommand = "cancelled by reflow cancel"

// RequestCancel leaves a cancel request in the run directory. The run's
// dispatcher, wherever it runs (a login node, a detached process, a
// scheduler job), sees it at its next round, cancels the jobs it has out
// and ends the run cancelled. A file rather than a store flag: the
// dispatcher already looks at the run directory every round, and a
// request must reach a dispatcher even while the store is busy.
func RequestCancel(runDir string) error {
	return os.WriteFile(runspec.CancelPath(runDir), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644)
}

// ClearCancelRequest removes a pending cancel request, so a run retried
// after it is not cancelled again at once. A missing request is fine.
func ClearCancelRequest(runDir string) error {
	err := os.Remove(runspec.CancelPath(runDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// cancelRequested reports whether `reflow cancel` asked this run to stop.
func (d *dispatcher) cancelRequested() bool {
	_, err := os.Stat(runspec.CancelPath(d.m.run.RunDir))
	return err == nil
}

// stopOnRequest ends the run for `reflow cancel` and consumes the request.
func (d *dispatcher) stopOnRequest() (store.Run, error) {
	run, err := d.stop(store.RunCancelled, CancelledByCommand)
	if err == nil {
		if rerr := ClearCancelRequest(d.m.run.RunDir); rerr != nil {
			d.cfg.logger().Warn("cannot remove the cancel request", "error", rerr)
		}
	}
	return run, err
}

// CancelRun cancels a run that no live dispatcher drives: it takes the
// run's lease (so no dispatcher can start meanwhile), cancels every job
// still out with one batched Cancel per executor through the stored
// handles, marks unfinished instances and the run cancelled, and removes
// any cancel request. A live dispatcher's lease makes it fail with a
// *store.LeaseHeldError: that dispatcher must be asked with RequestCancel
// instead. If an executor cannot be reached, nothing is marked: the jobs
// may still be running, and the run must not claim otherwise.
func CancelRun(ctx context.Context, st *store.Store, host *pluginhost.Host, runID, reason string) (store.Run, error) {
	holder := store.NewHolderID()
	if err := st.AcquireLease(ctx, runID, holder, "cancel", leaseTTL); err != nil {
		return store.Run{}, err
	}
	defer st.ReleaseLease(context.WithoutCancel(ctx), runID, holder)

	var (
		run   store.Run
		insts []store.Instance
		tasks []store.Task
	)
	err := st.View(ctx, func(tx *store.Tx) (err error) {
		if run, err = tx.GetRun(ctx, runID); err != nil {
			return err
		}
		if tasks, err = tx.ListTasks(ctx, runID); err != nil {
			return err
		}
		insts, err = tx.ListInstances(ctx, runID, store.InstanceFilter{
			States: []store.InstanceState{store.InstancePending, store.InstanceSubmitted, store.InstanceRunning}})
		return err
	})
	if err != nil || run.State.Terminal() {
		return run, err
	}
	executorOf := map[string]string{}
	for _, t := range tasks {
		executorOf[t.Name] = t.Executor
	}
	handles := map[string][]pluginapi.Handle{}
	seen := map[string]bool{}
	for _, in := range insts {
		if !in.State.Active() || in.Handle.ID == "" {
			continue
		}
		name := executorOf[in.Task]
		if name == "" {
			name = run.Executor
		}
		// Array elements share their array job's handle: cancel it once.
		if key := name + "\x00" + in.Handle.ID; !seen[key] {
			seen[key] = true
			handles[name] = append(handles[name], in.Handle)
		}
	}
	for name, hs := range handles {
		if err := cancelJobs(ctx, host, name, hs); err != nil {
			return run, err
		}
	}

	now := st.Now()
	var attempts []store.Attempt
	for i := range insts {
		in := &insts[i]
		if in.State.Active() {
			in.Finished = now
			in.State, in.Reason = store.InstanceCancelled, reason
			attempts = append(attempts, in.AttemptRecord())
			continue
		}
		in.State, in.Reason = store.InstanceCancelled, reason
	}
	ctx = context.WithoutCancel(ctx) // the jobs are cancelled: the record must land
	err = st.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CheckLease(ctx, runID, holder); err != nil {
			return err
		}
		if err := tx.UpdateInstances(ctx, insts); err != nil {
			return err
		}
		if err := tx.AppendAttempts(ctx, attempts...); err != nil {
			return err
		}
		if err := tx.UpdateRunState(ctx, runID, store.RunCancelled, reason); err != nil {
			return err
		}
		run, err = tx.GetRun(ctx, runID)
		return err
	})
	if err != nil {
		return run, err
	}
	return run, ClearCancelRequest(run.RunDir)
}

// cancelJobs is one batched Cancel on one executor.
func cancelJobs(ctx context.Context, host *pluginhost.Host, name string, hs []pluginapi.Handle) error {
	ex, err := host.Get(ctx, name)
	if err != nil {
		return fmt.Errorf("cannot cancel %d job(s) on executor %q: %w", len(hs), name, err)
	}
	resp, err := ex.Executor().Cancel(ctx, &pluginapi.CancelRequest{Handles: hs})
	if err != nil {
		return fmt.Errorf("executor %q: Cancel: %w", name, err)
	}
	if err := resp.Diagnostics.Err(); err != nil {
		return fmt.Errorf("executor %q could not cancel every job: %w", name, err)
	}
	return nil
}

// ReleaseDeadLease frees a run's lease whose holder is a dispatcher on this
// host that is no longer running (killed, or its machine rebooted), so
// `reflow resume` and `reflow cancel` need not wait for the lease to
// expire. It reports whether it released one. A holder on another host, or
// whose process still exists, is left alone: only its heartbeat can tell,
// and AcquireLease takes an expired lease over anyway.
func ReleaseDeadLease(ctx context.Context, st *store.Store, runID string) (bool, error) {
	var (
		l     store.Lease
		found bool
	)
	err := st.View(ctx, func(tx *store.Tx) (err error) {
		l, found, err = tx.Lease(ctx, runID)
		return err
	})
	if err != nil || !found || !st.Now().Before(l.Expires) {
		return false, err
	}
	host, pid, ok := parseHolder(l.Holder)
	if !ok || pid == os.Getpid() {
		return false, nil
	}
	if me, _ := os.Hostname(); me == "" || host != me || processAlive(pid) {
		return false, nil
	}
	err = st.ReleaseLease(ctx, runID, l.Holder)
	if errors.Is(err, store.ErrLeaseLost) {
		return false, nil // someone else took it over meanwhile
	}
	return err == nil, err
}

// parseHolder splits a store.NewHolderID value, host:pid:random.
func parseHolder(holder string) (host string, pid int, ok bool) {
	parts := strings.Split(holder, ":")
	if len(parts) < 3 {
		return "", 0, false
	}
	pid, err := strconv.Atoi(parts[len(parts)-2])
	if err != nil || pid <= 0 {
		return "", 0, false
	}
	return strings.Join(parts[:len(parts)-2], ":"), pid, true
}

// processAlive reports whether pid exists and is not a zombie. When in
// doubt (no permission to signal it) it says alive.
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// The state follows the parenthesised command name, which may itself
	// hold spaces and parentheses.
	if i := strings.LastIndexByte(string(b), ')'); i >= 0 && i+2 < len(b) {
		return b[i+2] != 'Z'
	}
	return true
}
