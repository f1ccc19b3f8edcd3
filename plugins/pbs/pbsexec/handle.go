package pbsexec

import (
	"encoding/json"
	"regexp"
	"strconv"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// stateVersion is the version of handleState's encoding.
const stateVersion = 1

// handleState is the opaque part of a handle: what Poll and Cancel need,
// besides the id, to read a job back in a process that did not submit it.
type handleState struct {
	V       int    `json:"v"`
	Dialect string `json:"d"`
	// Size and Offset describe an engine array (Size 0: not an array).
	Size   int `json:"n,omitempty"`
	Offset int `json:"o,omitempty"`
	// Plain marks a one-element array submitted as a plain job (OpenPBS
	// refuses a one-element -J range).
	Plain bool `json:"p,omitempty"`
	// Deps are the upstream job ids, to explain a job the server deleted
	// because a dependency could never hold.
	Deps []string `json:"deps,omitempty"`
	// Guard lists the array upstreams whose subjobs the script checks
	// before it runs (deps.go); such a script exits guardExit when one
	// failed.
	Guard []string `json:"g,omitempty"`
	// Walltime is the limit asked for, in seconds, to recognise a walltime
	// kill on servers that report it only as a signal.
	Walltime int64 `json:"w,omitempty"`
	// ExitDir is where the job script writes "<PBS_JOBID>.exit" with its
	// exit status, read when qstat no longer lists the job.
	ExitDir   string `json:"x,omitempty"`
	Submitted int64  `json:"t"`
}

func (s handleState) encode() []byte {
	b, _ := json.Marshal(s)
	return b
}

// decodeState reads a handle's state; ok is false when it is not one this
// plugin wrote (empty, garbage, another plugin's).
func decodeState(b []byte) (handleState, bool) {
	var s handleState
	if len(b) == 0 || json.Unmarshal(b, &s) != nil || s.V != stateVersion {
		return handleState{}, false
	}
	if s.Dialect != dialectOpenPBS && s.Dialect != dialectTorque || s.Size < 0 || s.Offset < 0 {
		return handleState{}, false
	}
	return s, true
}

// jobIDRE matches the job ids qsub prints: "1234.server" or
// "1234[].server" (the server part may be missing where a site strips it).
var jobIDRE = regexp.MustCompile(`^([0-9]+)(\[\])?(\.[A-Za-z0-9][A-Za-z0-9.-]*)?$`)

// parsedID is a job id taken apart.
type parsedID struct {
	seq   int
	array bool
}

// parseJobID reads a job id as qsub printed it; ok is false for anything
// else, which Poll and Cancel then never pass to qstat or qdel.
func parseJobID(id string) (parsedID, bool) {
	m := jobIDRE.FindStringSubmatch(id)
	if m == nil {
		return parsedID{}, false
	}
	seq, err := strconv.Atoi(m[1])
	if err != nil {
		return parsedID{}, false
	}
	return parsedID{seq: seq, array: m[2] != ""}, true
}

// handleInfo is a handle as Poll reads it.
type handleInfo struct {
	h     pluginapi.Handle
	id    parsedID
	valid bool // the id is a PBS job id
	state handleState
	ours  bool // the state is one this plugin wrote
}

func readHandle(h pluginapi.Handle) handleInfo {
	hi := handleInfo{h: h}
	hi.id, hi.valid = parseJobID(h.ID)
	hi.state, hi.ours = decodeState(h.State)
	if hi.ours && hi.valid && hi.id.array != (hi.state.Size > 0 && !hi.state.Plain) {
		hi.ours = false // the state does not describe this id
	}
	return hi
}
