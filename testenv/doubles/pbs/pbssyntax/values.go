package pbssyntax

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The value rules of facts §6, as regular expressions where one suffices.
var (
	// walltime: [[H:]M:]S[.ms]; no day field ("1-00:00:00" and "1d" fail).
	walltimeRE = regexp.MustCompile(`^\d+(:\d+){0,2}(\.\d+)?$`)
	// Torque also takes a day field: [[[DD:]HH:]MM:]SS.
	torqueWalltimeRE = regexp.MustCompile(`^\d+(:\d+){0,3}$`)
	// size: integer, optional k m g t p, optional b or w; no decimals.
	sizeRE = regexp.MustCompile(`(?i)^\d+([kmgtp]?[bw]?)$`)
	// job name characters.
	nameRE = regexp.MustCompile(`^[A-Za-z0-9._+-]+$`)
	// -J X-Y[:Z][%N], digits only.
	arrayJRE = regexp.MustCompile(`^(\d+)-(\d+)(?::(\d+))?(?:%(\d+))?$`)
	// Torque -t: items N or A-B separated by commas, optional %N.
	arrayTRE   = regexp.MustCompile(`^(\d+(-\d+)?)(,\d+(-\d+)?)*(%\d+)?$`)
	intRE      = regexp.MustCompile(`^[+-]?\d+$`)
	resNameRE  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	varNameRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	mailOptsRE = regexp.MustCompile(`^(n|[abej]+)$`)
	keepRE     = regexp.MustCompile(`^(n|[oed]+)$`)
	execTimeRE = regexp.MustCompile(`^(\d\d){0,4}\d{4}(\.\d\d)?$`)
	placeRE    = regexp.MustCompile(`^(free|pack|scatter|vscatter|excl|exclhost|shared|group=[A-Za-z0-9_]+)(:(free|pack|scatter|vscatter|excl|exclhost|shared|group=[A-Za-z0-9_]+))*$`)
)

// MaxNameLen is the longest job name OpenPBS takes (19.1 and later); Torque's
// man page allows 15.
const (
	MaxNameLen       = 230
	TorqueMaxNameLen = 15
)

// validName checks a -N value.
func validName(s string, d Dialect) bool {
	max := MaxNameLen
	if d == Torque {
		max = TorqueMaxNameLen
	}
	return len(s) > 0 && len(s) <= max && nameRE.MatchString(s)
}

// ValidWalltime reports whether s is a walltime the dialect's server takes.
func ValidWalltime(s string, d Dialect) bool {
	if d == Torque {
		return torqueWalltimeRE.MatchString(s)
	}
	return walltimeRE.MatchString(s)
}

// ValidSize reports whether s is a PBS size value ("8gb", "512mb", "1024").
func ValidSize(s string) bool { return sizeRE.MatchString(s) }

// ArrayRange is an array request: the indices it makes and the throttle.
type ArrayRange struct {
	Spec     string
	Indices  []int
	Throttle int // 0: none
}

// parseJ reads an OpenPBS -J value; ok is false for anything qsub refuses
// with "illegal -J value". throttleOK says whether this version takes %N.
func parseJ(s string, throttleOK bool) (*ArrayRange, bool) {
	m := arrayJRE.FindStringSubmatch(s)
	if m == nil {
		return nil, false
	}
	start, err1 := strconv.Atoi(m[1])
	end, err2 := strconv.Atoi(m[2])
	step := 1
	var err3 error
	if m[3] != "" {
		step, err3 = strconv.Atoi(m[3])
	}
	if err1 != nil || err2 != nil || err3 != nil || start >= end || step < 1 {
		return nil, false
	}
	r := &ArrayRange{Spec: s}
	if m[4] != "" {
		if !throttleOK {
			return nil, false
		}
		n, err := strconv.Atoi(m[4])
		if err != nil || n < 1 {
			return nil, false
		}
		r.Throttle = n
	}
	if (end-start)/step+1 > 1<<22 {
		return nil, false // far beyond any server limit; keep memory bounded
	}
	for i := start; i <= end; i += step {
		r.Indices = append(r.Indices, i)
	}
	return r, true
}

// parseT reads a Torque -t value: "1-100", "1,10,50-100", "7", "0-299%5".
// There is no step.
func parseT(s string) (*ArrayRange, bool) {
	if !arrayTRE.MatchString(s) {
		return nil, false
	}
	body, thr, hasThr := strings.Cut(s, "%")
	r := &ArrayRange{Spec: s}
	if hasThr {
		n, err := strconv.Atoi(thr)
		if err != nil || n < 1 {
			return nil, false
		}
		r.Throttle = n
	}
	seen := map[int]bool{}
	for _, item := range strings.Split(body, ",") {
		a, b, isRange := strings.Cut(item, "-")
		lo, err := strconv.Atoi(a)
		if err != nil {
			return nil, false
		}
		hi := lo
		if isRange {
			if hi, err = strconv.Atoi(b); err != nil || hi < lo {
				return nil, false
			}
		}
		if hi-lo > 1<<22 || len(seen) > 1<<22 {
			return nil, false
		}
		for i := lo; i <= hi; i++ {
			if !seen[i] {
				seen[i] = true
				r.Indices = append(r.Indices, i)
			}
		}
	}
	sort.Ints(r.Indices)
	return r, true
}

// splitVars splits a -v list at commas outside quotes; quotes around a
// value are removed: "A,B=1,C='x,y'" gives A, B=1, C=x,y.
func splitVars(s string) ([]string, bool) {
	var out []string
	var cur strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(c)
		case c == '\'' || c == '"':
			quote = c
		case c == ',':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	if quote != 0 {
		return nil, false
	}
	return append(out, cur.String()), true
}
