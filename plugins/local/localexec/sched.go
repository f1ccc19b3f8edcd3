package localexec

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// This file is the plugin's own scheduler: one goroutine that, each round,
// notices ended processes, enforces time limits and kill escalation, and
// starts pending elements in FIFO order within the slots.

func (e *Executor) loop() {
	defer close(e.loopDone)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-e.kick:
		case <-t.C:
		}
		e.round()
	}
}

// round is one pass of the scheduler.
func (e *Executor) round() {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	for _, j := range e.active {
		// Elements start in order, so the running ones sit near the
		// front of what has not ended: stop once all are seen, and a
		// round over a 10,000-element array costs its running few.
		left := j.running
		for _, el := range j.live() {
			if left == 0 {
				break
			}
			if el.st.State == pluginapi.StateRunning {
				left--
				e.checkRunning(j, el, now)
			}
		}
	}
	// Strict FIFO: once the oldest element that could start does not fit in
	// the free slots, nothing younger starts either, so a wide job is not
	// starved by a stream of narrow ones. Elements held back by their
	// dependencies or their array's parallelism do not block the queue.
	e.blocked, e.slotsWhy = false, ""
	for _, j := range e.active {
		if j.ended+j.running == len(j.elems) {
			continue
		}
		e.startPending(j, now)
	}
	e.retire()
}

// startPending starts what it may of job j's pending elements. Once the
// queue is blocked on slots it only looks for dependencies that failed, so
// a long queue costs little per round.
func (e *Executor) startPending(j *job, now time.Time) {
	if !j.elementwise {
		// The same dependencies hold for every element: judge them once.
		ok, never := depsMet(j.deps, 0)
		if never != "" {
			e.failPending(j, never, now)
			return
		}
		if !ok {
			j.waitWhy = "waiting for dependencies"
			return
		}
	}
	for _, el := range j.live() {
		if el.st.State != pluginapi.StatePending {
			continue
		}
		if j.elementwise {
			ok, never := depsMet(j.deps, el.index)
			if never != "" {
				e.failElem(j, el, never, now)
				continue
			}
			if !ok {
				el.waitWhy = "waiting for dependencies"
				continue
			}
			el.waitWhy = ""
		}
		if j.rec.Parallelism > 0 && j.running >= j.rec.Parallelism {
			j.waitWhy = "array parallelism limit"
			if !j.elementwise {
				break // no later element can start either
			}
			continue
		}
		if e.blocked || e.used+j.rec.CPUs > e.cfg.Slots {
			if !e.blocked {
				e.blocked = true
				e.slotsWhy = fmt.Sprintf("waiting for free slots (%d of %d in use)", e.used, e.cfg.Slots)
			}
			j.waitWhy = e.slotsWhy
			if !j.elementwise {
				break
			}
			continue
		}
		j.waitWhy = ""
		e.startElem(j, el, now)
	}
}

// failPending ends every pending element of j with reason.
func (e *Executor) failPending(j *job, reason string, now time.Time) {
	for _, el := range j.live() {
		if el.st.State == pluginapi.StatePending {
			e.failElem(j, el, reason, now)
		}
	}
}

// failElem ends a pending element that will never run and records that on
// disk, where a reattaching plugin would otherwise find a pending element.
func (e *Executor) failElem(j *job, el *elem, reason string, now time.Time) {
	st := pluginapi.Status{State: pluginapi.StateFailed, ExitCode: pluginapi.NoExitCode,
		NativeState: "DEPENDENCY_NEVER_SATISFIED", Reason: reason, End: now}
	_ = writeFinal(j.dir, el.index, st)
	e.setEnded(j, el, st)
}

