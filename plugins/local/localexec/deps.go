package localexec

import (
	"fmt"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// This file judges dependencies: for an element, are they met, still
// open, or impossible forever. Upstream jobs are watched by this same
// process (loadJob follows them), so their states are in memory.

// depVerdict is the outcome of one dependency for one element.
type depVerdict struct {
	ok    bool
	never string // why it can never hold; empty when it still may
}

// judge evaluates one dependency for the element with engine index idx.
func judge(d depLink, idx int) depVerdict {
	up := d.up
	if up == nil {
		return depVerdict{never: d.ID + " ended unknown"}
	}
	switch d.Kind {
	case pluginapi.AfterAny:
		return depVerdict{ok: up.done()}
	case pluginapi.Elementwise:
		ue := up.elemAt(idx)
		if !up.rec.Array {
			ue = up.elems[0]
		}
		if ue == nil {
			return depVerdict{never: fmt.Sprintf("%s has no element %d", up.id, idx)}
		}
		switch {
		case ue.st.State == pluginapi.StateCompleted:
			return depVerdict{ok: true}
		case ue.st.State.Terminal():
			return depVerdict{never: endedPhrase(up, ue)}
		}
		return depVerdict{}
	default: // AfterOK; Submit refuses other kinds
		if up.firstBad != nil {
			return depVerdict{never: endedPhrase(up, up.firstBad)}
		}
		return depVerdict{ok: up.done()}
	}
}

// endedPhrase is "<id> ended <state>", naming the element for arrays.
func endedPhrase(up *job, el *elem) string {
	s := fmt.Sprintf("%s ended %s", up.id, el.st.State)
	if up.rec.Array {
		s += fmt.Sprintf(" (element %d)", el.index)
	}
	return s
}

// depsMet combines a job's dependencies for element idx: every ungrouped
// dependency and every any-of group must hold; a group fails only when all
// its members can never hold. never is the reason the element must fail.
func depsMet(deps []depLink, idx int) (ok bool, never string) {
	ok = true
	type group struct {
		ok     bool
		nevers []string
		n      int
	}
	var groups map[string]*group
	var order []string
	for _, d := range deps {
		v := judge(d, idx)
		if d.Group == "" {
			if v.never != "" {
				return false, "dependency can never be satisfied: " + v.never
			}
			ok = ok && v.ok
			continue
		}
		if groups == nil {
			groups = map[string]*group{}
		}
		g := groups[d.Group]
		if g == nil {
			g = &group{}
			groups[d.Group] = g
			order = append(order, d.Group)
		}
		g.n++
		g.ok = g.ok || v.ok
		if v.never != "" {
			g.nevers = append(g.nevers, v.never)
		}
	}
	for _, name := range order {
		g := groups[name]
		switch {
		case g.ok:
		case len(g.nevers) == g.n:
			return false, "dependency can never be satisfied: " + strings.Join(g.nevers, "; ")
		default:
			ok = false
		}
	}
	return ok, ""
}
