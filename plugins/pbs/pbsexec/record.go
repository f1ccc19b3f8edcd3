package pbsexec

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// record is what qstat says of one job or subjob, whatever the format.
type record struct {
	Key      string // the id qstat listed it under
	Seq      int
	Index    int  // subjob index; -1 for a plain job or an array parent
	Parent   bool // an array parent ("1234[].server")
	State    string
	Substate int
	HasSub   bool
	Exit     int
	HasExit  bool
	Start    time.Time
	End      time.Time
	Comment  string
	// Walltime asked for and used, to spot a walltime kill on servers that
	// report it only as a signal.
	Walltime, Used time.Duration
	// DependHold is set for a job held by the server for dependencies
	// (Hold_Types s).
	DependHold bool
}

// recordKeyRE reads the ids qstat lists: plain, parent or subjob.
var recordKeyRE = regexp.MustCompile(`^([0-9]+)(\[([0-9]*)\])?(\.\S*)?$`)

// parseKey fills Seq, Index and Parent from a listed id.
func (r *record) parseKey(key string) bool {
	m := recordKeyRE.FindStringSubmatch(key)
	if m == nil {
		return false
	}
	r.Key = key
	r.Seq, _ = strconv.Atoi(m[1])
	r.Index = -1
	switch {
	case m[2] == "":
	case m[3] == "":
		r.Parent = true
	default:
		r.Index, _ = strconv.Atoi(m[3])
	}
	return true
}

// asctime is how qstat prints times (stime, obittime).
const asctime = "Mon Jan _2 15:04:05 2006"

func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0) // Torque: epoch seconds
	}
	if t, err := time.ParseInLocation(asctime, s, time.Local); err == nil {
		return t
	}
	return time.Time{}
}

// parseClock reads a walltime "HH:MM:SS" (also "MM:SS", "S", "DD:HH:MM:SS").
func parseClock(s string) time.Duration {
	fields := strings.Split(strings.TrimSpace(s), ":")
	if len(fields) == 0 || len(fields) > 4 {
		return 0
	}
	units := []time.Duration{time.Second, time.Minute, time.Hour, 24 * time.Hour}
	var d time.Duration
	for i := range fields {
		f := fields[len(fields)-1-i]
		sec, _, _ := strings.Cut(f, ".")
		n, err := strconv.Atoi(sec)
		if err != nil {
			return 0
		}
		d += time.Duration(n) * units[i]
	}
	return d
}

// set applies one attribute (flattened name, text value) to the record.
func (r *record) set(name, val string) {
	switch name {
	case "job_state":
		r.State = strings.TrimSpace(val)
	case "substate":
		r.Substate, _ = strconv.Atoi(strings.TrimSpace(val))
		r.HasSub = true
	case "Exit_status", "exit_status":
		if n, err := strconv.Atoi(strings.TrimSpace(val)); err == nil {
			r.Exit, r.HasExit = n, true
		}
	case "stime", "start_time":
		r.Start = parseTime(val)
	case "obittime", "comp_time":
		r.End = parseTime(val)
	case "comment":
		r.Comment = strings.TrimSpace(val)
	case "Resource_List.walltime":
		r.Walltime = parseClock(val)
	case "resources_used.walltime":
		r.Used = parseClock(val)
	case "Hold_Types":
		r.DependHold = strings.Contains(val, "s")
	case "array_index", "job_array_id":
		if n, err := strconv.Atoi(strings.TrimSpace(val)); err == nil && r.Index < 0 && !r.Parent {
			r.Index = n
		}
	}
}
