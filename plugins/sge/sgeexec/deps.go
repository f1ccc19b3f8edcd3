package sgeexec

import (
	"fmt"
	"slices"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Dependencies in Grid Engine.
//
// -hold_jid waits until the listed jobs have left the system, whatever their
// exit status: that is afterany, and it goes to Grid Engine as it is.
// -hold_jid_ad does the same task by task: element-wise afterany.
//
// Grid Engine has no "only after success". For afterok and element-wise
// (which needs the upstream element to have succeeded) the plugin submits
// the dependent with those native holds for the order, plus a user hold
// (-h) for the outcome. Poll, which learns how the upstream ended, then
// releases the dependent (qrls) when the upstream completed, or deletes it
// (qdel) and reports it failed with the reason when the upstream ended any
// other way. So a dependent never runs after a failed upstream and never
// waits forever; the price is that the release happens at the next Poll
// after the upstream ended, not inside Grid Engine.

// depPlan is how a job's dependencies are submitted.
type depPlan struct {
	hold    bool  // submit with -h; Poll releases it
	holdJID []int // -hold_jid
	holdAD  []int // -hold_jid_ad
	deps    []depState
}

// args are the qsub arguments of the plan.
func (p depPlan) args() []string {
	var a []string
	if p.hold {
		a = append(a, "-h")
	}
	if len(p.holdJID) > 0 {
		a = append(a, "-hold_jid", joinInts(p.holdJID, ","))
	}
	if len(p.holdAD) > 0 {
		a = append(a, "-hold_jid_ad", joinInts(p.holdAD, ","))
	}
	return a
}

// planDependencies checks spec's dependencies and says how to submit them.
func planDependencies(spec *pluginapi.JobSpec) (depPlan, pluginapi.Diagnostics) {
	var (
		p     depPlan
		diags pluginapi.Diagnostics
	)
	for i, d := range spec.Dependencies {
		attr := fmt.Sprintf("dependencies[%d]", i)
		if d.Group != "" {
			diags = diags.Errorf(attr+".group", "Grid Engine cannot express any-of dependency groups (group %q); the sge executor does not claim AnyOf", d.Group)
			continue
		}
		id, up, ours := decodeHandle(d.Handle)
		if !ours {
			diags = diags.Errorf(attr+".handle", "handle %q is not a job the sge executor submitted, so it cannot be depended on", d.Handle.ID)
			continue
		}
		up.Deps = nil
		switch d.Kind {
		case pluginapi.AfterAny:
			p.holdJID = appendUnique(p.holdJID, id)
		case pluginapi.AfterOK:
			p.holdJID = appendUnique(p.holdJID, id)
			p.hold = true
			p.deps = append(p.deps, depState{Kind: d.Kind, ID: id, Up: up})
		case pluginapi.Elementwise:
			switch {
			case spec.Array == nil:
				diags = diags.Errorf(attr+".kind", "an element-wise dependency needs an array job; this job is not one")
				continue
			case !up.isArray():
				diags = diags.Errorf(attr+".handle", "an element-wise dependency needs an array upstream; job %d is not one", id)
				continue
			case up.Size != spec.Array.Size || up.Offset != spec.Array.Offset:
				diags = diags.Errorf(attr+".handle", "an element-wise dependency needs arrays of the same shape: job %d has elements %d..%d, this job %d..%d",
					id, up.Offset, up.Offset+up.Size-1, spec.Array.Offset, spec.Array.Offset+spec.Array.Size-1)
				continue
			}
			p.holdAD = appendUnique(p.holdAD, id)
			p.hold = true
			p.deps = append(p.deps, depState{Kind: d.Kind, ID: id, Up: up})
		default:
			diags = diags.Errorf(attr+".kind", "unknown dependency kind %q (the sge executor takes afterok, afterany and elementwise)", d.Kind)
		}
	}
	return p, diags
}

func appendUnique(s []int, v int) []int {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

func joinInts(v []int, sep string) string {
	var b []byte
	for i, n := range v {
		if i > 0 {
			b = append(b, sep...)
		}
		b = fmt.Appendf(b, "%d", n)
	}
	return string(b)
}
