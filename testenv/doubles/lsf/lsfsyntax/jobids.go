package lsfsyntax

import (
	"regexp"
	"strconv"
	"strings"
)

// JobIDArg is a job id as bjobs and bkill take it: 123, or 123[4] /
// 123[1-5,7] for array elements.
type JobIDArg struct {
	ID int64
	// Indices are the elements named; nil means the whole job.
	Indices []int
	Text    string
}

var jobIDRe = regexp.MustCompile(`^([0-9]+)(?:\[([0-9,:-]+)\])?$`)

// ParseJobID reads one job id argument.
func ParseJobID(s string) (JobIDArg, *Error) {
	bad := &Error{Msg: s + ": Illegal job ID.", Code: ExitFailure}
	m := jobIDRe.FindStringSubmatch(s)
	if m == nil {
		return JobIDArg{}, bad
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || id < 0 {
		return JobIDArg{}, bad
	}
	out := JobIDArg{ID: id, Text: s}
	if m[2] == "" {
		return out, nil
	}
	for _, item := range strings.Split(m[2], ",") {
		body, stepStr, hasStep := strings.Cut(item, ":")
		a, b, isRange := strings.Cut(body, "-")
		lo, err1 := strconv.Atoi(a)
		hi, err2 := lo, error(nil)
		if isRange {
			hi, err2 = strconv.Atoi(b)
		}
		step, err3 := 1, error(nil)
		if hasStep {
			step, err3 = strconv.Atoi(stepStr)
		}
		if err1 != nil || err2 != nil || err3 != nil || lo < 1 || hi < lo || step < 1 || hi-lo > 1<<24 {
			return JobIDArg{}, bad
		}
		for i := lo; i <= hi; i += step {
			out.Indices = append(out.Indices, i)
		}
	}
	return out, nil
}

// invalidOption is the getopt-style complaint OpenLava's bjobs prints for
// an option it does not know ("bjobs: invalid option -- 'o'").
func invalidOption(cmd, opt, usage string) *Error {
	return &Error{Msg: cmd + ": invalid option -- '" + strings.TrimPrefix(opt, "-") + "'\n" + usage, Code: ExitFailure}
}

func missingValue(cmd, opt, usage string) *Error {
	return &Error{Msg: cmd + ": option requires an argument -- '" + strings.TrimPrefix(opt, "-") + "'\n" + usage, Code: ExitFailure}
}
