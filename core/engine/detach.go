package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/reflow-hpc/reflow/core/runspec"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig/shell"
	"github.com/reflow-hpc/reflow/pluginapi"
)

// A detached dispatcher can itself be a scheduler job, so a run goes on
// after the user logs out of the login node:
//
//   - resident: one long dispatcher job runs rounds until the run ends.
//   - chain: a dispatcher job runs rounds while things move, then submits
//     its successor with an any-of dependency on the jobs it waits for (the
//     first of them to end, however, starts the next dispatcher) plus a
//     timer job, so one slow branch never holds up the others and a run
//     whose jobs all sit in the queue is still looked at every so often.
//     Between two links no dispatcher runs and none holds a slot.
//
// The dispatcher job goes through the run's executor plugin like any other
// job; the run record keeps its handle (DispatcherJob), which is how
// `reflow status` shows it, `reflow cancel` cancels it and `reflow resume`
// tells a dead one from a live one.

// Dispatch modes recorded in the lease and the run.
const (
	ModeForeground = "foreground"
	ModeProcess    = "detached" // a background process on this host
	ModeChain      = "chain"
	ModeResident   = "resident"
)

// DispatcherJob is the run's dispatcher job, kept as the run's dispatcher
// info (store.Run.Dispatcher).
type DispatcherJob struct {
	Mode     string           `json:"mode"`
	Executor string           `json:"executor"`
	Handle   pluginapi.Handle `json:"handle"`
	// Timer is the chain's fallback job, cancelled with the dispatcher.
	Timer      *pluginapi.Handle `json:"timer,omitempty"`
	Generation int               `json:"generation"`
	Submitted  time.Time         `json:"submitted"`
	// WaitsFor is how many of the run's jobs the chain link waits for.
	WaitsFor int `json:"waits_for,omitempty"`
}

// RunDispatcherJob returns the run's dispatcher job, if it has one.
func RunDispatcherJob(run store.Run) (*DispatcherJob, bool) {
	if run.DispatchMode != ModeChain && run.DispatchMode != ModeResident || len(run.Dispatcher) == 0 {
		return nil, false
	}
	var dj DispatcherJob
	if json.Unmarshal(run.Dispatcher, &dj) != nil || dj.Handle.ID == "" {
		return nil, false
	}
	return &dj, true
}

// Detach is how dispatcher jobs are made.
type Detach struct {
	Mode     string // ModeChain or ModeResident
	Executor string // the executor that runs dispatcher jobs
	// StorePath is the manifest the dispatcher job opens.
	StorePath string
	// Resources and Options of the dispatcher job (site dispatch {}).
	Resources, Options map[string]string
	// Env is what the dispatcher job needs of this environment (the site
	// config, plugin path, XDG dirs), passed explicitly: a scheduler may
	// start it with a clean one.
	Env map[string]string
	// Fallback is the chain's timer: the longest a chain waits for one of
	// its jobs to end before a dispatcher looks anyway.
	Fallback time.Duration
	// Linger is how long a chain link keeps running rounds before it hands
	// over, as long as rounds still change something.
	Linger time.Duration
}

// Default chain timings.
const (
	DefaultChainFallback = 5 * time.Minute
	DefaultChainLinger   = 2 * time.Minute
	// chainWaitCap bounds the jobs one chain link's dependency names: an
	// any-of over 10,000 singletons would make a command line schedulers
	// refuse, and waking on the first of 64 is as good as on the first of
	// all, give or take the timer.
	chainWaitCap = 64
)

// dispatcherSpec is the job that runs `reflow dispatch` for a run.
func dispatcherSpec(cfg Config, run store.Run, dt Detach, gen int) pluginapi.JobSpec {
	argv := []string{cfg.Reflow, "dispatch", run.ID, "--mode", dt.Mode, "--store", dt.StorePath}
	if cfg.FailFast {
		argv = append(argv, "--fail-fast")
	}
	logs := filepath.Join(runspec.StateDir(run.RunDir), "logs")
	return pluginapi.JobSpec{
		RunID: run.ID, Task: "reflow-dispatch", WorkDir: runspec.StateDir(run.RunDir), WorkerArgv: argv,
		Script:    "exec " + shell.Words(argv) + "\n",
		Stdout:    filepath.Join(logs, fmt.Sprintf("dispatch.g%d.out", gen)),
		Stderr:    filepath.Join(logs, fmt.Sprintf("dispatch.g%d.err", gen)),
		Env:       dt.Env,
		Resources: dt.Resources, Options: dt.Options,
	}
}

