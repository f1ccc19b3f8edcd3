package lsfsyntax

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ArraySpec is the array part of -J "name[list]%limit".
type ArraySpec struct {
	// Indices are the element indices, ascending, each at least 1.
	Indices []int
	// Limit is the %limit throttle; 0 when absent.
	Limit int
	// Step is what LSB_JOBINDEX_STEP reports: the step of a single
	// start-end:step item, else 1.
	Step int
}

// End is the largest index (LSB_JOBINDEX_END).
func (a *ArraySpec) End() int { return a.Indices[len(a.Indices)-1] }

// arrayRe is the checklist's array grammar (§6 item 4).
var arrayRe = regexp.MustCompile(`^([A-Za-z0-9._-]+)\[([0-9]+(?:-[0-9]+(?::[0-9]+)?)?(?:,[0-9]+(?:-[0-9]+(?::[0-9]+)?)?)*)\](?:%([0-9]+))?$`)

// MaxJobNameLen is the longest -J value LSF takes.
const MaxJobNameLen = 4094

// maxArraySpecLen is the longest array specification ("name[list]%N").
const maxArraySpecLen = 255

// ParseJobName checks a -J value. A name with a '[' is an array
// specification; its indices must be at least 1, ranges ascending with a
// step of at least 1, no index twice, the spec at most 255 characters, and
// both the element count and the largest index at most maxArray
// (MAX_JOB_ARRAY_SIZE).
func ParseJobName(v string, maxArray int) (string, *ArraySpec, *Error) {
	if len(v) > MaxJobNameLen {
		return "", nil, notSubmitted("", "Job name too long")
	}
	if !strings.ContainsAny(v, "[]") {
		if strings.ContainsAny(v, "\n\x00") {
			return "", nil, notSubmitted(v, "Bad job name")
		}
		return v, nil, nil
	}
	bad := notSubmitted("", ReasonArrayIndex)
	m := arrayRe.FindStringSubmatch(v)
	if m == nil || len(v) > maxArraySpecLen {
		return "", nil, bad
	}
	arr := &ArraySpec{Step: 1}
	seen := map[int]bool{}
	items := strings.Split(m[2], ",")
	for _, item := range items {
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
		if err1 != nil || err2 != nil || err3 != nil || lo < 1 || hi < lo || step < 1 {
			return "", nil, bad
		}
		if hi > maxArray {
			return "", nil, notSubmitted("", ReasonArrayTooLarge)
		}
		if len(items) == 1 && hasStep {
			arr.Step = step
		}
		for i := lo; i <= hi; i += step {
			if seen[i] {
				return "", nil, bad
			}
			seen[i] = true
			arr.Indices = append(arr.Indices, i)
		}
	}
	if len(arr.Indices) > maxArray {
		return "", nil, notSubmitted("", ReasonArrayTooLarge)
	}
	slices.Sort(arr.Indices)
	if m[3] != "" {
		n, err := strconv.Atoi(m[3])
		if err != nil || n < 1 {
			return "", nil, bad
		}
		arr.Limit = n
	}
	return m[1], arr, nil
}
