package slurmexec

import (
	"fmt"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// depItem is one dependency after checking.
type depItem struct {
	At    int // position in JobSpec.Dependencies, for diagnostics
	Kind  pluginapi.DependencyKind
	ID    string
	Group string
	State handleState
	Ours  bool
}

// token is the dependency in sbatch's syntax.
func (d depItem) token() string {
	switch d.Kind {
	case pluginapi.AfterAny:
		return "afterany:" + d.ID
	case pluginapi.Elementwise:
		return "aftercorr:" + d.ID
	}
	return "afterok:" + d.ID
}

// depPlan is a job's dependencies as Slurm can hold them: all required
// (joined with ","), or any one enough (joined with "?"). Slurm has one
// separator per job, so a job cannot have both.
type depPlan struct {
	Items []depItem
	AnyOf bool
}

// expr is the --dependency value, "" for none.
func (p depPlan) expr() string {
	sep := ","
	if p.AnyOf {
		sep = "?"
	}
	toks := make([]string, len(p.Items))
	for i, d := range p.Items {
		toks[i] = d.token()
	}
	return strings.Join(toks, sep)
}

// checkDeps turns a job's dependencies into a plan, or explains what Slurm
// cannot express. arr is the job's own array numbering (nil: not an array).
func checkDeps(deps []pluginapi.Dependency, arr *arrayPlan) (depPlan, pluginapi.Diagnostics) {
	var (
		plan  depPlan
		diags pluginapi.Diagnostics
		items []depItem
	)
	for i, d := range deps {
		attr := fmt.Sprintf("dependencies[%d]", i)
		switch d.Kind {
		case pluginapi.AfterOK, pluginapi.AfterAny, pluginapi.Elementwise:
		default:
			diags = diags.Errorf(attr+".kind", "unknown dependency kind %q (want afterok, afterany or elementwise)", d.Kind)
			continue
		}
		if !validJobID(d.Handle.ID) {
			diags = append(diags, pluginapi.Diagnostic{Attribute: attr + ".handle",
				Summary: fmt.Sprintf("%q is not a Slurm job id this executor issued", d.Handle.ID),
				Detail:  "A dependency must name a job submitted through the Slurm executor."})
			continue
		}
		hs, ours := decodeHandle(d.Handle)
		if d.Kind == pluginapi.Elementwise {
			if dg := checkElementwise(attr, hs, ours, arr); dg != nil {
				diags = append(diags, *dg)
				continue
			}
		}
		items = append(items, depItem{At: i, Kind: d.Kind, ID: d.Handle.ID, Group: d.Group, State: hs, Ours: ours})
	}
	if diags.HasErrors() {
		return plan, diags
	}
	// A group of one is no choice: it is simply required.
	members := map[string]int{}
	for _, it := range items {
		if it.Group != "" {
			members[it.Group]++
		}
	}
	var required, anyOf []depItem
	groups := map[string]bool{}
	for _, it := range items {
		if it.Group != "" && members[it.Group] > 1 {
			anyOf = append(anyOf, it)
			groups[it.Group] = true
		} else {
			required = append(required, it)
		}
	}
	if len(groups) > 1 || len(groups) == 1 && len(required) > 0 {
		diags = append(diags, pluginapi.Diagnostic{
			Attribute: fmt.Sprintf("dependencies[%d].group", anyOf[0].At),
			Summary:   "Slurm cannot express these dependencies",
			Detail: "A Slurm job's dependencies are either all required (joined with \",\") or any one of them is enough " +
				"(joined with \"?\"), never both, and there is one any-of group at most. Submit this job once its " +
				"required upstream jobs have ended, or put all its dependencies in one any-of group.",
		})
		return plan, diags
	}
	if len(anyOf) > 0 {
		plan = depPlan{Items: dedupe(anyOf), AnyOf: true}
	} else {
		plan = depPlan{Items: dedupe(required)}
	}
	return plan, diags
}

// checkElementwise checks that an element-wise dependency pairs element i
// with element i. Slurm's aftercorr pairs equal native indices, so both
// arrays must have the same engine indices and the same native numbering.
func checkElementwise(attr string, up handleState, ours bool, arr *arrayPlan) *pluginapi.Diagnostic {
	switch {
	case arr == nil:
		return &pluginapi.Diagnostic{Attribute: attr + ".kind",
			Summary: "an element-wise dependency needs an array job", Detail: "This job is not an array; use afterok."}
	case !ours || !up.isArray():
		return &pluginapi.Diagnostic{Attribute: attr + ".handle",
			Summary: "an element-wise dependency needs an array job submitted through the Slurm executor as its upstream"}
	case up.Offset != arr.Offset || up.Size != arr.Size:
		return &pluginapi.Diagnostic{Attribute: attr + ".handle",
			Summary: fmt.Sprintf("element-wise dependency between arrays of different index ranges: upstream %d..%d, this job %d..%d",
				up.Offset, up.Offset+up.Size-1, arr.Offset, arr.Offset+arr.Size-1),
			Detail: "Slurm's aftercorr pairs element i with element i, so both arrays must cover the same engine indices."}
	case up.Base != arr.Base:
		return &pluginapi.Diagnostic{Attribute: attr + ".handle",
			Summary: fmt.Sprintf("element-wise dependency between arrays numbered differently in Slurm (native indices from %d and from %d)", up.Base, arr.Base),
			Detail:  "The cluster's MaxArraySize changed between the two submissions; submit this job after its upstream ended instead."}
	}
	return nil
}

// dedupe drops repeated dependencies on the same job of the same kind.
func dedupe(items []depItem) []depItem {
	seen := map[string]bool{}
	out := items[:0:0]
	for _, it := range items {
		if t := it.token(); !seen[t] {
			seen[t] = true
			out = append(out, it)
		}
	}
	return out
}
