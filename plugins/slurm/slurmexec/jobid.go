package slurmexec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/sdk"
)

// validJobID reports whether s is a job id the plugin hands out and queries:
// the decimal id Slurm printed for a job or an array job. Anything else (an
// id from another executor, garbage) must never reach a Slurm command line,
// where it would be an option or an error for the whole batch.
func validJobID(s string) bool {
	if s == "" || len(s) > 19 || s[0] == '0' {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// rowKind says what a status row's job id names.
type rowKind int

const (
	// rowJob: "123", a job that is not an array, or an array's own record
	// (which Slurm shows once no element is left pending).
	rowJob rowKind = iota
	// rowElement: "123_4", one element.
	rowElement
	// rowRange: "123_[5-9%2]", the elements not started yet, in one record.
	rowRange
)

// rowID is a job id as squeue, sacct and scontrol print it.
type rowID struct {
	Job     string // the job or array id, "123"
	Kind    rowKind
	Index   int   // rowElement: the native index
	Indices []int // rowRange: the native indices, ascending
}

// parseRowID reads "123", "123_4" or "123_[5-9,12%2]". A het-job component
// ("123+1") or a step ("123.batch") is not a job the plugin asked about and
// is an error, so the caller skips the row.
func parseRowID(s string) (rowID, error) {
	s = strings.TrimSpace(s)
	job, rest, isArray := strings.Cut(s, "_")
	if !validJobID(job) {
		return rowID{}, fmt.Errorf("job id %q is not of the form 123, 123_4 or 123_[5-9]", s)
	}
	if !isArray {
		return rowID{Job: job, Kind: rowJob}, nil
	}
	if inner, ok := strings.CutPrefix(rest, "["); ok {
		inner, ok = strings.CutSuffix(inner, "]")
		if !ok {
			return rowID{}, fmt.Errorf("array range in %q has no closing bracket", s)
		}
		ranges, _, err := sdk.SplitThrottle(inner)
		if err != nil {
			return rowID{}, fmt.Errorf("array range in %q: %v", s, err)
		}
		idx, err := sdk.ExpandRanges(ranges)
		if err != nil {
			return rowID{}, fmt.Errorf("array range in %q: %v", s, err)
		}
		return rowID{Job: job, Kind: rowRange, Indices: idx}, nil
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || strconv.Itoa(n) != rest {
		return rowID{}, fmt.Errorf("array index in %q is not a whole number", s)
	}
	return rowID{Job: job, Kind: rowElement, Index: n}, nil
}
