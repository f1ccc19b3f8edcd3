package lsfsyntax

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// memRe is a memory amount: a whole number with an optional unit
// (K KB M MB G GB T TB P PB E EB Z ZB, any case). Decimals are refused:
// the facts page could not confirm any site that allows them.
var memRe = regexp.MustCompile(`^([0-9]+)([A-Za-z]*)$`)

// unitKB is each unit's size in kilobytes.
var unitKB = map[string]float64{
	"K": 1, "KB": 1, "M": 1 << 10, "MB": 1 << 10, "G": 1 << 20, "GB": 1 << 20,
	"T": 1 << 30, "TB": 1 << 30, "P": 1 << 40, "PB": 1 << 40,
	"E": 1 << 50, "EB": 1 << 50, "Z": 1 << 60, "ZB": 1 << 60,
}

// UnitKB returns the size of a LSF_UNIT_FOR_LIMITS unit in kilobytes;
// "" is the default, KB.
func UnitKB(unit string) (float64, bool) {
	if unit == "" {
		return 1, true
	}
	kb, ok := unitKB[strings.ToUpper(unit)]
	return kb, ok
}

var errBadMem = errors.New("Bad memory limit specification")

// ParseMemLimit reads a memory amount as -M (allowHard: an optional "!"
// after it) or rusage[mem=] write it, in kilobytes. A number without a unit
// is in unit, LSF_UNIT_FOR_LIMITS ("" means KB, LSF's default).
func ParseMemLimit(v string, allowHard bool, unit string) (kb int64, hard bool, err error) {
	if allowHard && strings.HasSuffix(v, "!") {
		hard, v = true, strings.TrimSuffix(v, "!")
	}
	m := memRe.FindStringSubmatch(v)
	if m == nil {
		return 0, false, errBadMem
	}
	n, perr := strconv.ParseInt(m[1], 10, 64)
	if perr != nil {
		return 0, false, errBadMem
	}
	size, ok := UnitKB(m[2])
	if m[2] == "" {
		size, ok = UnitKB(unit)
	}
	if !ok {
		return 0, false, errBadMem
	}
	total := float64(n) * size
	if total >= math.MaxInt64/2 {
		return 0, false, errBadMem
	}
	return int64(total), hard, nil
}

// ParseResReq checks a -R resource requirement string: its brackets and
// parentheses must balance, and every mem= in an rusage[] section must be a
// memory amount. It returns the largest rusage mem in kilobytes (0: none).
func ParseResReq(v, unit string) (int64, *Error) {
	bad := notSubmitted("", ReasonBadResReq)
	var stack []byte
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '[', '(', '{':
			stack = append(stack, c)
		case ']', ')', '}':
			open := map[byte]byte{']': '[', ')': '(', '}': '{'}[c]
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return 0, bad
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 || strings.TrimSpace(v) == "" {
		return 0, bad
	}
	var best int64
	for _, sec := range sections(v, "rusage") {
		for _, m := range rusageMem.FindAllStringSubmatch(sec, -1) {
			kb, _, err := ParseMemLimit(m[1], false, unit)
			if err != nil {
				return 0, bad
			}
			best = max(best, kb)
		}
	}
	return best, nil
}

// rusageMem finds mem=VALUE inside an rusage section; VALUE ends at a
// separator. "mem" must not be the tail of a longer name (gpu_mem=...).
var rusageMem = regexp.MustCompile(`(?:^|[\[:,\s(])mem=([^:,\]\s/)]*)`)

// sections returns the bodies of every name[...] section of a requirement.
func sections(v, name string) []string {
	var out []string
	for i := 0; ; {
		k := strings.Index(v[i:], name+"[")
		if k < 0 {
			return out
		}
		start := i + k + len(name) + 1
		depth, j := 1, start
		for ; j < len(v) && depth > 0; j++ {
			switch v[j] {
			case '[':
				depth++
			case ']':
				depth--
			}
		}
		out = append(out, v[start:j-1])
		i = j
	}
}
