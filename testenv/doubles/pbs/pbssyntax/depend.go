package pbssyntax

import (
	"strconv"
	"strings"
)

// Dependency is one clause of -W depend=: a type and its job ids, or its
// count for on/synccount.
type Dependency struct {
	Type  string
	IDs   []JobID
	Count int
	// ArrayCount is Torque's ID[][count]: the condition holds once count
	// elements qualify; 0 means all.
	ArrayCount int
}

var openpbsDepTypes = map[string]bool{
	"after": true, "afterok": true, "afternotok": true, "afterany": true,
	"before": true, "beforeok": true, "beforenotok": true, "beforeany": true,
	"on": true, "runone": true, "synccount": true, "syncwith": true,
}

var torqueDepTypes = map[string]bool{
	"after": true, "afterok": true, "afternotok": true, "afterany": true,
	"before": true, "beforeok": true, "beforenotok": true, "beforeany": true,
	"on": true, "synccount": true, "syncwith": true,
	"afterstartarray": true, "afterokarray": true, "afternotokarray": true, "afteranyarray": true,
	"beforestartarray": true, "beforeokarray": true, "beforenotokarray": true, "beforeanyarray": true,
}

// parseDepend reads the value of -W depend=. A subjob or range target is
// refused the way OpenPBS's qsub refuses it: a complaint line, then
// "illegal -W value".
func parseDepend(value string, d Dialect, usage string) ([]Dependency, *Error) {
	illegal := usageError("qsub: illegal -W value", usage)
	types := openpbsDepTypes
	if d == Torque {
		types = torqueDepTypes
	}
	if value == "" {
		return nil, illegal
	}
	var out []Dependency
	for _, clause := range strings.Split(value, ",") {
		parts := strings.Split(clause, ":")
		typ := parts[0]
		if !types[typ] || len(parts) < 2 {
			return nil, illegal
		}
		dep := Dependency{Type: typ}
		if typ == "on" || typ == "synccount" {
			if len(parts) != 2 {
				return nil, illegal
			}
			n, err := strconv.Atoi(parts[1])
			if err != nil || n < 0 {
				return nil, illegal
			}
			dep.Count = n
			out = append(out, dep)
			continue
		}
		for _, raw := range parts[1:] {
			if d == Torque && strings.HasSuffix(typ, "array") {
				// ID[][count]
				if i := strings.Index(raw, "[]["); i >= 0 && strings.HasSuffix(raw, "]") {
					n, err := strconv.Atoi(raw[i+3 : len(raw)-1])
					if err != nil || n < 1 {
						return nil, illegal
					}
					dep.ArrayCount = n
					raw = raw[:i+2]
				}
			}
			id, ok := ParseJobID(raw)
			if !ok {
				return nil, illegal
			}
			if id.Kind == SubJob || id.Kind == SubRange {
				return nil, &Error{Text: "qsub: cannot have dependancy on subjob or range\n" + illegal.Text, Code: ExitUsage}
			}
			if d == Torque && strings.HasSuffix(typ, "array") && id.Kind != ArrayJob {
				return nil, illegal
			}
			dep.IDs = append(dep.IDs, id)
		}
		out = append(out, dep)
	}
	return out, nil
}
