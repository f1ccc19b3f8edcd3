package main

// The broker's queue: one round picks up submissions and cancels,
// resolves dependencies, starts what fits, enforces limits and records
// ends.

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"syscall"
	"time"
)

// round is one pass over the queue, with the state lock held.
func (b *broker) round(now time.Time) error {
	if err := b.ingest(); err != nil {
		return err
	}
	b.reap(now)
	b.cancels(now)
	b.resolve(now)
	b.schedule(now)
	b.limits(now)
	if len(b.active) > 0 {
		b.idle = now
	}
	return b.flush()
}

// ingest picks up newly submitted jobs.
func (b *broker) ingest() error {
	ents, err := os.ReadDir(b.st.path("new"))
	if err != nil {
		return err
	}
	for _, e := range ents {
		id, err := strconv.ParseUint(e.Name(), 10, 64)
		os.Remove(b.st.path("new", e.Name()))
		if err != nil {
			continue
		}
		j, err := b.st.get(id)
		if err != nil {
			return err
		}
		if j != nil && j.active() {
			b.add(j)
		}
	}
	return nil
}

// cancels carries out cancel requests: a pending job ends at once, a
// running one gets a cancel exception, SIGTERM, and SIGKILL after the
// grace.
func (b *broker) cancels(now time.Time) {
	ents, _ := os.ReadDir(b.st.path("cancel"))
	for _, e := range ents {
		path := b.st.path("cancel", e.Name())
		note, _ := os.ReadFile(path)
		os.Remove(path)
		id, err := strconv.ParseUint(e.Name(), 10, 64)
		if err != nil {
			continue
		}
		j := b.active[id]
		if j == nil {
			continue
		}
		if j.Exception == nil || j.Exception.Type != "cancel" {
			j.Exception = &exception{Type: "cancel", Severity: 0, Note: string(note)}
		}
		b.dirty[id] = true
		if j.pending() {
			b.finish(j, now, nil)
			continue
		}
		if p := b.procs[id]; p != nil && p.killAt.IsZero() {
			p.signal(syscall.SIGTERM)
			p.killAt = now.Add(b.killGrace)
		}
	}
}

// resolve releases jobs whose dependencies hold and fails those whose
// dependencies never can.
func (b *broker) resolve(now time.Time) {
	for _, id := range slices.Clone(b.order) {
		j := b.active[id]
		if j == nil || j.State != stateDepend {
			continue
		}
		var left []dep
		for _, d := range j.Deps {
			if d.Scheme == "begin-time" {
				if epoch(now) < d.Time {
					left = append(left, d)
				}
				continue
			}
			up := b.active[d.ID]
			if up == nil {
				var err error
				if up, err = b.st.get(d.ID); err != nil || up == nil {
					// Purged: it ended long ago. Only afterany can still
					// count it as satisfied.
					up = &job{ID: d.ID, State: stateInactive, Result: "PURGED"}
				}
			}
			ok, never := depStatus(d.Scheme, up)
			if never {
				j.Exception = &exception{Type: "dependency", Severity: 0,
					Note: fmt.Sprintf("dependency %s can never be satisfied", depListing(&job{Deps: []dep{d}})[0])}
				b.finish(j, now, nil)
				left = nil
				break
			}
			if !ok {
				left = append(left, d)
			}
		}
		if j.State == stateInactive {
			continue
		}
		if len(left) != len(j.Deps) {
			b.dirty[id] = true
		}
		j.Deps = left
		if len(left) == 0 {
			j.State = stateSched
			j.TSched = epoch(now)
			b.dirty[id] = true
		}
	}
}

// schedule starts queued jobs in urgency then submission order while the
// cores last (a job that does not fit does not hold back smaller ones).
// A job no allocation of the instance could ever satisfy fails with an
// alloc exception, as Flux's scheduler fails it.
func (b *broker) schedule(now time.Time) {
	var queue []*job
	for _, id := range b.order {
		if j := b.active[id]; j != nil && j.State == stateSched && j.Urgency > 0 {
			queue = append(queue, j)
		}
	}
	for i := 1; i < len(queue); i++ { // stable: urgency descending
		for k := i; k > 0 && queue[k].Urgency > queue[k-1].Urgency; k-- {
			queue[k], queue[k-1] = queue[k-1], queue[k]
		}
	}
	for _, j := range queue {
		cores, gpus, ok := b.need(j)
		if !ok {
			j.Exception = &exception{Type: "alloc", Severity: 0, Note: `alloc denied due to type="unsatisfiable"`}
			b.finish(j, now, nil)
			continue
		}
		if b.used+cores > b.res.cores() || b.usedG+gpus > b.res.gpus() {
			continue
		}
		b.used += cores
		b.usedG += gpus
		j.Allocated = cores
		b.start(j, now)
	}
}

