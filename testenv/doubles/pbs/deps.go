package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/testenv/doubles/pbs/pbssyntax"
)

// depVerdict is where a job's dependencies stand.
type depVerdict int

const (
	depWait depVerdict = iota
	depHold
	depNever
)

// judgeDeps evaluates every clause of j's dependency list against the
// current records: all clauses must hold (PBS has no OR). Clause types the
// double does not emulate (before*, on, runone, sync*) are accepted and
// ignored. reason says why a dependency can never hold.
func judgeDeps(c *config, st *store, j *job, now time.Time) (v depVerdict, reason string, err error) {
	allHold := true
	for _, d := range j.Depend {
		for _, id := range d.IDs {
			t, ok, err := st.load(id.Seq)
			if err != nil {
				return depWait, "", err
			}
			if !ok || (t.isArray() != (id.Kind == pbssyntax.ArrayJob)) {
				return depNever, fmt.Sprintf("dependency on unknown job %s", id.Raw), nil
			}
			switch clauseState(c, d, t, now) {
			case depNever:
				return depNever, fmt.Sprintf("Finished job did not satisfy dependency (%s on %s)", d.Type, id.Raw), nil
			case depWait:
				allHold = false
			}
		}
	}
	if allHold {
		return depHold, "", nil
	}
	return depWait, "", nil
}

// clauseState judges one clause against one target.
func clauseState(c *config, d pbssyntax.Dependency, t *job, now time.Time) depVerdict {
	done := t.done(c, now)
	code, hasCode := t.exitStatus(c)
	typ := strings.TrimSuffix(d.Type, "array")
	if d.Type != typ {
		// Torque's *array types count the elements that qualify.
		return arrayClause(c, typ, d.ArrayCount, t, now)
	}
	switch typ {
	case "after":
		if t.started() {
			return depHold
		}
		if done {
			return depNever
		}
	case "afterok":
		if done && hasCode && code == 0 {
			return depHold
		}
		if done {
			return depNever
		}
	case "afternotok":
		if done && hasCode && code != 0 {
			return depHold
		}
		if done {
			return depNever
		}
	case "afterany":
		// A target deleted before it ever ran releases nobody.
		if done && t.started() {
			return depHold
		}
		if done {
			return depNever
		}
	default:
		return depHold
	}
	return depWait
}

// arrayClause judges Torque's afterokarray & co: the condition holds once
// count elements (all when 0) qualify, and can never hold once too few
// can still qualify.
func arrayClause(c *config, typ string, count int, t *job, now time.Time) depVerdict {
	need := count
	if need == 0 {
		need = len(t.Elems)
	}
	good, open := 0, 0
	for _, e := range t.Elems {
		if !e.done(c, now) {
			if typ == "afterstart" && e.started() {
				good++
			} else {
				open++
			}
			continue
		}
		switch typ {
		case "afterstart", "afterany":
			if e.started() {
				good++
			}
		case "afterok":
			if e.Exit != nil && *e.Exit == 0 {
				good++
			}
		case "afternotok":
			if e.Exit != nil && *e.Exit != 0 {
				good++
			}
		}
	}
	switch {
	case good >= need:
		return depHold
	case good+open < need:
		return depNever
	}
	return depWait
}
