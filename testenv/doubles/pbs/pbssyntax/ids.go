package pbssyntax

import (
	"regexp"
	"strconv"
)

// IDKind says which part of a job a job identifier names.
type IDKind int

const (
	PlainJob IDKind = iota // 1234.srv
	ArrayJob               // 1234[].srv: the whole array
	SubJob                 // 1234[7].srv
	SubRange               // 1234[2-5].srv
)

// JobID is a parsed job identifier: sequence_number[.server_name][@server],
// with an optional array part after the sequence number.
type JobID struct {
	Raw    string
	Seq    int
	Kind   IDKind
	Lo, Hi int    // the subjob index (Lo == Hi) or range; 0 otherwise
	Server string // the part after the first dot, "" when absent
	At     string // the part after @, "" when absent
}

var jobIDRE = regexp.MustCompile(`^(\d+)(\[(\d*)(?:-(\d+))?\])?(?:\.([A-Za-z0-9][A-Za-z0-9.-]*))?(?:@([A-Za-z0-9][A-Za-z0-9.-]*))?$`)

// ParseJobID reads a job identifier; ok is false for anything that is not
// one ("illegally formed job identifier").
func ParseJobID(s string) (JobID, bool) {
	m := jobIDRE.FindStringSubmatch(s)
	if m == nil {
		return JobID{}, false
	}
	seq, err := strconv.Atoi(m[1])
	if err != nil {
		return JobID{}, false
	}
	id := JobID{Raw: s, Seq: seq, Server: m[5], At: m[6]}
	switch {
	case m[2] == "":
		id.Kind = PlainJob
	case m[3] == "" && m[4] == "":
		id.Kind = ArrayJob
	case m[3] == "":
		return JobID{}, false // "[-5]"
	case m[4] == "":
		id.Kind = SubJob
		id.Lo, _ = strconv.Atoi(m[3])
		id.Hi = id.Lo
	default:
		id.Kind = SubRange
		id.Lo, _ = strconv.Atoi(m[3])
		id.Hi, _ = strconv.Atoi(m[4])
		if id.Hi < id.Lo {
			return JobID{}, false
		}
	}
	return id, true
}
