package sdk

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Memory is an amount of memory in bytes.
//
// Parsing and rendering always round up: a job is never given less memory
// than the user asked for, because a job that gets less is killed by the
// scheduler's OOM handling after it has waited in the queue, which is the
// most expensive way to find out.
type Memory int64

// MemoryUnit is a binary unit of memory, in bytes (1K = 1024 bytes). All
// schedulers reflow targets read their size suffixes as binary multiples
// (SGE's lowercase k/m/g are decimal, which is why SGE output uses uppercase).
type MemoryUnit int64

// The binary memory units.
const (
	Byte     MemoryUnit = 1
	Kilobyte MemoryUnit = 1 << 10
	Megabyte MemoryUnit = 1 << 20
	Gigabyte MemoryUnit = 1 << 30
	Terabyte MemoryUnit = 1 << 40
	Petabyte MemoryUnit = 1 << 50
)

// String returns the unit's conventional name, "KB", "MB", ..., as LSF's
// LSF_UNIT_FOR_LIMITS spells it.
func (u MemoryUnit) String() string {
	switch u {
	case Byte:
		return "B"
	case Kilobyte:
		return "KB"
	case Megabyte:
		return "MB"
	case Gigabyte:
		return "GB"
	case Terabyte:
		return "TB"
	case Petabyte:
		return "PB"
	}
	return fmt.Sprintf("MemoryUnit(%d)", int64(u))
}

// memoryUnits maps a lowercased suffix letter to its unit.
var memoryUnits = map[byte]MemoryUnit{
	'b': Byte, 'k': Kilobyte, 'm': Megabyte, 'g': Gigabyte, 't': Terabyte, 'p': Petabyte,
}

// memoryForms is the tail of every parse error, so users learn what to write
// instead of only what was wrong.
const memoryForms = `want a positive number with an optional binary unit K, M, G, T or P ` +
	`(optionally followed by B or iB; case does not matter; 1K = 1024 bytes), ` +
	`e.g. "512M", "1.5G", "2GiB"; a bare number means megabytes, as in Slurm`

// ParseMemoryUnit parses a unit name such as "KB", "M", "GiB" or "mb", for
// example the value of LSF's LSF_UNIT_FOR_LIMITS.
func ParseMemoryUnit(s string) (MemoryUnit, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	u, ok := parseUnitSuffix(t)
	if !ok || t == "" {
		return 0, fmt.Errorf("invalid memory unit %q: want one of B, K, M, G, T, P (optionally followed by B or iB)", s)
	}
	return u, nil
}

// parseUnitSuffix reads a lowercased suffix: "", "k", "kb", "kib", "b", ...
// An empty suffix means megabytes.
func parseUnitSuffix(suf string) (MemoryUnit, bool) {
	if suf == "" {
		return Megabyte, true
	}
	u, ok := memoryUnits[suf[0]]
	if !ok {
		return 0, false
	}
	switch rest := suf[1:]; {
	case rest == "":
		return u, true
	case u == Byte:
		return 0, false // "bb", "bib"
	case rest == "b" || rest == "ib":
		return u, true
	}
	return 0, false
}

// ParseMemory parses a memory amount such as "512M", "1G", "1.5GB", "1GiB",
// "100K", "2T" or "2048". Units are binary (1K = 1024 bytes) and
// case-insensitive; a bare number means megabytes, as Slurm reads --mem. A
// fractional amount is rounded up to a whole byte. Zero, negative amounts and
// amounts beyond what an int64 holds are rejected: "no memory" and "all of
// the node" are not portable requests.
func ParseMemory(s string) (Memory, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, newParseError("memory", s, memoryForms)
	}
	if t[0] == '-' {
		return 0, newParseError("memory", s, "must not be negative; "+memoryForms)
	}
	// Split into the number (digits with at most one dot) and the suffix.
	end := 0
	dots := 0
	for end < len(t) && (t[end] >= '0' && t[end] <= '9' || t[end] == '.') {
		if t[end] == '.' {
			dots++
		}
		end++
	}
	num, suf := t[:end], strings.ToLower(strings.TrimSpace(t[end:]))
	if num == "" || num == "." || dots > 1 {
		return 0, newParseError("memory", s, memoryForms)
	}
	unit, ok := parseUnitSuffix(suf)
	if !ok {
		return 0, newParseError("memory", s, fmt.Sprintf("unknown unit %q; %s", t[end:], memoryForms))
	}
	// big.Rat keeps "1.1G" exact, so rounding up happens once, at the end.
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, newParseError("memory", s, memoryForms)
	}
	r.Mul(r, new(big.Rat).SetInt64(int64(unit)))
	b := ratCeil(r)
	if !b.IsInt64() {
		return 0, newParseError("memory", s, fmt.Sprintf("too large (at most %d bytes)", int64(math.MaxInt64)))
	}
	if b.Sign() == 0 {
		return 0, newParseError("memory", s, "must be greater than zero")
	}
	return Memory(b.Int64()), nil
}

