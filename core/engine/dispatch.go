package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/reflow-hpc/reflow/core/cache"
	"github.com/reflow-hpc/reflow/core/pluginhost"
	"github.com/reflow-hpc/reflow/core/runspec"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
)

// dispatcher drives one run.
type dispatcher struct {
	cfg   Config
	m     *model
	round int
	// executors are the plugins this run uses, started on first use.
	executors map[string]*pluginhost.Running
	// attempts and cache entries to write with the round's commit.
	attempts []store.Attempt
	cachePut []store.CacheEntry
	events   []string
	digests  *cache.DigestCache
	// madeDirs are the directories this dispatcher has made (mkdir).
	madeDirs map[string]bool
	dirMu    sync.Mutex
	// cancelled is set once the user asked to stop.
	cancelled bool
	failed    bool // some instance failed for good (for --fail-fast)
	lastBeat  time.Time
	// journal records submissions until the round's commit holds them.
	journal *journal
	// pollFailures counts failed Polls in a row per executor; pollWarned
	// is the last warning an executor's Poll gave, so it is shown once.
	pollFailures map[string]int
	pollWarned   map[string]string
	// refusedJob is, per executor, the job whose submission the scheduler
	// last refused for a limit (RetryLater).
	refusedJob map[string]string
	// again asks for the next round at once, without a poll interval.
	again bool
	// lastCommit is when the last commit ran; mustCommit asks the round's
	// commit not to wait for commitEvery (see commitRound).
	lastCommit time.Time
	mustCommit bool
	// idMu guards the jobs' identity memos (jobIdentity).
	idMu sync.Mutex
	// hostname is this machine's name, once asked (host).
	hostname string
}

// Dispatch drives a run until it ends, or until ctx is cancelled, in which
// case it cancels the run's jobs and marks the run cancelled. It returns the
// run as it ended. A run another dispatcher holds fails with a
// *store.LeaseHeldError.
func Dispatch(ctx context.Context, cfg Config, runID string, bound *hclconfig.Bound) (store.Run, error) {
	st := cfg.Store
	if cfg.Holder == "" {
		cfg.Holder = store.NewHolderID()
	}
	if err := st.AcquireLease(context.WithoutCancel(ctx), runID, cfg.Holder, cfg.Mode, leaseTTL); err != nil {
		return store.Run{}, err
	}
	defer st.ReleaseLease(context.WithoutCancel(ctx), runID, cfg.Holder)

	var run store.Run
	if err := st.View(ctx, func(tx *store.Tx) (err error) { run, err = tx.GetRun(ctx, runID); return err }); err != nil {
		return store.Run{}, err
	}
	if run.State == store.RunSucceeded {
		return run, nil
	}
	if _, ok := RunDispatcherJob(run); ok && cfg.Detach == nil {
		// `reflow resume` takes over from a dispatcher job: the run is
		// this dispatcher's now, and status should say so.
		if err := st.Update(ctx, func(tx *store.Tx) error {
			return tx.SetRunDispatcher(ctx, runID, cfg.Mode, nil)
		}); err != nil {
			return run, err
		}
		run.DispatchMode, run.Dispatcher = cfg.Mode, nil
	}
	if bound == nil {
		b, err := Rebind(run)
		if err != nil {
			return run, err
		}
		bound = b
	}
	m, err := load(ctx, st, run, bound)
	if err != nil {
		return run, err
	}
	replayed, err := replayJournal(m)
	if err != nil {
		return run, fmt.Errorf("reading the submissions of run %s: %w", runID, err)
	}
	d := &dispatcher{cfg: cfg, m: m, executors: map[string]*pluginhost.Running{}, digests: cache.NewDigestCache(), madeDirs: map[string]bool{},
		journal: &journal{path: runspec.SubmissionsPath(run.RunDir)}, pollFailures: map[string]int{}, pollWarned: map[string]string{}, refusedJob: map[string]string{}}
	defer d.journal.close()
	if replayed > 0 {
		d.events = append(d.events, fmt.Sprintf("reattached to %d instances submitted by a dispatcher that died before recording them", replayed))
	}
	if run.State != store.RunRunning {
		// `reflow resume` of a run that ended failed or cancelled.
		if err := st.Update(ctx, func(tx *store.Tx) error {
			return tx.UpdateRunState(ctx, runID, store.RunRunning, "")
		}); err != nil {
			return run, err
		}
	}
	return d.loop(ctx)
}

