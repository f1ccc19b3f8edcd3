package lsfexec

import (
	"encoding/json"
	"regexp"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// stateVersion is the version of handleState's layout.
const stateVersion = 1

// handleState is a handle's opaque State: what a fresh plugin process needs
// to follow the job besides its LSF id.
type handleState struct {
	V int `json:"v"`
	// Name is the job's LSF name (-J without the array part); element-wise
	// dependents name it ("done(name[*])").
	Name string `json:"name"`
	// Size and Offset describe an array: LSF index k is engine index
	// Offset+k-1. Size is 0 for a job that is not an array.
	Size   int `json:"size,omitempty"`
	Offset int `json:"offset,omitempty"`
	// Submitted is when bsub accepted the job (Unix seconds).
	Submitted int64 `json:"t"`
	// RunLimit is -W in minutes (0: none): an exit status of 140 without a
	// termination reason then means the run limit (LSF's SIGUSR2).
	RunLimit int64 `json:"w,omitempty"`
	// Deps are the job's dependencies, to tell when it can never start.
	Deps []depState `json:"deps,omitempty"`
}

// depState is one dependency as recorded in the dependent's handle.
type depState struct {
	Kind  pluginapi.DependencyKind `json:"k"`
	ID    string                   `json:"id"`
	Group string                   `json:"g,omitempty"`
}

func (s *handleState) encode() []byte {
	b, _ := json.Marshal(s)
	return b
}

// jobIDRe is an LSF job id: digits, never 0 (bkill 0 means every job).
var jobIDRe = regexp.MustCompile(`^[1-9][0-9]{0,18}$`)

// validID reports whether id is an LSF job id.
func validID(id string) bool { return jobIDRe.MatchString(id) }

// decodeState reads a handle's State. ok is false when the State is not
// one this plugin wrote; an empty State is a bare LSF id (handed over by
// something else) and decodes to nil with ok set.
func decodeState(b []byte) (st *handleState, ok bool) {
	if len(b) == 0 {
		return nil, true
	}
	var s handleState
	if err := json.Unmarshal(b, &s); err != nil || s.V != stateVersion || s.Size < 0 || s.Offset < 0 {
		return nil, false
	}
	return &s, true
}

// engineIndex maps LSF array index k (1-based) to the engine's index.
func (s *handleState) engineIndex(k int) int {
	if s == nil {
		return k - 1
	}
	return s.Offset + k - 1
}
