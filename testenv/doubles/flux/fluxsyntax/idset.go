package fluxsyntax

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxIDSet bounds how many ids one idset may name in the double, so a typo
// cannot make it submit millions of jobs.
const MaxIDSet = 100000

// ParseIDSet reads an RFC 22 idset as --cc and --bcc take it: comma
// separated "N" and "N-M" items, optionally inside brackets. There is no
// step and no "%" throttle.
func ParseIDSet(s string) ([]int, error) {
	t := s
	if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
		t = t[1 : len(t)-1]
	}
	if t == "" {
		return nil, fmt.Errorf("invalid idset %q", s)
	}
	var out []int
	for item := range strings.SplitSeq(t, ",") {
		lo, hi, isRange := strings.Cut(item, "-")
		a, err := idsetNumber(lo)
		if err != nil {
			return nil, fmt.Errorf("invalid idset %q", s)
		}
		b := a
		if isRange {
			if b, err = idsetNumber(hi); err != nil || b < a {
				return nil, fmt.Errorf("invalid idset %q", s)
			}
		}
		if len(out)+(b-a+1) > MaxIDSet {
			return nil, fmt.Errorf("idset %q names more than %d ids", s, MaxIDSet)
		}
		for i := a; i <= b; i++ {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func idsetNumber(s string) (int, error) {
	if s == "" || strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, fmt.Errorf("not a number")
	}
	return strconv.Atoi(s)
}