func (d *dispatcher) loop(ctx context.Context) (store.Run, error) {
	min, max := d.pollBounds()
	interval := min
	began, idle := time.Now(), 0
	for {
		d.round++
		changed, err := d.runRound(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return d.interrupted()
			}
			return d.abort(ctx, err)
		}
		if fin, state, reason := d.finished(); fin {
			if err := d.commit(context.WithoutCancel(ctx)); err != nil {
				return d.abort(ctx, err)
			}
			return d.finish(ctx, state, reason)
		}
		if ctx.Err() != nil {
			return d.interrupted()
		}
		if d.cancelRequested() { // `reflow cancel` (cancel.go)
			return d.stopOnRequest()
		}
		if d.cfg.FailFast && d.failed {
			return d.stop(store.RunFailed, "stopped at the first failure (--fail-fast)")
		}
		if changed {
			idle = 0
		} else {
			idle++
		}
		if d.chainLinkDone(began, idle) {
			if err := d.commit(context.WithoutCancel(ctx)); err != nil {
				return d.abort(ctx, err)
			}
			if err := d.handOver(context.WithoutCancel(ctx)); err != nil {
				return d.abort(ctx, err)
			}
			return d.m.run, nil
		}
		if d.again {
			d.again = false
			continue
		}
		// Adaptive polling: quick while things change, backing off while
		// nothing does, so a long queue wait costs few scheduler queries.
		if changed {
			interval = min
		} else if interval *= 2; interval > max {
			interval = max
		}
		if interval >= commitEvery {
			// Nothing waits in memory through a long sleep.
			if err := d.commit(ctx); err != nil {
				return d.abort(ctx, err)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(interval):
		}
		if time.Since(d.lastBeat) < heartbeatEvery {
			continue
		}
		d.lastBeat = time.Now()
		if err := d.cfg.Store.Heartbeat(context.WithoutCancel(ctx), d.m.run.ID, d.cfg.Holder, leaseTTL); err != nil {
			if errors.Is(err, store.ErrLeaseLost) {
				return d.m.run, fmt.Errorf("another dispatcher took over run %s; this one stops: %w", d.m.run.ID, err)
			}
			return d.m.run, err
		}
	}
}

// chainLinkDone reports whether a chain link has done its share: two
// rounds in a row changed nothing (the run waits on the scheduler), or it
// has lingered long enough.
func (d *dispatcher) chainLinkDone(began time.Time, idle int) bool {
	if d.cfg.Detach == nil || d.cfg.Detach.Mode != ModeChain {
		return false
	}
	linger := d.cfg.Detach.Linger
	if linger <= 0 {
		linger = DefaultChainLinger
	}
	return idle >= 2 || time.Since(began) >= linger
}

// ErrDispatcherStopped is returned by a dispatcher job that was signalled:
// it stopped, and the run goes on without it until `reflow resume`.
var ErrDispatcherStopped = errors.New("the dispatcher was stopped; its jobs keep running: `reflow resume` starts a new dispatcher that reattaches to them")

// interrupted ends a dispatcher whose context was cancelled: in the
// foreground that is the user's Ctrl-C, which cancels the run; in a
// dispatcher job it is the scheduler stopping the job, which must not.
func (d *dispatcher) interrupted() (store.Run, error) {
	if d.cfg.Detach == nil {
		return d.stop(store.RunCancelled, "cancelled by the user")
	}
	if err := d.commit(context.Background()); err != nil {
		return d.m.run, err
	}
	return d.m.run, ErrDispatcherStopped
}

