package fluxexec

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// handleVersion is the version of the handle state's format.
const handleVersion = 1

// handleState is what a handle's opaque State holds, as JSON:
//
//	{"v":1,"ids":"529086284178653184,+9zldr,...","n":4,"o":2,"t":1700000000,"e":"/run/.reflow/logs/x.{index}.a1.job.err"}
//
// ids are the element job ids in engine-index order: the first in decimal,
// then each as the base-36 difference from the one before (ids of one
// bulk submission are close together, so a 256-element array stays near
// 1.5 KiB). n and o are the array's size and offset (absent for a job that
// is not an array), t is the submission time (Unix seconds) that the
// vanish grace counts from, and e the stderr path (with {index}) that
// Poll reads to tell an out-of-memory kill from another SIGKILL.
type handleState struct {
	V      int    `json:"v"`
	IDs    string `json:"ids"`
	Size   int    `json:"n,omitempty"`
	Offset int    `json:"o,omitempty"`
	Time   int64  `json:"t,omitempty"`
	Stderr string `json:"e,omitempty"`
}

// tracked is a handle as the plugin understands it.
type tracked struct {
	ids    []uint64 // one per element, engine-index order
	array  bool
	offset int
	// submitted is when the plugin submitted the job; zero for a handle
	// the plugin did not issue (a bare id), which is never reported
	// vanished, only unknown.
	submitted time.Time
	stderr    string
}

func encodeIDs(ids []uint64) string {
	var b strings.Builder
	for i, id := range ids {
		if i == 0 {
			b.WriteString(dec(id))
			continue
		}
		d := int64(id - ids[i-1])
		b.WriteByte(',')
		if d >= 0 {
			b.WriteByte('+')
		}
		b.WriteString(strconv.FormatInt(d, 36))
	}
	return b.String()
}

func decodeIDs(s string) ([]uint64, error) {
	parts := strings.Split(s, ",")
	out := make([]uint64, 0, len(parts))
	for i, p := range parts {
		if i == 0 {
			v, err := strconv.ParseUint(p, 10, 64)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			continue
		}
		d, err := strconv.ParseInt(p, 36, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, out[i-1]+uint64(d))
	}
	return out, nil
}

// newHandle makes the handle of a submitted job or array.
func newHandle(t tracked) pluginapi.Handle {
	st := handleState{V: handleVersion, IDs: encodeIDs(t.ids), Time: t.submitted.Unix(), Stderr: t.stderr}
	id := dec(t.ids[0])
	if t.array {
		st.Size, st.Offset = len(t.ids), t.offset
		id = fmt.Sprintf("%s[%d-%d]", id, t.offset, t.offset+len(t.ids)-1)
	}
	data, _ := json.Marshal(st)
	return pluginapi.Handle{ID: id, State: data}
}

// parseHandle reads a handle. A handle without state the plugin can read
// is taken as a bare Flux job id (a single job submitted elsewhere);
// anything else is an error.
func parseHandle(h pluginapi.Handle) (tracked, error) {
	var st handleState
	if len(h.State) > 0 && json.Unmarshal(h.State, &st) == nil && st.V == handleVersion && st.IDs != "" {
		ids, err := decodeIDs(st.IDs)
		if err != nil {
			return tracked{}, fmt.Errorf("handle %q: corrupt job ids in its state: %v", h.ID, err)
		}
		t := tracked{ids: ids, array: st.Size > 0, offset: st.Offset, stderr: st.Stderr}
		if st.Size > 0 && st.Size != len(ids) {
			return tracked{}, fmt.Errorf("handle %q: its state lists %d ids for %d elements", h.ID, len(ids), st.Size)
		}
		if st.Time > 0 {
			t.submitted = time.Unix(st.Time, 0)
		}
		return t, nil
	}
	id, err := parseID(h.ID)
	if err != nil {
		return tracked{}, fmt.Errorf("handle %q is not a Flux job id and has no state from this plugin", h.ID)
	}
	return tracked{ids: []uint64{id}}, nil
}
