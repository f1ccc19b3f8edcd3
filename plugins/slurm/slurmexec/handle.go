package slurmexec

import (
	"encoding/json"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// handleVersion is the version of handleState; a fresh plugin reads every
// version it ever wrote.
const handleVersion = 1

// handleState is what a Handle carries besides the job id (Handle.State,
// JSON): enough for a plugin process that did not submit the job to map
// Slurm's answers back to engine indices and reasons.
type handleState struct {
	V int `json:"v"`
	// Size is the number of array elements; 0 for a job that is not an
	// array. Offset is the engine index of the first element, Base the
	// native index Slurm gave it (Offset itself when it fits under
	// MaxArraySize, else 0; see arrays.go).
	Size   int `json:"n,omitempty"`
	Offset int `json:"off,omitempty"`
	Base   int `json:"base,omitempty"`
	// Deps is set when the job was submitted with dependencies: a cancel
	// by Slurm itself then means a dependency failed.
	Deps bool `json:"deps,omitempty"`
	// Cluster is the cluster sbatch named (with --clusters), to ask the
	// right one.
	Cluster string `json:"cl,omitempty"`
	// Submitted is when sbatch returned (Unix seconds). Accounting records
	// of an older job with the same id (ids restart when a test cluster is
	// wiped) are older and ignored.
	Submitted int64 `json:"t,omitempty"`
}

func (h handleState) isArray() bool { return h.Size > 0 }

// engineIndex maps a native array index to the engine index, and reports
// whether the element belongs to this job.
func (h handleState) engineIndex(native int) (int, bool) {
	i := native - h.Base
	if i < 0 || i >= h.Size {
		return 0, false
	}
	return h.Offset + i, true
}

// submitTime is Submitted as a time, zero when unknown.
func (h handleState) submitTime() time.Time {
	if h.Submitted == 0 {
		return time.Time{}
	}
	return time.Unix(h.Submitted, 0)
}

func (h handleState) encode() []byte {
	h.V = handleVersion
	b, _ := json.Marshal(h) // a struct of ints, a bool and a string: cannot fail
	return b
}

// decodeHandle reads a handle's state. ours is false when the state is not
// one this plugin wrote (empty, garbage, another plugin's): the job is then
// treated as a plain job the plugin knows nothing more about.
func decodeHandle(h pluginapi.Handle) (st handleState, ours bool) {
	if len(h.State) == 0 || json.Unmarshal(h.State, &st) != nil || st.V != handleVersion ||
		st.Size < 0 || st.Offset < 0 || st.Base < 0 {
		return handleState{}, false
	}
	return st, true
}
