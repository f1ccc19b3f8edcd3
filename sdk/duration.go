package sdk

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// durationForms is the tail of every parse error, so users learn what to
// write instead of only what was wrong.
const durationForms = `want a duration such as "90s", "10m", "1h30m", "2h", "1d", ` +
	`a clock "HH:MM:SS" or "MM:SS", a Slurm day form "D-HH", "D-HH:MM" or "D-HH:MM:SS", ` +
	`or a bare number of minutes`

// durationUnits maps the unit letters of the Go-like form to their length.
var durationUnits = map[byte]time.Duration{
	's': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour,
}

// ParseDuration parses a time limit in any of the forms HPC users write:
//
//   - Go-like units, combinable and fractional: "90s", "10m", "1h30m", "1.5h",
//     "2h", "1d" (d is 24 hours). Units are s, m, h, d, case-insensitive.
//   - Clock forms as Slurm reads them: "HH:MM:SS", and "MM:SS" (two fields are
//     minutes and seconds, not hours and minutes: "05:00" is five minutes).
//   - Slurm day forms: "D-HH", "D-HH:MM", "D-HH:MM:SS" ("1-12" is 36 hours).
//   - A bare number: minutes, as Slurm, Flux and LSF read one ("30" is 30m).
//
// In clock and day forms the leading field may be any size ("90:00" is 90
// minutes) but later fields must be below 60 (hours after a day below 24), to
// catch typos. Zero and negative durations are rejected: "no limit" is not
// portable; leave the time limit out to get the scheduler's default. A
// fraction of a nanosecond rounds up.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return 0, newParseError("duration", s, durationForms)
	}
	if t[0] == '-' {
		return 0, newParseError("duration", s, "must not be negative; "+durationForms)
	}
	var (
		d   *big.Rat // nanoseconds
		err error
	)
	switch {
	case strings.ContainsAny(t, ":-"):
		d, err = parseClock(t)
	case strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' }) < 0:
		d, err = parseNumber(t, time.Minute)
	default:
		d, err = parseUnits(t)
	}
	if err != nil {
		return 0, newParseError("duration", s, err.Error()+"; "+durationForms)
	}
	n := ratCeil(d)
	if !n.IsInt64() {
		return 0, newParseError("duration", s, fmt.Sprintf("too long (at most %v)", time.Duration(1<<63-1)))
	}
	if n.Sign() == 0 {
		return 0, newParseError("duration", s, "must be greater than zero; leave the time limit out for the scheduler's default")
	}
	return time.Duration(n.Int64()), nil
}

// parseNumber reads a non-negative decimal number and scales it by unit.
func parseNumber(num string, unit time.Duration) (*big.Rat, error) {
	if num == "" || num == "." || strings.Count(num, ".") > 1 ||
		strings.IndexFunc(num, func(r rune) bool { return (r < '0' || r > '9') && r != '.' }) >= 0 {
		return nil, fmt.Errorf("%q is not a number", num)
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return nil, fmt.Errorf("%q is not a number", num)
	}
	return r.Mul(r, new(big.Rat).SetInt64(int64(unit))), nil
}

// parseUnits reads a sequence of number+unit pairs such as "1h30m".
func parseUnits(t string) (*big.Rat, error) {
	sum := new(big.Rat)
	for t != "" {
		i := 0
		for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
			i++
		}
		if i == 0 {
			return nil, fmt.Errorf("expected a number at %q", t)
		}
		if i == len(t) {
			return nil, fmt.Errorf("number %q has no unit (s, m, h or d)", t)
		}
		j := i
		for j < len(t) && (t[j] < '0' || t[j] > '9') && t[j] != '.' {
			j++
		}
		unit, ok := durationUnits[t[i]]
		if !ok || j != i+1 {
			return nil, fmt.Errorf("unknown unit %q (want s, m, h or d)", t[i:j])
		}
		r, err := parseNumber(t[:i], unit)
		if err != nil {
			return nil, err
		}
		sum.Add(sum, r)
		t = t[j:]
	}
	return sum, nil
}