// ratCeil returns the smallest integer not less than r (r >= 0).
func ratCeil(r *big.Rat) *big.Int {
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q
}

// In returns m in whole units of u, rounded up (1025 bytes is 2 KB).
// Amounts of zero or less give zero.
func (m Memory) In(u MemoryUnit) int64 {
	if m <= 0 || u <= 0 {
		return 0
	}
	n := int64(m) / int64(u)
	if int64(m)%int64(u) != 0 {
		n++
	}
	return n
}

// Megabytes returns m in whole megabytes (MiB), rounded up, as Slurm's
// --mem and LSF (with LSF_UNIT_FOR_LIMITS=MB) want it.
func (m Memory) Megabytes() int64 { return m.In(Megabyte) }

// Kilobytes returns m in whole kilobytes (KiB), rounded up, as LSF wants it
// when LSF_UNIT_FOR_LIMITS is unset.
func (m Memory) Kilobytes() int64 { return m.In(Kilobyte) }

// String renders m exactly in the largest unit that divides it, in a form
// ParseMemory reads back to the same value: "1G", "1536M", "100K", "1000B".
func (m Memory) String() string {
	return formatExact(m, Byte, func(u MemoryUnit) string {
		if u == Byte {
			return "B"
		}
		return u.String()[:1]
	})
}

// MemoryStyle selects how FormatMemory writes an amount for a scheduler.
type MemoryStyle int

// The memory styles. Every style rounds up, never down.
const (
	// SlurmMemory writes whole megabytes with an "M" suffix ("1024M"), the
	// unit sbatch assumes by default and the one SLURM_MEM_PER_NODE reports,
	// so the number users see in the job matches what was submitted.
	SlurmMemory MemoryStyle = iota + 1
	// PBSMemory writes PBS size values: rounded up to whole kilobytes, then in
	// the largest of kb, mb, gb, tb that divides exactly, lowercase ("1gb",
	// "512mb", "1536mb"). PBS accepts no decimals, so exactness matters.
	PBSMemory
	// SGEMemory writes SGE sizes such as h_vmem: rounded up to whole
	// kilobytes, then in the largest of K, M, G, T that divides exactly
	// ("1G", "512M"). Uppercase matters: SGE reads lowercase k/m/g as powers
	// of 1000.
	SGEMemory
)

// FormatMemory renders m for a scheduler in the given style, rounding up.
//
// LSF takes a plain number in the site's LSF_UNIT_FOR_LIMITS (KB when
// unset); write it with strconv.FormatInt(m.In(unit), 10), with unit from
// ParseMemoryUnit. Flux has no memory option, so there is no Flux style.
func FormatMemory(m Memory, style MemoryStyle) string {
	switch style {
	case SlurmMemory:
		return strconv.FormatInt(m.Megabytes(), 10) + "M"
	case PBSMemory:
		return formatExact(m, Kilobyte, func(u MemoryUnit) string { return strings.ToLower(u.String()) })
	case SGEMemory:
		return formatExact(m, Kilobyte, func(u MemoryUnit) string { return u.String()[:1] })
	}
	panic(fmt.Sprintf("sdk.FormatMemory: unknown MemoryStyle %d", int(style)))
}

// formatExact rounds m up to whole units of min, then writes it in the largest
// unit up to terabytes that divides it exactly.
func formatExact(m Memory, min MemoryUnit, suffix func(MemoryUnit) string) string {
	n := m.In(min) // in units of min
	u := min
	for u < Terabyte && n != 0 && n%1024 == 0 {
		n /= 1024
		u *= 1024
	}
	return strconv.FormatInt(n, 10) + suffix(u)
}

// parseError is the error ParseMemory, ParseDuration and ExpandRanges return.
// Its reason, without the input repeated, becomes a diagnostic's detail.
type parseError struct {
	what   string // "memory", "duration", ...
	input  string
	reason string
}

func newParseError(what, input, reason string) *parseError {
	return &parseError{what: what, input: input, reason: reason}
}

func (e *parseError) Error() string {
	if strings.TrimSpace(e.input) == "" {
		return fmt.Sprintf("empty %s: %s", e.what, e.reason)
	}
	return fmt.Sprintf("invalid %s %q: %s", e.what, e.input, e.reason)
}