// startElem launches one element through a runner, which reports its end.
func (e *Executor) startElem(j *job, el *elem, now time.Time) {
	pi, started, err := e.launch(j, el, now)
	switch {
	case errors.Is(err, errClaimed), err == nil && !started:
		// Another plugin process launched it, or the runner did not
		// report it in time; follow it from its files.
		el.st = pluginapi.Status{State: pluginapi.StateRunning, ExitCode: pluginapi.NoExitCode, NativeState: "RUNNING", Start: now}
		el.claimedAt = now
		j.running++
		e.used += j.rec.CPUs
		return
	case errors.Is(err, errCancelled):
		at := mtime(cancelPath(j.dir))
		st := cancelledStatus(time.Time{}, at, "cancelled before it started")
		_ = writeFinal(j.dir, el.index, st) // this element is claimed: say why it never ran
		e.setEnded(j, el, st)
		j.cancelled = true
		for _, p := range j.elems {
			if p.st.State == pluginapi.StatePending {
				e.setEnded(j, p, st)
			}
		}
		return
	case err != nil:
		sdk.Logger().Warn("could not start job", "id", j.id, "index", el.index, "error", err)
		st := pluginapi.Status{State: pluginapi.StateFailed, ExitCode: pluginapi.NoExitCode,
			NativeState: "LAUNCH_FAILED", Reason: "could not start the job: " + err.Error(), Start: now, End: now}
		_ = writeFinal(j.dir, el.index, st)
		e.setEnded(j, el, st)
		return
	}
	el.st = pluginapi.Status{State: pluginapi.StateRunning, ExitCode: pluginapi.NoExitCode, NativeState: "RUNNING", Start: now}
	el.pid, el.havePid, el.own = pi, true, true
	sdk.Logger().Debug("started job", "id", j.id, "index", el.index, "pid", pi.pid)
	j.running++
	e.used += j.rec.CPUs
}

// checkRunning looks at one running element: has it ended, has it passed
// its time limit, is a kill due.
func (e *Executor) checkRunning(j *job, el *elem, now time.Time) {
	var ended bool
	switch {
	case el.own:
		// A runner killed from outside reports nothing: then the
		// element has ended when its process has.
		ended = el.exited || el.runnerGone && !alive(el.pid.pid, el.pid.start)
	case el.havePid:
		ended = gone(j.dir, el.index, el.pid)
	default:
		// Claimed by a plugin that had not written the pid yet.
		b, _ := os.ReadFile(elemFile(j.dir, el.index, sufPid))
		if pi, ok := parsePid(b); ok {
			el.pid, el.havePid = pi, true
			el.st.Start = pi.launch
			ended = gone(j.dir, el.index, pi)
		} else {
			ended = exists(elemFile(j.dir, el.index, sufExit)) || exists(elemFile(j.dir, el.index, sufFinal)) ||
				now.Sub(el.claimedAt) > claimTimeout
		}
	}
	if ended {
		e.setEnded(j, el, resolveEnded(j, el, now))
		return
	}
	if !el.havePid {
		return
	}
	if lim := j.rec.TimeLimit; lim > 0 && !el.timedOut && now.Sub(el.pid.launch) > lim {
		// Marker first: if this plugin dies right after, the next one
		// still knows why the job is about to die.
		_ = writeAtomic(elemFile(j.dir, el.index, sufTimeout), []byte(fmtDuration(lim)+"\n"))
		el.timedOut = true
	}
	if (el.timedOut || el.cancelling) && el.termAt.IsZero() {
		e.terminate(el, now)
	}
	if !el.termAt.IsZero() && !el.killed && now.Sub(el.termAt) >= e.cfg.KillGrace {
		signalGroup(el.pid.pid, el.pid.start, syscall.SIGKILL)
		el.killed = true
	}
}

// terminate asks an element's process group to stop; checkRunning sends
// SIGKILL once the grace period is over.
func (e *Executor) terminate(el *elem, now time.Time) {
	if !el.havePid {
		return
	}
	signalGroup(el.pid.pid, el.pid.start, syscall.SIGTERM)
	el.termAt = now
	if e.cfg.KillGrace == 0 {
		signalGroup(el.pid.pid, el.pid.start, syscall.SIGKILL)
		el.killed = true
	}
}

// retire takes finished jobs out of the queue and caches their status.
func (e *Executor) retire() {
	keep := e.active[:0]
	for _, j := range e.active {
		if j.done() {
			j.final = summarize(j)
			continue
		}
		keep = append(keep, j)
	}
	for i := len(keep); i < len(e.active); i++ {
		e.active[i] = nil
	}
	e.active = keep
}