// need is what a job takes from the instance, and whether the instance
// could ever give it.
func (b *broker) need(j *job) (cores, gpus int, ok bool) {
	cores = j.NTasks * j.Cores
	gpus = j.NTasks * j.GPUs
	if j.Exclusive && j.Nodes > 0 {
		cores = max(cores, j.Nodes*b.res.coresPerNode)
	}
	ok = cores <= b.res.cores() && gpus <= b.res.gpus() && j.Nodes <= b.res.nodes &&
		(j.Nodes == 0 || j.NTasks*j.Cores <= j.Nodes*b.res.coresPerNode)
	return cores, gpus, ok
}

// limits enforces time limits (a timeout exception, SIGALRM, SIGKILL
// after the grace) and finishes kill escalations.
func (b *broker) limits(now time.Time) {
	for id, p := range b.procs {
		j := b.active[id]
		if j == nil {
			continue
		}
		if !p.deadline.IsZero() && now.After(p.deadline) && p.killAt.IsZero() {
			j.Exception = &exception{Type: "timeout", Severity: 0, Note: "resource allocation expired"}
			b.dirty[id] = true
			p.signal(syscall.SIGALRM)
			p.killAt = now.Add(b.killGrace)
		}
		if !p.killAt.IsZero() && now.After(p.killAt) && !p.killed {
			p.signal(syscall.SIGKILL)
			p.killed = true
		}
	}
}

// reap records the tasks that ended and finishes jobs whose tasks all did.
func (b *broker) reap(now time.Time) {
	b.exitMu.Lock()
	exited := b.exited
	b.exited = nil
	b.exitMu.Unlock()
	for _, x := range exited {
		p := b.procs[x.id]
		if p == nil {
			continue
		}
		p.states[x.task] = x.state
		p.left--
		if p.left == 0 {
			j := b.active[x.id]
			delete(b.procs, x.id)
			if j != nil {
				b.finish(j, now, p.states)
			}
		}
	}
}

// exitedTask is called by a task's waiting goroutine.
func (b *broker) exitedTask(x taskExit) {
	b.exitMu.Lock()
	b.exited = append(b.exited, x)
	b.exitMu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// finish makes a job inactive with Flux's result rules: COMPLETED when it
// ran and its wait status is 0 (and no fatal exception was raised);
// otherwise CANCELED or TIMEOUT after those exceptions, else FAILED. The
// return code is the largest of the tasks' (128+N for a signal), -128 for
// a job cancelled before it ran, 1 for one that failed before it ran.
func (b *broker) finish(j *job, now time.Time, states []*os.ProcessState) {
	fatal := j.Exception != nil && j.Exception.Severity == 0
	if states != nil {
		rc, ws := 0, 0
		for _, s := range states {
			code, raw := taskStatus(s)
			if code >= rc {
				rc, ws = code, raw
			}
		}
		j.Returncode, j.Waitstatus = intp(rc), intp(ws)
		j.TCleanup = epoch(now)
	} else if j.Exception != nil && j.Exception.Type == "cancel" {
		j.Returncode = intp(-128)
	} else {
		j.Returncode = intp(1)
	}
	switch {
	case states != nil && *j.Waitstatus == 0 && !fatal:
		j.Result = resultCompleted
	case fatal && j.Exception.Type == "cancel":
		j.Result = resultCanceled
	case fatal && j.Exception.Type == "timeout":
		j.Result = resultTimeout
	default:
		j.Result = resultFailed
	}
	j.State = stateInactive
	j.TInact = epoch(now)
	j.Deps = nil
	j.Pids = nil
	if j.Allocated > 0 {
		b.used -= j.Allocated
		b.usedG -= j.NTasks * j.GPUs
		j.Allocated = 0
	}
	b.dirty[j.ID] = true
	delete(b.active, j.ID)
	for i, id := range b.order {
		if id == j.ID {
			b.order = append(b.order[:i], b.order[i+1:]...)
			break
		}
	}
	// Write the end now: the job has left the active map.
	b.st.put(j)
	delete(b.dirty, j.ID)
}

// taskStatus is a task's return code (128+N when killed by signal N) and
// its raw wait status.
func taskStatus(s *os.ProcessState) (int, int) {
	if s == nil {
		return 1, 1 << 8
	}
	ws, _ := s.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return 128 + int(ws.Signal()), int(ws)
	}
	return ws.ExitStatus(), int(ws)
}

// flush writes the records of jobs that changed this round.
func (b *broker) flush() error {
	for id := range b.dirty {
		if j := b.active[id]; j != nil {
			if err := b.st.put(j); err != nil {
				return err
			}
		}
		delete(b.dirty, id)
	}
	return nil
}
