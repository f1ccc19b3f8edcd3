package sgeexec

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// stateVersion is the version of handleState; a handle of another version
// is not one this plugin wrote.
const stateVersion = 1

// handleState is what a handle carries besides the job number: everything
// a fresh plugin process needs to report the job, because Grid Engine
// forgets jobs once they leave qstat and its accounting says little.
type handleState struct {
	V int `json:"v"`
	// Size and Offset describe an array: native tasks Offset+1 ..
	// Offset+Size, engine index = task - 1. Size 0: not an array.
	Size   int `json:"n,omitempty"`
	Offset int `json:"o,omitempty"`
	// Submitted is when the job was submitted (Unix seconds). Accounting
	// records older than that belong to an earlier job with the same
	// number (job numbers wrap, and a reinstalled cell starts again).
	Submitted int64 `json:"s"`
	// Hold: the job was submitted with a user hold that Poll releases once
	// the afterok and element-wise dependencies in Deps hold.
	Hold bool       `json:"h,omitempty"`
	Deps []depState `json:"d,omitempty"`
	// TimeLimit (seconds, h_rt) and MemLimit (bytes, the whole job) tell
	// a timeout from a memory kill: Grid Engine reports both as failed 37.
	TimeLimit int64 `json:"t,omitempty"`
	MemLimit  int64 `json:"m,omitempty"`
}

// depState is an afterok or element-wise dependency Poll must check before
// it releases the held dependent. Up is the upstream's own state, without
// its dependencies (a chain would otherwise nest without bound).
type depState struct {
	Kind pluginapi.DependencyKind `json:"k"`
	ID   int                      `json:"id"`
	Up   handleState              `json:"up"`
}

func (h handleState) isArray() bool { return h.Size > 0 }

// tasks returns the job's native task numbers: 0 alone for a job that is
// not an array.
func (h handleState) tasks() []int {
	if !h.isArray() {
		return []int{0}
	}
	out := make([]int, h.Size)
	for i := range out {
		out[i] = h.Offset + 1 + i
	}
	return out
}

// hasTask reports whether the native task t belongs to the job.
func (h handleState) hasTask(t int) bool {
	if !h.isArray() {
		return t == 0
	}
	return t > h.Offset && t <= h.Offset+h.Size
}

func (h handleState) submittedAt() time.Time { return time.Unix(h.Submitted, 0) }

func encodeHandle(id int, st handleState) pluginapi.Handle {
	st.V = stateVersion
	b, _ := json.Marshal(st) // plain data: cannot fail
	return pluginapi.Handle{ID: strconv.Itoa(id), State: b}
}

// decodeHandle reads a handle. ours is false for a handle this plugin did
// not write (or a newer one): id is then still the job number when the ID
// is one, so a job submitted by hand can be followed, and 0 otherwise.
func decodeHandle(h pluginapi.Handle) (id int, st handleState, ours bool) {
	id, err := strconv.Atoi(h.ID)
	if err != nil || id <= 0 {
		return 0, handleState{}, false
	}
	if len(h.State) == 0 || json.Unmarshal(h.State, &st) != nil || st.V != stateVersion || st.Size < 0 || st.Offset < 0 {
		return id, handleState{}, false
	}
	return id, st, true
}
