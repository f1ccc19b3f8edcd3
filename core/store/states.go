package store

// RunState is the state of a whole run.
type RunState string

const (
	RunRunning   RunState = "running"
	RunSucceeded RunState = "succeeded"
	RunFailed    RunState = "failed"
	RunCancelled RunState = "cancelled"
)

// RunStates lists every RunState in a stable order.
var RunStates = []RunState{RunRunning, RunSucceeded, RunFailed, RunCancelled}

// Valid reports whether s is one of RunStates.
func (s RunState) Valid() bool {
	switch s {
	case RunRunning, RunSucceeded, RunFailed, RunCancelled:
		return true
	}
	return false
}

// Terminal reports whether the run has ended.
func (s RunState) Terminal() bool { return s.Valid() && s != RunRunning }

// CanRunTransition reports whether a run may go from one state to another.
// Succeeded is final: re-running a succeeded run's tasks is a new run (or
// --force-task), never a flip back to running. Failed and cancelled runs
// may go back to running (`reflow retry`, `reflow resume`). Staying in the
// same state is always allowed.
func CanRunTransition(from, to RunState) bool {
	if !from.Valid() || !to.Valid() {
		return false
	}
	if from == to {
		return true
	}
	switch from {
	case RunRunning:
		return true
	case RunFailed, RunCancelled:
		return to == RunRunning
	}
	return false
}

// InstanceState is the state of one task instance (a singleton, or one
// element of an array).
type InstanceState string

const (
	// Pending: known, not submitted. Waiting for upstream, for a submission
	// wave (max_queued), or for a retry.
	InstancePending InstanceState = "pending"
	// Submitted: handed to the scheduler; Handle is set.
	InstanceSubmitted InstanceState = "submitted"
	// Running: the scheduler reports it running.
	InstanceRunning InstanceState = "running"
	// Succeeded: the command exited 0 and its result was ingested.
	InstanceSucceeded InstanceState = "succeeded"
	// Failed: the command or the job failed and no retry is left.
	InstanceFailed InstanceState = "failed"
	// Cancelled: by the user (Ctrl-C, `reflow cancel`) or the scheduler.
	InstanceCancelled InstanceState = "cancelled"
	// Skipped: never ran because an upstream failed (or --fail-fast).
	InstanceSkipped InstanceState = "skipped"
	// Cached: satisfied from a cache entry without running.
	InstanceCached InstanceState = "cached"
)

// InstanceStates lists every InstanceState in a stable order.
var InstanceStates = []InstanceState{InstancePending, InstanceSubmitted, InstanceRunning,
	InstanceSucceeded, InstanceFailed, InstanceCancelled, InstanceSkipped, InstanceCached}

// Valid reports whether s is one of InstanceStates.
func (s InstanceState) Valid() bool {
	_, ok := instanceFrom[s]
	return ok
}

// Terminal reports whether the instance has ended (for now: failed,
// cancelled and skipped instances may be retried).
func (s InstanceState) Terminal() bool {
	switch s {
	case InstanceSucceeded, InstanceFailed, InstanceCancelled, InstanceSkipped, InstanceCached:
		return true
	}
	return false
}

// Done reports whether the instance's outputs are available to dependents:
// it succeeded or came from the cache.
func (s InstanceState) Done() bool { return s == InstanceSucceeded || s == InstanceCached }

// Active reports whether the scheduler has the instance (submitted or
// running): the jobs a dispatch round polls and Ctrl-C cancels.
func (s InstanceState) Active() bool { return s == InstanceSubmitted || s == InstanceRunning }

// instanceFrom maps each state to the states it may be entered from. It is
// the state machine; doc.go draws it. Staying in a state is always allowed
// (an update of other fields) and not listed.
//
// Why these edges:
//   - pending → failed: a task can fail before submission (an empty fan-out,
//     a spec the plugin refuses).
//   - submitted → succeeded/failed: a short job can finish between two polls.
//   - pending → running/succeeded: the dispatcher commits at most once a
//     second, and a short job can go out and finish in between.
//   - submitted/running → pending: an attempt ended and a retry is due (or
//     the scheduler lost the job); the ended attempt goes to AppendAttempts.
//   - failed/cancelled/skipped → pending: `reflow retry` / `reflow resume`.
//   - succeeded and cached are final: nothing may flip a success back.
var instanceFrom = map[InstanceState][]InstanceState{
	InstancePending:   {InstanceSubmitted, InstanceRunning, InstanceFailed, InstanceCancelled, InstanceSkipped},
	InstanceSubmitted: {InstancePending},
	InstanceRunning:   {InstancePending, InstanceSubmitted},
	InstanceSucceeded: {InstancePending, InstanceSubmitted, InstanceRunning},
	InstanceFailed:    {InstancePending, InstanceSubmitted, InstanceRunning},
	InstanceCancelled: {InstancePending, InstanceSubmitted, InstanceRunning},
	InstanceSkipped:   {InstancePending},
	InstanceCached:    {InstancePending},
}

// CanInstanceTransition reports whether an instance may go from one state
// to another.
func CanInstanceTransition(from, to InstanceState) bool {
	if !from.Valid() || !to.Valid() {
		return false
	}
	if from == to {
		return true
	}
	for _, f := range instanceFrom[to] {
		if f == from {
			return true
		}
	}
	return false
}

// TaskKind says whether a task is one job or an array of elements.
type TaskKind string

const (
	TaskSingleton TaskKind = "singleton"
	TaskArray     TaskKind = "array"
)

// DepKind is how a task depends on an upstream task (DESIGN §2).
type DepKind string

const (
	// DepAfterOK: starts after every upstream instance succeeded.
	DepAfterOK DepKind = "afterok"
	// DepAfterAny: starts after every upstream instance ended, however.
	DepAfterAny DepKind = "afterany"
	// DepElementwise: element i depends on upstream element i only.
	DepElementwise DepKind = "elementwise"
	// DepGather: a singleton (or fan-out) consumes all of an array's values.
	DepGather DepKind = "gather"
	// DepBroadcast: every element of an array gets an upstream's whole value.
	DepBroadcast DepKind = "broadcast"
	// DepAfter: order only, from `after = [job.X]`.
	DepAfter DepKind = "after"
)

// DepKinds lists every DepKind in a stable order.
var DepKinds = []DepKind{DepAfterOK, DepAfterAny, DepElementwise, DepGather, DepBroadcast, DepAfter}

// Valid reports whether k is one of DepKinds.
func (k DepKind) Valid() bool {
	for _, v := range DepKinds {
		if v == k {
			return true
		}
	}
	return false
}
