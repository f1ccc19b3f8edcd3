package pluginapi

import "time"

// State is a job's (or array element's) state in reflow's vocabulary.
type State string

const (
	StatePending     State = "pending"
	StateRunning     State = "running"
	StateCompleted   State = "completed"
	StateFailed      State = "failed"
	StateCancelled   State = "cancelled"
	StateTimeout     State = "timeout"
	StateOutOfMemory State = "out_of_memory"
	StateNodeFail    State = "node_fail"
	// StateUnknown: the scheduler does not know the id (never submitted,
	// purged from its memory). Never a transport error.
	StateUnknown State = "unknown"
)

// States lists every State, in a stable order.
var States = []State{StatePending, StateRunning, StateCompleted, StateFailed,
	StateCancelled, StateTimeout, StateOutOfMemory, StateNodeFail, StateUnknown}

// Terminal reports whether s is a final state.
func (s State) Terminal() bool {
	switch s {
	case StatePending, StateRunning, StateUnknown:
		return false
	}
	return true
}

// Valid reports whether s is one of States.
func (s State) Valid() bool {
	for _, v := range States {
		if v == s {
			return true
		}
	}
	return false
}

// NoExitCode marks an exit code that is not known (still running, killed
// before it could exit, or the scheduler does not say).
const NoExitCode = -1

// PollRequest asks for the states of many jobs.
type PollRequest struct {
	Handles []Handle
}

// PollResponse answers a PollRequest with one JobStatus per handle, in the
// order of the request.
type PollResponse struct {
	Jobs        []JobStatus
	Diagnostics Diagnostics
}

// Status is the state of a job or an array element.
type Status struct {
	State State
	// ExitCode is the command's exit status, or NoExitCode. Its zero value
	// means "exited 0": set NoExitCode for every job that has not exited.
	ExitCode int
	// NativeState is the scheduler's own word ("COMPLETED", "OUT_OF_MEMORY").
	NativeState string
	// Reason explains a state that is not plain success, in words a user
	// can act on ("killed by signal 9 (killed)", "exceeded time limit 10m").
	Reason string
	Start  time.Time
	End    time.Time
	// PeakMemory in bytes; 0 when not known.
	PeakMemory int64
}

// JobStatus is the state of one job. For an array job, Status summarises the
// elements (running while any runs, completed only when all completed) and
// Elements lists the elements by engine index, one by one or in runs (see
// ElementStatus.Count). Read them with EachElement or ElementLookup.
type JobStatus struct {
	ID string
	Status
	Elements []ElementStatus
}

// ElementStatus is the state of one array element, or of a run of
// consecutive elements in the same state.
type ElementStatus struct {
	Index int
	// Count, when above 1, says this status holds for the elements Index ..
	// Index+Count-1. Zero and one both mean the element Index alone. A
	// plugin that reports runs (see MergeElements) keeps a Poll of a
	// 100,000-element array as small as the number of state changes in it,
	// which is what makes polling a big array cheap every round.
	Count int
	Status
}

// Len is the number of elements e covers.
func (e *ElementStatus) Len() int {
	if e.Count > 1 {
		return e.Count
	}
	return 1
}

// CancelRequest asks to cancel many jobs.
type CancelRequest struct {
	Handles []Handle
}

// CancelResponse reports handles that could not be cancelled as diagnostics
// naming handles[i]. Cancelling a finished or unknown job is not an error.
type CancelResponse struct {
	Diagnostics Diagnostics
}
