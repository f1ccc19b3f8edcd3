package sgeexec

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// liveTask is one task (or job) as `qstat -xml` lists it.
type liveTask struct {
	State string    // Grid Engine's letters: "qw", "hqw", "r", "Eqw", "dr", ...
	Start time.Time // when it started running; zero while pending
}

// liveJobs maps job number → native task (0 for a job that is not an
// array) → what qstat says.
type liveJobs map[int]map[int]liveTask

// qstatJob is one <job_list> element of `qstat -xml`. Running jobs are
// under <queue_info> (and, with -f, inside <Queue-List>), pending, held and
// failed ones under the inner <job_info>; Poll reads every <job_list>
// wherever it is, so both layouts work.
type qstatJob struct {
	Number int    `xml:"JB_job_number"`
	Name   string `xml:"JB_name"`
	State  string `xml:"state"`
	Start  string `xml:"JAT_start_time"`
	// Tasks is empty for a job that is not an array; otherwise a task
	// ("1"), a range ("3-10:1") or a list ("1,2").
	Tasks string `xml:"tasks"`
}

// qstatTimeLayout is how qstat -xml writes times: local time, no zone.
const qstatTimeLayout = "2006-01-02T15:04:05"

// parseQstatXML reads `qstat -xml` output.
func parseQstatXML(out []byte) (liveJobs, error) {
	var jobs []qstatJob
	// Text that is no XML decodes as no elements at all; taking it for
	// "no jobs" would make every job look gone, so the document element
	// must be there.
	root := false
	dec := xml.NewDecoder(bytes.NewReader(out))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("cannot read qstat -xml output: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if ok && !root {
			root = se.Name.Local == "job_info" || se.Name.Local == "unknown_jobs"
		}
		if ok && se.Name.Local == "job_list" {
			var j qstatJob
			if err := dec.DecodeElement(&j, &se); err != nil {
				return nil, fmt.Errorf("cannot read qstat -xml output: %v", err)
			}
			jobs = append(jobs, j)
		}
	}
	if !root {
		return nil, fmt.Errorf("qstat -xml printed no <job_info> document: %q", shorten(strings.TrimSpace(string(out)), 200))
	}
	live := liveJobs{}
	for _, j := range jobs {
		if j.Number <= 0 {
			continue
		}
		lt := liveTask{State: strings.TrimSpace(j.State)}
		if s := strings.TrimSpace(j.Start); s != "" {
			if t, err := time.ParseInLocation(qstatTimeLayout, s, time.Local); err == nil {
				lt.Start = t
			}
		}
		tasks := []int{0}
		if ts := strings.TrimSpace(j.Tasks); ts != "" {
			var err error
			if tasks, err = sdk.ExpandRanges(ts); err != nil {
				return nil, fmt.Errorf("job %d: cannot read its tasks %q: %v", j.Number, ts, err)
			}
		}
		m := live[j.Number]
		if m == nil {
			m = map[int]liveTask{}
			live[j.Number] = m
		}
		for _, t := range tasks {
			m[t] = lt
		}
	}
	return live, nil
}

// liveStatus maps qstat's state letters to a status. The letters combine:
// E error, d being deleted, h hold, R restarted, r running, t transferring,
// s/S/T suspended, q queued, w waiting. Error states are not final here:
// Poll deletes such a job and settles it (poll.go).
func liveStatus(lt liveTask, held string) pluginapi.Status {
	st := pluginapi.Status{NativeState: lt.State, ExitCode: pluginapi.NoExitCode, Start: lt.Start}
	has := func(letters string) bool { return strings.ContainsAny(lt.State, letters) }
	switch {
	case has("E"):
		st.State, st.Reason = pluginapi.StatePending, "in error state (Eqw)"
	case has("d") && has("rtsST"):
		st.State, st.Reason = pluginapi.StateRunning, "being deleted"
	case has("d"):
		st.State, st.Reason = pluginapi.StatePending, "being deleted"
	case has("sST"):
		st.State, st.Reason = pluginapi.StateRunning, "suspended"
	case has("rt"):
		st.State = pluginapi.StateRunning
		if has("R") {
			st.Reason = "running again after being rescheduled"
		}
	case has("h"):
		st.State, st.Reason = pluginapi.StatePending, "on hold"
		if held != "" {
			st.Reason = held
		}
	case has("qw"):
		st.State, st.Reason = pluginapi.StatePending, "queued"
	default:
		st.State, st.Reason = pluginapi.StatePending, "in state "+strconv.Quote(lt.State)
	}
	return st
}
