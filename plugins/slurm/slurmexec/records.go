package slurmexec

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// record is one status row about a job, an element or a range of pending
// elements, from squeue, sacct or scontrol.
type record struct {
	ID     rowID
	State  string // as Slurm wrote it: "COMPLETED", "CANCELLED by 0"
	Reason string
	Exit   exitStatus
	Start  time.Time
	End    time.Time
	Submit time.Time
	Limit  string // the time limit as Slurm wrote it
}

// exitStatus is how a job's batch script ended, when Slurm says.
type exitStatus struct {
	Known  bool
	Code   int // exit status, when Signal is 0
	Signal int // the signal that killed it, or 0
}

// colKind says how to read one column.
type colKind int

const (
	colID         colKind = iota // 123, 123_4, 123_[5-9%2]
	colState                     // PENDING, CANCELLED by 0, ...
	colReason                    // None, Dependency, ...
	colWaitStatus                // squeue's exit_code: a raw wait status, 768 is exit 3
	colExitPair                  // sacct's and scontrol's ExitCode: "3:0" is exit 3, "0:9" SIGKILL
	colStart
	colEnd
	colSubmit
	colLimit
)

// column is one field of a status query, by the name the command knows it.
type column struct {
	Name string
	Kind colKind
}

// layout is the field list of a status query. The same list builds the
// command line and reads its output, so the two cannot drift apart.
type layout []column

// squeueLayout is what Poll asks squeue for (`squeue -O`). squeue has no
// code:signal exit column, but exit_code gives the batch script's wait
// status, which holds both.
var squeueLayout = layout{
	{"JobArrayID", colID}, {"State", colState}, {"Reason", colReason}, {"exit_code", colWaitStatus},
	{"StartTime", colStart}, {"EndTime", colEnd}, {"SubmitTime", colSubmit}, {"TimeLimit", colLimit},
}

// sacctLayout is what Poll asks sacct for (`sacct -o`).
var sacctLayout = layout{
	{"JobID", colID}, {"State", colState}, {"ExitCode", colExitPair}, {"Reason", colReason},
	{"Start", colStart}, {"End", colEnd}, {"Submit", colSubmit}, {"Timelimit", colLimit},
}

// squeueFormat is the -O argument: every field ends in "|" and is not
// padded or cut.
func (l layout) squeueFormat() string {
	parts := make([]string, len(l))
	for i, c := range l {
		parts[i] = c.Name + ":|"
	}
	return strings.Join(parts, ",")
}

// sacctFormat is the -o argument (sacct -P separates fields with "|").
func (l layout) sacctFormat() string {
	parts := make([]string, len(l))
	for i, c := range l {
		parts[i] = c.Name
	}
	return strings.Join(parts, ",")
}

// parseRecords reads "|"-separated rows in layout l. Rows it cannot read
// (a het-job component, a step, a line of another shape) are returned in bad
// with the reason, for the log; they never stop the rest.
func parseRecords(out []byte, l layout, loc *time.Location) (recs []record, bad []string) {
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "CLUSTER: ") {
			continue // -M prints a "CLUSTER: name" header per cluster
		}
		f := strings.Split(line, "|")
		if len(f) == len(l)+1 && f[len(l)] == "" {
			f = f[:len(l)] // squeue -O ends every field, the last too, with "|"
		}
		if len(f) != len(l) {
			bad = append(bad, fmt.Sprintf("%q: %d fields, want %d", line, len(f), len(l)))
			continue
		}
		r, err := l.record(f, loc)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%q: %v", line, err))
			continue
		}
		recs = append(recs, r)
	}
	return recs, bad
}

// record reads one row's fields.
func (l layout) record(f []string, loc *time.Location) (record, error) {
	var r record
	for i, c := range l {
		v := strings.TrimSpace(f[i])
		var err error
		switch c.Kind {
		case colID:
			r.ID, err = parseRowID(v)
		case colState:
			r.State = v
		case colReason:
			r.Reason = v
		case colWaitStatus:
			r.Exit, err = parseWaitStatus(v)
		case colExitPair:
			r.Exit, err = parseExitPair(v)
		case colStart:
			r.Start = parseTime(v, loc)
		case colEnd:
			r.End = parseTime(v, loc)
		case colSubmit:
			r.Submit = parseTime(v, loc)
		case colLimit:
			r.Limit = v
		}
		if err != nil {
			return record{}, err
		}
	}
	return r, nil
}