// parseClock reads Slurm's clock and day forms: M:S, H:M:S, D-H, D-H:M,
// D-H:M:S.
func parseClock(t string) (*big.Rat, error) {
	var days int64
	rest := t
	hasDay := false
	if day, after, ok := strings.Cut(t, "-"); ok {
		n, err := clockField(day, -1)
		if err != nil {
			return nil, err
		}
		days, rest, hasDay = n, after, true
	}
	fields := strings.Split(rest, ":")
	var units []time.Duration
	switch {
	case hasDay && len(fields) <= 3:
		units = []time.Duration{time.Hour, time.Minute, time.Second}[:len(fields)]
	case !hasDay && len(fields) == 2:
		units = []time.Duration{time.Minute, time.Second}
	case !hasDay && len(fields) == 3:
		units = []time.Duration{time.Hour, time.Minute, time.Second}
	default:
		return nil, fmt.Errorf("too many fields")
	}
	total := new(big.Int).Mul(big.NewInt(days), big.NewInt(int64(24*time.Hour)))
	for i, f := range fields {
		limit := int64(-1) // the leading field is unbounded
		switch {
		case hasDay && i == 0:
			limit = 24
		case i > 0:
			limit = 60
		}
		n, err := clockField(f, limit)
		if err != nil {
			return nil, err
		}
		total.Add(total, new(big.Int).Mul(big.NewInt(n), big.NewInt(int64(units[i]))))
	}
	return new(big.Rat).SetInt(total), nil
}

// clockField reads one field of a clock form: digits only, below limit when
// limit >= 0.
func clockField(f string, limit int64) (int64, error) {
	if f == "" || strings.IndexFunc(f, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, fmt.Errorf("field %q is not a whole number", f)
	}
	n, err := strconv.ParseInt(f, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("field %q is too large", f)
	}
	if limit >= 0 && n >= limit {
		return 0, fmt.Errorf("field %q must be below %d", f, limit)
	}
	return n, nil
}

// Seconds returns d in whole seconds, rounded up; zero or less gives zero.
// SGE's h_rt and PBS's walltime also accept a plain number of seconds.
func Seconds(d time.Duration) int64 { return ceilDiv(d, time.Second) }

// Minutes returns d in whole minutes, rounded up; zero or less gives zero.
// It suits LSF's -W and any scheduler whose limits are in minutes: a job
// never gets less time than asked.
func Minutes(d time.Duration) int64 { return ceilDiv(d, time.Minute) }

// ceilDiv divides d by unit, rounding up; zero or less gives zero.
func ceilDiv(d, unit time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	n := int64(d / unit)
	if d%unit != 0 {
		n++
	}
	return n
}

// FormatClock renders d as "HH:MM:SS", rounded up to whole seconds. Hours are
// not wrapped into days and may have more than two digits ("36:00:00"), which
// is what PBS walltime and SGE h_rt expect (neither has a day field).
func FormatClock(d time.Duration) string {
	s := Seconds(d)
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

// FormatSlurmTime renders d for sbatch --time. Slurm keeps time limits in
// whole minutes and rounds seconds up itself, so d is rounded up to whole
// minutes here and the rendering shows exactly the limit Slurm will enforce.
// Limits of a day or more use the "D-HH:MM:SS" form ("1-12:00:00"), shorter
// ones "HH:MM:SS" ("00:05:00"); sbatch accepts both.
func FormatSlurmTime(d time.Duration) string {
	m := Minutes(d)
	if m >= 24*60 {
		return fmt.Sprintf("%d-%02d:%02d:00", m/(24*60), m/60%24, m%60)
	}
	return fmt.Sprintf("%02d:%02d:00", m/60, m%60)
}

// FormatFluxDuration renders d as a Flux standard duration (RFC 23) for
// flux submit --time-limit: a whole number in the largest of d, h, m, s that
// divides it exactly ("1d", "2h", "10m", "90s"), after rounding up to whole
// seconds. Flux rejects clock forms such as "00:30".
func FormatFluxDuration(d time.Duration) string {
	s := Seconds(d)
	for _, u := range []struct {
		secs int64
		name string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}} {
		if s != 0 && s%u.secs == 0 {
			return strconv.FormatInt(s/u.secs, 10) + u.name
		}
	}
	return strconv.FormatInt(s, 10) + "s"
}