// abort ends a dispatcher that cannot go on (a plugin that will not start,
// a store error): the run is marked failed with the reason, so it does not
// sit "running" with nobody driving it. Jobs already out keep their stored
// handles; `reflow retry` reattaches to them and runs what failed. A
// dispatcher that lost its lease touches nothing: the run is another's.
func (d *dispatcher) abort(ctx context.Context, cause error) (store.Run, error) {
	if errors.Is(cause, store.ErrLeaseLost) {
		return d.m.run, cause
	}
	ctx = context.WithoutCancel(ctx)
	reason := "the dispatcher stopped: " + cause.Error()
	err := d.cfg.Store.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CheckLease(ctx, d.m.run.ID, d.cfg.Holder); err != nil {
			return err
		}
		return tx.UpdateRunState(ctx, d.m.run.ID, store.RunFailed, reason)
	})
	if err != nil {
		d.cfg.logger().Error("cannot mark the run failed", "run", d.m.run.ID, "error", err)
	}
	return d.m.run, cause
}

// pollBounds is the range of the adaptive poll interval: the site's
// dispatch {} settings, else quick for a run on the local machine only and
// gentle on a scheduler.
func (d *dispatcher) pollBounds() (time.Duration, time.Duration) {
	min, max := d.cfg.PollMin, d.cfg.PollMax
	if min == 0 || max == 0 {
		onlyLocal := true
		for _, j := range d.m.order {
			if j.executor != "local" {
				onlyLocal = false
			}
		}
		dmin, dmax := 5*time.Second, 60*time.Second
		if onlyLocal {
			// A round costs about the same however few jobs ended:
			// 100 ms batches a stream of tiny tasks without making
			// anyone wait.
			dmin, dmax = 100*time.Millisecond, time.Second
		}
		if min == 0 {
			min = dmin
		}
		if max == 0 {
			max = dmax
		}
	}
	if max < min {
		max = min
	}
	return min, max
}

// finished reports whether nothing is left to do, and how the run ended.
func (d *dispatcher) finished() (bool, store.RunState, string) {
	failed := ""
	for _, j := range d.m.order {
		if j.size < 0 && len(j.insts) == 0 {
			return false, "", ""
		}
		if b := j.firstBroken; b != nil && failed == "" {
			failed = fmt.Sprintf("%s %s: %s", displayName(j, b), b.State, b.Reason)
		}
		for _, in := range j.unsettled() {
			if !in.State.Terminal() {
				return false, "", ""
			}
			if !in.State.Done() && failed == "" {
				failed = fmt.Sprintf("%s %s: %s", displayName(j, in), in.State, in.Reason)
			}
		}
	}
	if failed != "" {
		return true, store.RunFailed, failed
	}
	return true, store.RunSucceeded, ""
}

func (d *dispatcher) finish(ctx context.Context, state store.RunState, reason string) (store.Run, error) {
	ctx = context.WithoutCancel(ctx) // a commit must land even after Ctrl-C
	err := d.cfg.Store.Update(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateRunState(ctx, d.m.run.ID, state, reason); err != nil {
			return err
		}
		r, err := tx.GetRun(ctx, d.m.run.ID)
		d.m.run = r
		return err
	})
	d.report(true)
	return d.m.run, err
}

// stop cancels every job still out, marks what never ran, and ends the run.
func (d *dispatcher) stop(state store.RunState, reason string) (store.Run, error) {
	ctx := context.Background()
	d.cancelActive(ctx, reason)
	if err := d.commit(ctx); err != nil {
		return d.m.run, err
	}
	return d.finish(ctx, state, reason)
}

func displayName(j *job, in *inst) string {
	if in.Index < 0 || in.placeholder {
		return j.hc.Name
	}
	return fmt.Sprintf("%s[%d]", j.hc.Name, in.Index)
}