// SubmitDispatcher submits the first dispatcher job of a run and records
// it. The caller has created the run and holds no lease.
func SubmitDispatcher(ctx context.Context, cfg Config, run store.Run, dt Detach) (DispatcherJob, error) {
	ex, err := cfg.Host.Get(ctx, dt.Executor)
	if err != nil {
		return DispatcherJob{}, err
	}
	if dt.Mode == ModeChain {
		if err := chainPossible(ex.Info.Capabilities, dt.Executor); err != nil {
			return DispatcherJob{}, err
		}
	}
	dj, err := submitDispatcher(ctx, ex.Executor(), cfg, run, dt, 1, nil, nil)
	if err != nil {
		return dj, err
	}
	return dj, recordDispatcher(ctx, cfg.Store, run.ID, "", dj)
}

// chainPossible says why an executor cannot host a chain.
func chainPossible(c pluginapi.Capabilities, name string) error {
	if !c.Supports(pluginapi.AfterAny) {
		return fmt.Errorf("executor %q cannot make a job wait for others (no afterany dependency); use dispatch mode resident", name)
	}
	return nil
}

func submitDispatcher(ctx context.Context, ex pluginapi.Executor, cfg Config, run store.Run, dt Detach, gen int, deps []pluginapi.Dependency, timer *pluginapi.Handle) (DispatcherJob, error) {
	spec := dispatcherSpec(cfg, run, dt, gen)
	spec.Dependencies = deps
	// The scheduler opens the log files before the job runs: a missing
	// directory fails the job before reflow could say anything.
	if err := os.MkdirAll(filepath.Dir(spec.Stdout), 0o755); err != nil {
		return DispatcherJob{}, err
	}
	resp, err := ex.Submit(ctx, &pluginapi.SubmitRequest{Job: spec})
	if err == nil {
		err = resp.Diagnostics.Err()
	}
	if err == nil && resp.RetryLater {
		err = fmt.Errorf("the scheduler is at a limit")
	}
	if err != nil {
		return DispatcherJob{}, fmt.Errorf("submitting the dispatcher job of run %s to %q: %w", run.ID, dt.Executor, err)
	}
	return DispatcherJob{Mode: dt.Mode, Executor: dt.Executor, Handle: resp.Handle, Timer: timer,
		Generation: gen, Submitted: time.Now(), WaitsFor: len(deps)}, nil
}

// recordDispatcher stores dj as the run's dispatcher; with a holder, only
// while that holder has the lease.
func recordDispatcher(ctx context.Context, st *store.Store, runID, holder string, dj DispatcherJob) error {
	info, err := json.Marshal(dj)
	if err != nil {
		return err
	}
	return st.Update(ctx, func(tx *store.Tx) error {
		if holder != "" {
			if err := tx.CheckLease(ctx, runID, holder); err != nil {
				return err
			}
		}
		return tx.SetRunDispatcher(ctx, runID, dj.Mode, info)
	})
}

// handOver ends a chain link: it submits the timer and the next link,
// which waits for the first of the run's jobs on the dispatcher's executor
// to end (or the timer), and records it. The caller then releases the lease
// and exits.
func (d *dispatcher) handOver(ctx context.Context) error {
	dt := *d.cfg.Detach
	ex, err := d.executor(ctx, dt.Executor)
	if err != nil {
		return err
	}
	caps := ex.Info.Capabilities
	var waits []pluginapi.Handle
	seen := map[string]bool{}
	d.m.live(func(j *job, in *inst) {
		if j.executor == dt.Executor && in.State.Active() && !seen[in.Handle.ID] {
			seen[in.Handle.ID] = true
			waits = append(waits, in.Handle)
		}
	})
	// The most recently submitted last: wait for the oldest first, they are
	// the likeliest to end soon.
	if len(waits) > chainWaitCap {
		waits = waits[:chainWaitCap]
	}
	fallback := dt.Fallback
	if fallback <= 0 {
		fallback = DefaultChainFallback
	}
	timerSpec := pluginapi.JobSpec{
		RunID: d.m.run.ID, Task: "reflow-dispatch-timer", WorkDir: runspec.StateDir(d.m.run.RunDir),
		Script: "exec sleep " + strconv.Itoa(int(fallback.Seconds())) + "\n",
		Stdout: "/dev/null", Stderr: "/dev/null",
		Resources: map[string]string{"time": strconv.Itoa(int(fallback.Seconds())+120) + "s"},
	}
	if p := dt.Resources["partition"]; p != "" {
		timerSpec.Resources["partition"] = p
	}
	if a := dt.Resources["account"]; a != "" {
		timerSpec.Resources["account"] = a
	}
	tr, err := ex.Executor().Submit(ctx, &pluginapi.SubmitRequest{Job: timerSpec})
	if err == nil {
		err = tr.Diagnostics.Err()
	}
	if err != nil {
		return fmt.Errorf("submitting the chain's timer job: %w", err)
	}
	timer := tr.Handle
	// The next link starts when the first of its jobs or the timer ends:
	// one any-of group. Without any-of it can only wait for the timer.
	group := "wake"
	if !caps.AnyOf {
		waits, group = nil, ""
	}
	var deps []pluginapi.Dependency
	for _, h := range append(waits, timer) {
		deps = append(deps, pluginapi.Dependency{Kind: pluginapi.AfterAny, Handle: h, Group: group})
	}
	gen := 1
	if prev, ok := RunDispatcherJob(d.m.run); ok {
		gen = prev.Generation + 1
	}
	next, err := submitDispatcher(ctx, ex.Executor(), d.cfg, d.m.run, dt, gen, deps, &timer)
	if err != nil {
		return err
	}
	next.WaitsFor = len(waits)
	if err := recordDispatcher(ctx, d.cfg.Store, d.m.run.ID, d.cfg.Holder, next); err != nil {
		return err
	}
	d.cfg.logger().Info("chain: handed over", "next", next.Handle.ID, "generation", gen, "waits_for", len(waits), "timer", timer.ID)
	return nil
}

