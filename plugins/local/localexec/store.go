package localexec

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// This file owns the on-disk layout (see doc.go): where each file of a job
// lives, how the handle points at it, and how files are written so that a
// reader in another process never sees half of one.

const recordVersion = 1

// jobRecord is spec.json: the submission after validation and defaults, so
// a plugin that reattaches schedules exactly what was submitted even if its
// own settings differ.
type jobRecord struct {
	Version   int               `json:"v"`
	ID        string            `json:"id"`
	Submitted time.Time         `json:"submitted"`
	Spec      pluginapi.JobSpec `json:"spec"`
	CPUs      int               `json:"cpus"`
	// TimeLimit is 0 when the job has none.
	TimeLimit time.Duration `json:"time_limit_ns"`
	// Array is false for a plain job, which then has the single element 0.
	Array       bool        `json:"array"`
	Offset      int         `json:"offset"`
	Size        int         `json:"size"`
	Parallelism int         `json:"parallelism"`
	Deps        []depRecord `json:"deps"`
	// Inline: the job script is sourced in the element's process instead
	// of getting a bash of its own (native option "inline").
	Inline bool `json:"inline,omitempty"`
}

// depRecord is one dependency, resolved to the upstream job's directory so a
// new plugin can follow it without the upstream's handle.
type depRecord struct {
	Kind  pluginapi.DependencyKind `json:"kind"`
	ID    string                   `json:"id"`
	Dir   string                   `json:"dir"`
	Group string                   `json:"group,omitempty"`
}

// indices returns the engine indices of the record's elements.
func (r *jobRecord) indices() []int {
	if !r.Array {
		return []int{0}
	}
	out := make([]int, r.Size)
	for i := range out {
		out[i] = r.Offset + i
	}
	return out
}

// handleState is the JSON in Handle.State.
type handleState struct {
	V   int    `json:"v"`
	Dir string `json:"dir"`
}

func encodeHandle(id, dir string) pluginapi.Handle {
	b, _ := json.Marshal(handleState{V: recordVersion, Dir: dir})
	return pluginapi.Handle{ID: id, State: b}
}

// decodeHandle returns the job directory a handle points at, or an error
// saying why the handle is not one of ours.
func decodeHandle(h pluginapi.Handle) (string, error) {
	if h.ID == "" {
		return "", errors.New("the handle has no id")
	}
	var hs handleState
	if err := json.Unmarshal(h.State, &hs); err != nil {
		return "", fmt.Errorf("the handle's state is not local executor state: %v", err)
	}
	if hs.V != recordVersion || hs.Dir == "" || !filepath.IsAbs(hs.Dir) {
		return "", errors.New("the handle's state is not local executor state")
	}
	if filepath.Base(hs.Dir) != h.ID {
		return "", fmt.Errorf("the handle's state points at %s, not at job %s", hs.Dir, h.ID)
	}
	return hs.Dir, nil
}

// newJobID returns a unique, sortable native id. The random part keeps two
// plugin processes sharing a state dir apart; creating the directory with
// Mkdir (which fails on an existing one) settles any remaining collision.
func newJobID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "local-" + now.UTC().Format("20060102-150405.000000") + "-" + hex.EncodeToString(b[:])
}

// Paths of a job's files.
func specPath(dir string) string      { return filepath.Join(dir, "spec.json") }
func jobScript(dir string) string     { return filepath.Join(dir, "job.sh") }
func runScriptPath(dir string) string { return filepath.Join(dir, "run.sh") }
func cancelPath(dir string) string    { return filepath.Join(dir, "cancel") }
func elemDir(dir string) string       { return filepath.Join(dir, "e") }

// elemFile is the path of one of an element's files; kind is one of the
// suffixes below.
func elemFile(dir string, index int, kind string) string {
	return filepath.Join(dir, "e", strconv.Itoa(index)+kind)
}

const (
	sufPid     = ".pid"
	sufExit    = ".exit"
	sufTimeout = ".timeout"
	sufCancel  = ".cancel"
	sufFinal   = ".final"
)

