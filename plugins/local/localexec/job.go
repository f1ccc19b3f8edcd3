package localexec

import (
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// This file is the in-memory picture of a job and how it is rebuilt from
// disk when a plugin reattaches.

// job is one submitted job (or array job) this process knows about.
type job struct {
	id   string
	dir  string
	rec  *jobRecord
	deps []depLink
	// elems are in engine index order.
	elems []*elem
	// elementwise is true when some dependency is element-wise, so the
	// scheduler must judge dependencies per element, not once per job.
	elementwise bool
	cancelled   bool

	running int // elements running now
	ended   int // elements in a terminal state
	// liveFrom is the position of the first element that has not ended
	// (see live).
	liveFrom int
	// firstBad is the first element (by the time it ended) that ended in a
	// state other than completed; it answers afterok dependents in O(1).
	firstBad *elem
	// waitWhy explains why pending elements are not running yet.
	waitWhy string
	// final caches the job's status once every element has ended, so
	// polling finished jobs never touches the disk again.
	final *pluginapi.JobStatus
	// runScript is set once this process has written run.sh, which it
	// does before its first launch so that a job submitted by another
	// version of the plugin starts the way this one expects.
	runScript bool
	// logDirs are the directories of log files this process has made.
	logDirs map[string]bool
}

// depLink is a dependency with its upstream job looked up.
type depLink struct {
	depRecord
	up *job // nil when the upstream job cannot be found any more
}

// elem is one element (the only one of a plain job).
type elem struct {
	index int
	st    pluginapi.Status

	// While running:
	pid        pidInfo
	havePid    bool
	own        bool      // started by one of this process's runners, which reports its end
	exited     bool      // the runner of an own element reported its end
	runnerGone bool      // the runner of an own element died before its end
	claimedAt  time.Time // pid file exists but is still empty
	timedOut   bool      // timeout marker written
	cancelling bool      // cancel marker written
	termAt     time.Time // when SIGTERM went to the group
	killed     bool      // SIGKILL sent
	waitWhy    string    // per-element pending reason (element-wise waits)
}

func (j *job) done() bool { return j.ended == len(j.elems) }

// live returns the elements from the first one that has not ended: the
// scheduler's rounds skip the ended prefix of a long array instead of
// walking it every time one more element ends. Elements never leave a
// terminal state, so the prefix only grows.
func (j *job) live() []*elem {
	for j.liveFrom < len(j.elems) && j.elems[j.liveFrom].st.State.Terminal() {
		j.liveFrom++
	}
	return j.elems[j.liveFrom:]
}

// elemAt returns the element with engine index idx, or nil.
func (j *job) elemAt(idx int) *elem {
	i := idx
	if j.rec.Array {
		i = idx - j.rec.Offset
	}
	if i < 0 || i >= len(j.elems) {
		return nil
	}
	return j.elems[i]
}

func pendingStatus() pluginapi.Status {
	return pluginapi.Status{State: pluginapi.StatePending, ExitCode: pluginapi.NoExitCode, NativeState: "PENDING"}
}

// newJob builds the in-memory job for a record with every element pending.
func newJob(rec *jobRecord, dir string) *job {
	j := &job{id: rec.ID, dir: dir, rec: rec}
	for _, idx := range rec.indices() {
		j.elems = append(j.elems, &elem{index: idx, st: pendingStatus()})
	}
	for _, d := range rec.Deps {
		if d.Kind == pluginapi.Elementwise {
			j.elementwise = true
		}
	}
	return j
}

// loadJob returns the job with the given id, reading it from dir if this
// process does not know it yet (a reattach). The job then becomes this
// process's to schedule: pending elements will be started here, running
// ones watched. Its upstream jobs are loaded the same way. e.mu is held.
func (e *Executor) loadJob(id, dir string) (*job, error) {
	if j, ok := e.jobs[id]; ok {
		return j, nil
	}
	rec, err := readRecord(dir, id)
	if err != nil {
		return nil, err
	}
	names, err := listElemFiles(dir)
	if err != nil {
		return nil, err
	}
	j := newJob(rec, dir)
	j.cancelled = exists(cancelPath(dir))
	cancelledAt := time.Time{}
	if j.cancelled {
		cancelledAt = mtime(cancelPath(dir))
	}
	now := e.now()
	for _, el := range j.elems {
		e.restoreElem(j, el, names, cancelledAt, now)
	}
	// Register before following dependencies: cycles cannot happen (a job
	// only depends on earlier ones) but damaged files should not recurse.
	e.jobs[id] = j
	for _, d := range rec.Deps {
		link := depLink{depRecord: d}
		if up, err := e.loadJob(d.ID, d.Dir); err == nil {
			link.up = up
		}
		j.deps = append(j.deps, link)
	}
	if j.done() {
		j.final = summarize(j)
	} else {
		e.enqueue(j)
	}
	return j, nil
}

// restoreElem sets an element's state from its files. names is the listing
// of the job's e/ directory.
func (e *Executor) restoreElem(j *job, el *elem, names map[string]bool, cancelledAt, now time.Time) {
	p := strconv.Itoa(el.index)
	switch {
	case names[p+sufFinal]:
		if st, ok := readFinal(j.dir, el.index); ok {
			e.setEnded(j, el, st)
			return
		}
	case names[p+sufExit]:
		e.setEnded(j, el, resolveEnded(j, el, now))
		return
	}
	if names[p+sufPid] {
		b, _ := os.ReadFile(elemFile(j.dir, el.index, sufPid))
		el.st = pluginapi.Status{State: pluginapi.StateRunning, ExitCode: pluginapi.NoExitCode, NativeState: "RUNNING"}
		if pi, ok := parsePid(b); ok {
			el.pid, el.havePid = pi, true
			el.st.Start = pi.launch
		} else {
			el.claimedAt = mtime(elemFile(j.dir, el.index, sufPid))
			el.st.Start = el.claimedAt
		}
		el.timedOut = names[p+sufTimeout]
		el.cancelling = names[p+sufCancel]
		j.running++
		e.used += j.rec.CPUs
		return
	}
	if !cancelledAt.IsZero() {
		e.setEnded(j, el, cancelledStatus(time.Time{}, cancelledAt, "cancelled before it started"))
	}
}

// enqueue puts a job into the FIFO queue at the place its submission time
// gives it, so reattached jobs keep their turn.
func (e *Executor) enqueue(j *job) {
	i := sort.Search(len(e.active), func(i int) bool {
		a := e.active[i].rec
		if !a.Submitted.Equal(j.rec.Submitted) {
			return a.Submitted.After(j.rec.Submitted)
		}
		return a.ID > j.rec.ID
	})
	e.active = append(e.active, nil)
	copy(e.active[i+1:], e.active[i:])
	e.active[i] = j
}

// setEnded moves an element to a terminal state and keeps the job's
// counters and the slot count right. It is the only way an element ends.
func (e *Executor) setEnded(j *job, el *elem, st pluginapi.Status) {
	if el.st.State.Terminal() {
		return
	}
	if el.st.State == pluginapi.StateRunning {
		j.running--
		e.used -= j.rec.CPUs
	}
	el.st = st
	j.ended++
	if st.State != pluginapi.StateCompleted && j.firstBad == nil {
		j.firstBad = el
	}
}