// parseWaitStatus reads squeue's exit_code, a raw wait(2) status: the exit
// status in bits 8-15, a terminating signal in bits 0-6.
func parseWaitStatus(v string) (exitStatus, error) {
	if v == "" || v == "N/A" {
		return exitStatus{}, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return exitStatus{}, fmt.Errorf("exit_code %q is not a wait status", v)
	}
	return exitStatus{Known: true, Code: n >> 8 & 0xff, Signal: n & 0x7f}, nil
}

// parseExitPair reads "code:signal".
func parseExitPair(v string) (exitStatus, error) {
	if v == "" {
		return exitStatus{}, nil
	}
	c, s, ok := strings.Cut(v, ":")
	code, err1 := strconv.Atoi(c)
	sig, err2 := strconv.Atoi(s)
	if !ok || err1 != nil || err2 != nil || code < 0 || sig < 0 {
		return exitStatus{}, fmt.Errorf("exit code %q is not of the form code:signal", v)
	}
	return exitStatus{Known: true, Code: code, Signal: sig}, nil
}

// slurmTime is how Slurm prints times (in the local time zone of the
// machine running the command).
const slurmTime = "2006-01-02T15:04:05"

// parseTime reads a Slurm time; "N/A", "None", "Unknown" and anything else
// that is not a time are the zero time.
func parseTime(v string, loc *time.Location) time.Time {
	t, err := time.ParseInLocation(slurmTime, v, loc)
	if err != nil {
		return time.Time{}
	}
	return t
}

// parseKeyValues reads a `scontrol -o show job` line: space-separated
// Key=Value pairs where a value may itself contain spaces (Command=, a
// WorkDir with a space): a word without "=" belongs to the value before it.
func parseKeyValues(line string) map[string]string {
	kv := map[string]string{}
	last := ""
	for _, w := range strings.Fields(line) {
		k, v, ok := strings.Cut(w, "=")
		if ok && k != "" && !strings.ContainsAny(k, "/:") {
			kv[k] = v
			last = k
			continue
		}
		if last != "" {
			kv[last] += " " + w
		}
	}
	return kv
}

// parseScontrolJobs reads `scontrol -o show job` output, one job or
// element per line, into records.
func parseScontrolJobs(out []byte, loc *time.Location) (recs []record, bad []string) {
	for _, line := range strings.Split(string(out), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		kv := parseKeyValues(line)
		id, err := scontrolRowID(kv)
		if err == nil {
			var r record
			r.ID = id
			r.State, r.Reason, r.Limit = kv["JobState"], kv["Reason"], kv["TimeLimit"]
			r.Start, r.End = parseTime(kv["StartTime"], loc), parseTime(kv["EndTime"], loc)
			r.Submit = parseTime(kv["SubmitTime"], loc)
			if r.Exit, err = parseExitPair(kv["ExitCode"]); err == nil {
				recs = append(recs, r)
				continue
			}
		}
		bad = append(bad, fmt.Sprintf("%.80q: %v", line, err))
	}
	return recs, bad
}

// scontrolRowID names the row a `scontrol show job` line is about: the
// array id with the task id, or the job id.
func scontrolRowID(kv map[string]string) (rowID, error) {
	arr, task := kv["ArrayJobId"], kv["ArrayTaskId"]
	if arr == "" {
		return parseRowID(kv["JobId"])
	}
	if task == "" {
		return parseRowID(arr)
	}
	if _, err := strconv.Atoi(task); err == nil {
		return parseRowID(arr + "_" + task)
	}
	return parseRowID(arr + "_[" + task + "]")
}

// parseConfig reads `scontrol show config`: "Key = Value" lines.
func parseConfig(out []byte) map[string]string {
	kv := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if k == "" || strings.Contains(k, " ") {
			continue
		}
		kv[k] = strings.TrimSpace(v)
	}
	return kv
}