// writeAtomic writes data to path through a temporary file and a rename, so
// a concurrent reader (another plugin process) sees the old file or the
// complete new one. No fsync: the files must survive the plugin dying, not
// the machine, and the page cache already guarantees that.
func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

// readRecord loads spec.json from dir and checks it belongs to id.
func readRecord(dir, id string) (*jobRecord, error) {
	b, err := os.ReadFile(specPath(dir))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no local executor job in %s", dir)
		}
		return nil, err
	}
	var r jobRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %v", specPath(dir), err)
	}
	if r.Version != recordVersion || r.ID != id {
		return nil, fmt.Errorf("%s does not describe job %s", specPath(dir), id)
	}
	if r.Array && (r.Size < 1 || r.Size > maxArraySize) || r.CPUs < 1 {
		return nil, fmt.Errorf("%s is damaged", specPath(dir))
	}
	return &r, nil
}

// pidInfo is the content of an element's pid file:
// "pid starttime launch-unix-ns runner-pid runner-starttime", written by the
// runner in one write. A file without the runner fields (written by an
// older plugin) is read too.
type pidInfo struct {
	pid    int
	start  uint64    // process start time in clock ticks since boot (/proc/<pid>/stat field 22)
	launch time.Time // when the plugin handed it out; deadlines count from here
	// The runner that waits for the element and records its status;
	// runner 0 when unknown.
	runner      int
	runnerStart uint64
}

// parsePid parses a pid file; ok is false for an empty or partial one (the
// element is claimed but its runner has not written the pid yet).
func parsePid(b []byte) (pidInfo, bool) {
	f := strings.Fields(string(b))
	if (len(f) != 3 && len(f) != 5) || b[len(b)-1] != '\n' {
		return pidInfo{}, false
	}
	pid, err1 := strconv.Atoi(f[0])
	st, err2 := strconv.ParseUint(f[1], 10, 64)
	ns, err3 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || pid <= 1 {
		return pidInfo{}, false
	}
	pi := pidInfo{pid: pid, start: st, launch: time.Unix(0, ns)}
	if len(f) == 5 {
		pi.runner, _ = strconv.Atoi(f[3])
		pi.runnerStart, _ = strconv.ParseUint(f[4], 10, 64)
	}
	return pi, true
}

// finalRecord is the content of an element's .final file.
type finalRecord struct {
	State       pluginapi.State `json:"state"`
	ExitCode    int             `json:"exit_code"`
	NativeState string          `json:"native_state"`
	Reason      string          `json:"reason"`
	Start       time.Time       `json:"start"`
	End         time.Time       `json:"end"`
}

func writeFinal(dir string, index int, st pluginapi.Status) error {
	b, _ := json.Marshal(finalRecord{State: st.State, ExitCode: st.ExitCode,
		NativeState: st.NativeState, Reason: st.Reason, Start: st.Start, End: st.End})
	return writeAtomic(elemFile(dir, index, sufFinal), b)
}

func readFinal(dir string, index int) (pluginapi.Status, bool) {
	b, err := os.ReadFile(elemFile(dir, index, sufFinal))
	if err != nil {
		return pluginapi.Status{}, false
	}
	var f finalRecord
	if json.Unmarshal(b, &f) != nil || !f.State.Terminal() {
		return pluginapi.Status{}, false
	}
	return pluginapi.Status{State: f.State, ExitCode: f.ExitCode, NativeState: f.NativeState,
		Reason: f.Reason, Start: f.Start, End: f.End}, true
}

// listElemFiles returns the names in a job's e/ directory as a set, so that
// loading a large array costs one directory read instead of a stat per file.
func listElemFiles(dir string) (map[string]bool, error) {
	ents, err := os.ReadDir(elemDir(dir))
	if err != nil {
		return nil, err
	}
	set := make(map[string]bool, len(ents))
	for _, e := range ents {
		set[e.Name()] = true
	}
	return set, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func mtime(path string) time.Time {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}
