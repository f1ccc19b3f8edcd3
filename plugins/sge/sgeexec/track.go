package sgeexec

import (
	"sync"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// maxFinal bounds the cache of settled statuses. Past it the cache starts
// afresh: a forgotten task costs one more accounting lookup, never a wrong
// answer.
const maxFinal = 200_000

// tracker is what one plugin process remembers between polls. None of it
// is needed for a correct answer after a restart except to say more
// precisely what happened (see the package doc): Grid Engine's accounting
// and the handles carry the rest.
type tracker struct {
	mu sync.Mutex
	// final holds settled statuses: they never change, so the task is
	// not looked up again.
	final map[taskKey]pluginapi.Status
	// seen is the last status qstat gave a task; missing is when a task
	// was first found neither in qstat nor in the accounting.
	seen    map[taskKey]pluginapi.Status
	missing map[taskKey]time.Time
	// cancelled holds the jobs this process deleted (Cancel): a job
	// deleted while pending leaves no accounting record at all.
	cancelled map[int]bool
	// deleting holds tasks qstat showed being deleted (a "d" state).
	deleting map[taskKey]bool
	// released holds held dependents this process released with qrls.
	released map[taskKey]bool
	// errored holds tasks found in an error state (Eqw), with the reason,
	// until they are gone from the queue.
	errored map[taskKey]string
}

func newTracker() *tracker {
	return &tracker{
		final:     map[taskKey]pluginapi.Status{},
		seen:      map[taskKey]pluginapi.Status{},
		missing:   map[taskKey]time.Time{},
		cancelled: map[int]bool{},
		deleting:  map[taskKey]bool{},
		released:  map[taskKey]bool{},
		errored:   map[taskKey]string{},
	}
}

func (t *tracker) finalOf(k taskKey) (pluginapi.Status, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.final[k]
	return s, ok
}

// settle records a task's final status and forgets what led to it.
func (t *tracker) settle(k taskKey, s pluginapi.Status) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.final) >= maxFinal {
		t.final = map[taskKey]pluginapi.Status{}
	}
	t.final[k] = s
	delete(t.seen, k)
	delete(t.missing, k)
	delete(t.deleting, k)
	delete(t.released, k)
	delete(t.errored, k)
}

// live records what qstat said of a task.
func (t *tracker) live(k taskKey, s pluginapi.Status, deleting bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seen[k] = s
	delete(t.missing, k)
	if deleting {
		t.deleting[k] = true
	}
}

// gone records that a task is in neither qstat nor the accounting and
// returns since when, the status qstat last gave it (if any), and whether
// it was seen being deleted.
func (t *tracker) gone(k taskKey, now time.Time) (since time.Time, last pluginapi.Status, wasSeen, deleted bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	since, ok := t.missing[k]
	if !ok {
		since = now
		t.missing[k] = now
	}
	last, wasSeen = t.seen[k]
	return since, last, wasSeen, t.deleting[k]
}

func (t *tracker) markCancelled(jobs []int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, j := range jobs {
		t.cancelled[j] = true
	}
}

func (t *tracker) isCancelled(job int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cancelled[job]
}

// release marks tasks as released and returns those that were not yet.
func (t *tracker) release(ks []taskKey) []taskKey {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []taskKey
	for _, k := range ks {
		if !t.released[k] {
			t.released[k] = true
			out = append(out, k)
		}
	}
	return out
}

// lastSeen returns the status qstat last gave a task.
func (t *tracker) lastSeen(k taskKey) (pluginapi.Status, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.seen[k]
	return s, ok
}

// unrelease forgets a release that did not go through.
func (t *tracker) unrelease(ks []taskKey) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range ks {
		delete(t.released, k)
	}
}

func (t *tracker) setError(k taskKey, reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.errored[k] = reason
}

// errorOf returns the reason a task was found in an error state.
func (t *tracker) errorOf(k taskKey) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.errored[k]
	return r, ok
}