// CancelDispatcherJob cancels a run's dispatcher job and its timer (the
// caller is not that job). Cancelling one that ended is not an error.
func CancelDispatcherJob(ctx context.Context, cfg Config, dj *DispatcherJob) error {
	ex, err := cfg.Host.Get(ctx, dj.Executor)
	if err != nil {
		return err
	}
	hs := []pluginapi.Handle{dj.Handle}
	if dj.Timer != nil {
		hs = append(hs, *dj.Timer)
	}
	resp, err := ex.Executor().Cancel(ctx, &pluginapi.CancelRequest{Handles: hs})
	if err != nil {
		return err
	}
	return resp.Diagnostics.Err()
}

// DispatcherJobState polls a run's dispatcher job.
func DispatcherJobState(ctx context.Context, cfg Config, dj *DispatcherJob) (pluginapi.Status, error) {
	ex, err := cfg.Host.Get(ctx, dj.Executor)
	if err != nil {
		return pluginapi.Status{}, err
	}
	resp, err := ex.Executor().Poll(ctx, &pluginapi.PollRequest{Handles: []pluginapi.Handle{dj.Handle}})
	if err != nil {
		return pluginapi.Status{}, err
	}
	if len(resp.Jobs) != 1 {
		return pluginapi.Status{}, fmt.Errorf("executor %q answered %d statuses for one job", dj.Executor, len(resp.Jobs))
	}
	return resp.Jobs[0].Status, nil
}

// SettleDispatcherJob makes way for `reflow resume`: a dispatcher job that
// has ended (killed, out of time) gives up the lease it may still hold, so
// the resumer need not wait for it to expire, and a chain link still
// waiting in the queue is cancelled with its timer, since the resumer
// drives the run from now on. A dispatcher job that runs is left alone (the
// resumer is then refused, as for any live dispatcher). It reports what it
// did, for the user.
func SettleDispatcherJob(ctx context.Context, cfg Config, run store.Run) (string, error) {
	dj, ok := RunDispatcherJob(run)
	if !ok {
		return "", nil
	}
	st, err := DispatcherJobState(ctx, cfg, dj)
	if err != nil {
		return "", err
	}
	switch {
	case st.State == pluginapi.StateRunning:
		return "", nil
	case st.State == pluginapi.StatePending:
		if err := CancelDispatcherJob(ctx, cfg, dj); err != nil {
			return "", err
		}
		return fmt.Sprintf("cancelled the waiting dispatcher job %s", dj.Handle.ID), nil
	}
	// Ended or unknown: a lease a dispatcher job holds is a dead one's.
	var l store.Lease
	var found bool
	if err := cfg.Store.View(ctx, func(tx *store.Tx) (err error) {
		l, found, err = tx.Lease(ctx, run.ID)
		return err
	}); err != nil || !found || (l.Mode != ModeChain && l.Mode != ModeResident) {
		return "", err
	}
	if err := cfg.Store.ReleaseLease(ctx, run.ID, l.Holder); err != nil && !errors.Is(err, store.ErrLeaseLost) {
		return "", err
	}
	if dj.Timer != nil {
		_ = CancelDispatcherJob(ctx, cfg, &DispatcherJob{Executor: dj.Executor, Handle: *dj.Timer})
	}
	return fmt.Sprintf("dispatcher job %s has ended (%s); took over its lease", dj.Handle.ID, st.State), nil
}
