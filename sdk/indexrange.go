package sdk

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxExpandedIndices caps how many indices ExpandRanges produces, so a typo
// such as "0-2000000000" is an error rather than gigabytes of memory. It is
// far above any scheduler's array limit.
const MaxExpandedIndices = 1 << 22

// rangeForms is the tail of every parse error.
const rangeForms = `want comma-separated items "N", "A-B" or "A-B:STEP" ` +
	`with non-negative whole numbers, A <= B and STEP >= 1, e.g. "0-3,5,7-9:2"`

// ExpandRanges expands an index range list such as "0-3,5,7-9:2" (the form
// Slurm's --array and SGE's -t use; the step follows a colon and the range
// includes B only when B is on the step) into sorted, de-duplicated indices:
// [0 1 2 3 5 7 9]. Whitespace around items and separators is ignored.
// Negative numbers, reversed ranges, a zero step, empty items and an empty
// list are errors. A throttle suffix ("%4") is not part of a range; strip it
// first with SplitThrottle.
func ExpandRanges(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("empty index range: %s", rangeForms)
	}
	var out []int
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		lo, hi, step, err := parseRangeItem(item)
		if err != nil {
			return nil, fmt.Errorf("invalid index range %q: %v; %s", s, err, rangeForms)
		}
		if n := (hi-lo)/step + 1; len(out)+n > MaxExpandedIndices {
			return nil, fmt.Errorf("invalid index range %q: more than %d indices", s, MaxExpandedIndices)
		}
		for i := lo; i <= hi; i += step {
			out = append(out, i)
			if i > hi-step { // avoid overflow near the int limit
				break
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// parseRangeItem reads one item: N, A-B or A-B:S.
func parseRangeItem(item string) (lo, hi, step int, err error) {
	if item == "" {
		return 0, 0, 0, fmt.Errorf("empty item")
	}
	body, stepStr, hasStep := strings.Cut(item, ":")
	a, b, isRange := strings.Cut(body, "-")
	if lo, err = rangeNumber(a, item); err != nil {
		return 0, 0, 0, err
	}
	hi, step = lo, 1
	if isRange {
		if hi, err = rangeNumber(b, item); err != nil {
			return 0, 0, 0, err
		}
		if hi < lo {
			return 0, 0, 0, fmt.Errorf("range %q is reversed (%d > %d)", item, lo, hi)
		}
	}
	if hasStep {
		if !isRange {
			return 0, 0, 0, fmt.Errorf("item %q has a step but no range", item)
		}
		if step, err = rangeNumber(stepStr, item); err != nil {
			return 0, 0, 0, err
		}
		if step == 0 {
			return 0, 0, 0, fmt.Errorf("item %q has a zero step", item)
		}
	}
	return lo, hi, step, nil
}

// rangeNumber reads a non-negative whole number within item.
func rangeNumber(s, item string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if strings.HasPrefix(strings.TrimSpace(item), "-") {
			return 0, fmt.Errorf("item %q is negative", item)
		}
		return 0, fmt.Errorf("item %q is missing a number", item)
	}
	if strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, fmt.Errorf("%q in item %q is not a whole number", s, item)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q in item %q is too large", s, item)
	}
	return n, nil
}

// CompressRanges writes indices as the shortest range list ExpandRanges reads
// back to their sorted, de-duplicated set: consecutive runs become "A-B" and
// runs of three or more with a constant step above one become "A-B:STEP",
// e.g. [9 0 1 2 3 5 7] → "0-3,5-9:2". Items are in increasing order and do not
// overlap. The input is not modified. Empty input gives "". Negative indices
// cannot be written in this syntax; the caller must not pass them.
func CompressRanges(idx []int) string {
	v := slices.Clone(idx)
	slices.Sort(v)
	v = slices.Compact(v)
	n := len(v)
	if n == 0 {
		return ""
	}
	// runEnd[i] is the last position of the longest arithmetic run starting
	// at i with step v[i+1]-v[i].
	runEnd := make([]int, n)
	for i := n - 1; i >= 0; i-- {
		switch {
		case i == n-1:
			runEnd[i] = i
		case i+2 < n && v[i+2]-v[i+1] == v[i+1]-v[i]:
			runEnd[i] = runEnd[i+1]
		default:
			runEnd[i] = i + 1
		}
	}
	// best[i] is the length of the shortest rendering of v[i:]; next[i] the
	// end of its first item. Dynamic programming over where each item ends
	// finds the true shortest form where greedy would not ("8-9,10-16:2" is
	// shorter than "8-10,12-16:2"). Only three ends need trying: a lone
	// index, the whole run, or the run less its last element (which may
	// start the next run); any shorter cut splits a run that would be
	// cheaper whole.
	best := make([]int, n+1)
	next := make([]int, n)
	for i := n - 1; i >= 0; i-- {
		best[i] = -1
		for _, j := range []int{runEnd[i], runEnd[i] - 1, i} {
			if j < i {
				continue
			}
			c := len(rangeItem(v, i, j)) + best[j+1]
			if j+1 < n {
				c++ // the comma
			}
			if best[i] < 0 || c < best[i] {
				best[i], next[i] = c, j
			}
		}
	}
	var b strings.Builder
	for i := 0; i < n; i = next[i] + 1 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(rangeItem(v, i, next[i]))
	}
	return b.String()
}

// rangeItem renders v[i..j], an arithmetic run, as one item (or, for two
// indices with a gap, as two, which is never longer).
func rangeItem(v []int, i, j int) string {
	a := strconv.Itoa(v[i])
	switch {
	case i == j:
		return a
	case v[i+1]-v[i] == 1:
		return a + "-" + strconv.Itoa(v[j])
	case j == i+1:
		return a + "," + strconv.Itoa(v[j])
	}
	return a + "-" + strconv.Itoa(v[j]) + ":" + strconv.Itoa(v[i+1]-v[i])
}

// SplitThrottle splits a trailing "%N" throttle (at most N elements at once,
// as Slurm, PBS, LSF and Torque write it) from a range list: "5-9%2" gives
// ("5-9", 2). Without a suffix the throttle is 0, meaning none. N must be a
// positive whole number. The ranges part is returned trimmed but not
// validated; pass it to ExpandRanges.
func SplitThrottle(s string) (ranges string, throttle int, err error) {
	r, t, ok := strings.Cut(s, "%")
	r = strings.TrimSpace(r)
	if !ok {
		return r, 0, nil
	}
	t = strings.TrimSpace(t)
	if t == "" || strings.IndexFunc(t, func(c rune) bool { return c < '0' || c > '9' }) >= 0 {
		return "", 0, fmt.Errorf("invalid throttle in %q: want \"%%N\" with N a positive whole number, e.g. \"0-9%%2\"", s)
	}
	n, err := strconv.Atoi(t)
	if err != nil || n == 0 {
		return "", 0, fmt.Errorf("invalid throttle in %q: want \"%%N\" with N a positive whole number, e.g. \"0-9%%2\"", s)
	}
	return r, n, nil
}
