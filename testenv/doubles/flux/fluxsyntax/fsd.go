package fluxsyntax

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
)

// fsdRE is a Flux standard duration (RFC 23) as the facts page's checklist
// gives it: a non-negative number with an optional unit.
var fsdRE = regexp.MustCompile(`^(\d*\.?\d+)(ms|[smhd])?$`)

// ErrFSD is Flux's complaint about a malformed duration.
const ErrFSD = "invalid Flux standard duration"

// ParseTimeLimit reads a -t/--time-limit value: an FSD, a bare number of
// minutes, or inf/infinity. It returns seconds; +Inf for no limit.
func ParseTimeLimit(s string) (float64, error) {
	if s == "inf" || s == "infinity" {
		return math.Inf(1), nil
	}
	m := fsdRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf(ErrFSD)
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf(ErrFSD)
	}
	switch m[2] {
	case "":
		return n * 60, nil // a bare number is minutes on the command line
	case "ms":
		return n / 1000, nil
	case "s":
		return n, nil
	case "m":
		return n * 60, nil
	case "h":
		return n * 3600, nil
	default: // "d"
		return n * 86400, nil
	}
}
