package pbsexec

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// missingStatus answers for a job qstat did not list. A job this plugin
// submitted wrote its exit status to a file when it ended (render.go); that
// answers for it. Without the file it is given history_grace from when it
// was first missed (pending meanwhile), then reported failed as vanished:
// it was deleted before it ran and aged out of history, or it was killed
// so hard it wrote nothing. An id with no state of ours is one the
// scheduler simply does not know: unknown.
func (e *Executor) missingStatus(hi handleInfo, mc mapCtx, now time.Time) pluginapi.JobStatus {
	id := hi.h.ID
	if !hi.ours {
		return unknownStatus(id, "qstat does not know this job")
	}
	cfg, _ := e.snapshot()
	js, complete := fromExitFiles(hi, mc)
	e.mu.Lock()
	defer e.mu.Unlock()
	if complete {
		delete(e.missing, id)
		e.final[id] = js
		return js
	}
	first, ok := e.missing[id]
	if !ok {
		first = now
		e.missing[id] = now
	}
	vanished := pluginapi.Status{State: pluginapi.StateFailed, ExitCode: pluginapi.NoExitCode, NativeState: "vanished",
		Reason: "vanished from the scheduler: qstat no longer lists it and it left no exit status (deleted before it ran and aged out of job history, or killed before it could write one)"}
	if now.Sub(first) < cfg.HistoryGrace {
		vanished = pluginapi.Status{State: pluginapi.StatePending, ExitCode: pluginapi.NoExitCode,
			NativeState: "missing", Reason: "not listed by qstat; waiting history_grace before calling it vanished"}
	}
	if js.Elements == nil {
		js.Status = vanished
	} else {
		for i := range js.Elements {
			if js.Elements[i].NativeState == "" {
				js.Elements[i].Status = vanished
			}
		}
		js.Status = summarize(js.Elements, vanished)
	}
	if js.State.Terminal() {
		delete(e.missing, id)
		e.final[id] = js
	}
	return js
}

// fromExitFiles reads the exit files the job script writes
// ("<ExitDir>/<PBS_JOBID>.exit"). complete is false when any is missing;
// elements without a file then have an empty NativeState.
func fromExitFiles(hi handleInfo, mc mapCtx) (pluginapi.JobStatus, bool) {
	st := hi.state
	js := pluginapi.JobStatus{ID: hi.h.ID}
	read := func(jobID string) (pluginapi.Status, bool) {
		if st.ExitDir == "" {
			return pluginapi.Status{}, false
		}
		b, err := os.ReadFile(filepath.Join(st.ExitDir, jobID+".exit"))
		if err != nil || !strings.HasSuffix(string(b), "\n") {
			return pluginapi.Status{}, false
		}
		code, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return pluginapi.Status{}, false
		}
		s := mapRecord(record{State: "F", Exit: code, HasExit: true}, mc)
		s.NativeState = "gone (exit status from its exit file)"
		return s, true
	}
	if !hi.id.array {
		s, ok := read(hi.h.ID)
		js.Status = s
		if st.Plain {
			js.Elements = []pluginapi.ElementStatus{{Index: st.Offset, Status: s}}
		}
		return js, ok
	}
	prefix, suffix, _ := strings.Cut(hi.h.ID, "[]")
	complete := true
	for i := 0; i < st.Size; i++ {
		idx := st.Offset + i
		s, ok := read(fmt.Sprintf("%s[%d]%s", prefix, idx, suffix))
		complete = complete && ok
		js.Elements = append(js.Elements, pluginapi.ElementStatus{Index: idx, Status: s})
	}
	if complete {
		js.Status = summarize(js.Elements, pluginapi.Status{})
	}
	return js, complete
}
