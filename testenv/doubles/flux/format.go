package main

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"github.com/reflow-hpc/reflow/testenv/doubles/flux/fluxsyntax"
)

// record is a job as `flux jobs --json` prints it: keys that are not set
// are absent, as in Flux (a pending job has no result, waitstatus or
// returncode).
func record(j *job) map[string]any {
	m := map[string]any{
		"id": j.ID, "userid": j.UserID, "username": j.Username, "urgency": j.Urgency,
		"t_submit": j.TSubmit, "state": j.State, "name": j.Name, "ntasks": j.NTasks,
		"cwd": j.Cwd, "annotations": map[string]any{}, "dependencies": depListing(j),
	}
	if j.TDepend > 0 {
		m["t_depend"] = j.TDepend
	}
	if j.State != stateDepend {
		m["priority"] = j.Urgency
	}
	if j.TRun > 0 {
		m["t_run"] = j.TRun
		m["nnodes"] = max(1, j.Nodes)
		m["nodelist"] = j.Nodelist
	}
	if j.TCleanup > 0 {
		m["t_cleanup"] = j.TCleanup
	}
	if j.Queue != "" {
		m["queue"] = j.Queue
	}
	if j.TimeLimit > 0 {
		m["duration"] = j.TimeLimit
	}
	m["status"] = j.State
	if j.State == stateInactive {
		m["t_inactive"] = j.TInact
		m["status"] = j.Result
		m["result"] = j.Result
		m["success"] = j.Result == resultCompleted
		if j.Returncode != nil {
			m["returncode"] = *j.Returncode
		}
		if j.Waitstatus != nil {
			m["waitstatus"] = *j.Waitstatus
		}
		m["inactive_reason"] = inactiveReason(j)
	}
	if x := j.Exception; x != nil {
		m["exception"] = map[string]any{"occurred": true, "severity": x.Severity, "type": x.Type, "note": x.Note}
	} else {
		m["exception"] = map[string]any{"occurred": false}
	}
	return m
}

func depListing(j *job) []string {
	out := []string{}
	for _, d := range j.Deps {
		if d.Scheme == "begin-time" {
			out = append(out, fmt.Sprintf("begin-time=%.3f", d.Time))
			continue
		}
		out = append(out, fluxsyntax.DependencyListing(d.Scheme, d.ID, ascii()))
	}
	return out
}

// inactiveReason is Flux's one-line account of how a job ended.
func inactiveReason(j *job) string {
	if x := j.Exception; x != nil && x.Severity == 0 {
		switch x.Type {
		case "cancel":
			if x.Note != "" {
				return "Canceled: " + x.Note
			}
			return "Canceled"
		case "timeout":
			return "Timeout"
		}
		return fmt.Sprintf("Exception: type=%s note=%s", x.Type, x.Note)
	}
	if j.Waitstatus != nil {
		ws := syscall.WaitStatus(*j.Waitstatus)
		if ws.Signaled() {
			s := ws.Signal().String()
			return strings.ToUpper(s[:1]) + s[1:]
		}
		return fmt.Sprintf("Exit %d", ws.ExitStatus())
	}
	return ""
}

var stateAbbrev = map[string]string{
	stateDepend: "D", statePriority: "P", stateSched: "S", stateRun: "R", stateCleanup: "C", stateInactive: "I",
	resultCompleted: "CD", resultFailed: "F", resultCanceled: "CA", resultTimeout: "TO",
}

// field is one -o/--format field of a job, "" when unset.
func field(j *job, name string) (string, bool) {
	rec := record(j)
	str := func(k string) string {
		v, ok := rec[k]
		if !ok {
			return ""
		}
		switch x := v.(type) {
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		case []string:
			return strings.Join(x, ",")
		}
		return fmt.Sprint(v)
	}
	switch name {
	case "id", "id.f58":
		return f58(j.ID), true
	case "id.dec":
		return strconv.FormatUint(j.ID, 10), true
	case "id.hex":
		return fmt.Sprintf("0x%x", j.ID), true
	case "id.dothex":
		return fluxsyntax.EncodeDotHex(j.ID), true
	case "status_abbrev":
		return stateAbbrev[str("status")], true
	case "state_single":
		return stateAbbrev[j.State], true
	case "result_abbrev":
		return stateAbbrev[j.Result], true
	case "exception.type", "exception.note", "exception.severity", "exception.occurred":
		x, _ := rec["exception"].(map[string]any)
		v, ok := x[strings.TrimPrefix(name, "exception.")]
		if !ok {
			return "", true
		}
		return fmt.Sprint(v), true
	case "state", "status", "result", "returncode", "waitstatus", "name", "ntasks", "nnodes", "nodelist",
		"queue", "username", "userid", "urgency", "priority", "t_submit", "t_run", "t_inactive",
		"dependencies", "inactive_reason", "success", "duration", "cwd":
		return str(name), true
	}
	return "", false
}

// formatLine renders a Python-format-like template with job fields:
// "{id.f58}|{state}". A format spec after ":" gives a width and alignment
// (">8", "<10", "^6"); other specs and conversions are ignored.
func formatLine(j *job, tmpl string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		switch {
		case c == '{' && i+1 < len(tmpl) && tmpl[i+1] == '{':
			b.WriteByte('{')
			i++
		case c == '}' && i+1 < len(tmpl) && tmpl[i+1] == '}':
			b.WriteByte('}')
			i++
		case c == '{':
			end := strings.IndexByte(tmpl[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("Single '{' encountered in format string")
			}
			spec := tmpl[i+1 : i+end]
			name, format, _ := strings.Cut(spec, ":")
			name, _, _ = strings.Cut(name, "!")
			v, ok := field(j, name)
			if !ok {
				return "", fmt.Errorf("Unknown format field: %s", name)
			}
			b.WriteString(pad(v, format))
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func pad(v, spec string) string {
	if spec == "" {
		return v
	}
	align := byte('<')
	if spec[0] == '<' || spec[0] == '>' || spec[0] == '^' {
		align, spec = spec[0], spec[1:]
	}
	w, _, _ := strings.Cut(spec, ".")
	w = strings.TrimRight(w, "hdfs")
	n, err := strconv.Atoi(w)
	if err != nil || len(v) >= n {
		return v
	}
	fill := strings.Repeat(" ", n-len(v))
	switch align {
	case '>':
		return fill + v
	case '^':
		return fill[:len(fill)/2] + v + fill[len(fill)/2:]
	}
	return v + fill
}
