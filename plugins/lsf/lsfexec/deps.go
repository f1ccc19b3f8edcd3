package lsfexec

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// arrayNameRe is what LSF allows in an array's name, which element-wise
// dependencies refer to.
var arrayNameRe = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// dependencies turns a job's dependencies into a bsub -w expression:
// afterok is done(ID), afterany ended(ID), element-wise done(NAME[*]) (LSF
// documents the one-to-one array dependency with the upstream's name; the
// plugin names every job uniquely). An any-of group becomes a
// parenthesised || of its members; groups and ungrouped dependencies are
// joined with &&. It also returns what the handle records of them.
func dependencies(spec pluginapi.JobSpec) (string, []depState, pluginapi.Diagnostics) {
	var (
		diags  pluginapi.Diagnostics
		states []depState
		terms  []string
		groups = map[string]int{} // group → index in terms
		sizes  = map[string]int{}
	)
	for i, d := range spec.Dependencies {
		attr := fmt.Sprintf("dependencies[%d]", i)
		id := d.Handle.ID
		st, ok := decodeState(d.Handle.State)
		if !validID(id) || !ok {
			diags = append(diags, pluginapi.Diagnostic{Severity: pluginapi.Error, Attribute: attr + ".handle",
				Summary: fmt.Sprintf("handle %q is not a job of the LSF executor", id),
				Detail:  "A dependency must be a handle this executor returned from Submit (an LSF job id with its state)."})
			continue
		}
		var cond string
		switch d.Kind {
		case pluginapi.AfterOK:
			cond = "done(" + id + ")"
		case pluginapi.AfterAny:
			cond = "ended(" + id + ")"
		case pluginapi.Elementwise:
			a := spec.Array
			switch {
			case a == nil:
				diags = diags.Errorf(attr+".kind", "an element-wise dependency needs an array job")
				continue
			case st == nil || st.Size == 0 || !arrayNameRe.MatchString(st.Name):
				diags = diags.Errorf(attr+".handle", "job %s is not an LSF array this executor submitted; element-wise dependencies need one", id)
				continue
			case st.Size != a.Size || st.Offset != a.Offset:
				diags = diags.Errorf(attr+".handle", "job %s is an array of %d elements from index %d, this one of %d from %d; element-wise dependencies need the same shape",
					id, st.Size, st.Offset, a.Size, a.Offset)
				continue
			}
			cond = "done(" + st.Name + "[*])"
		default:
			diags = diags.Errorf(attr+".kind", "unknown dependency kind %q (want afterok, afterany or elementwise)", d.Kind)
			continue
		}
		states = append(states, depState{Kind: d.Kind, ID: id, Group: d.Group})
		if d.Group == "" {
			terms = append(terms, cond)
			continue
		}
		k, seen := groups[d.Group]
		if !seen {
			k = len(terms)
			groups[d.Group] = k
			terms = append(terms, "")
		}
		if sizes[d.Group]++; sizes[d.Group] > 1 {
			terms[k] += " || "
		}
		terms[k] += cond
	}
	for g, k := range groups {
		if sizes[g] > 1 {
			terms[k] = "(" + terms[k] + ")"
		}
	}
	return strings.Join(terms, " && "), states, diags
}

// neverHolds reports whether the dependencies of a pending job (or of its
// LSF element k, for element-wise ones) can no longer be met, and why.
// LSF itself leaves such a job pending forever. A dependency can never
// hold when its upstream ended otherwise than it requires (done() of an
// EXIT job), or when LSF no longer knows the upstream at all.
func neverHolds(deps []depState, jobs map[string]*bjobsJob, k int) (string, bool) {
	type group struct {
		never   int
		members int
		why     []string
	}
	var order []string
	groups := map[string]*group{}
	for i, d := range deps {
		key := d.Group
		if key == "" {
			key = fmt.Sprintf("\x00%d", i)
		}
		g := groups[key]
		if g == nil {
			g = &group{}
			groups[key] = g
			order = append(order, key)
		}
		g.members++
		if why, never := depNever(d, jobs[d.ID], k); never {
			g.never++
			g.why = append(g.why, why)
		}
	}
	for _, key := range order {
		if g := groups[key]; g.never == g.members {
			return "dependency can never be satisfied: " + strings.Join(g.why, "; and "), true
		}
	}
	return "", false
}

// depNever judges one dependency on upstream job up for LSF element k.
func depNever(d depState, up *bjobsJob, k int) (string, bool) {
	if up == nil || !up.Found {
		return fmt.Sprintf("job %s is no longer known to LSF", d.ID), true
	}
	failed := func(r bjobsRecord) bool { return r.Stat == "EXIT" || r.Stat == "ZOMBI" }
	describe := func(r bjobsRecord) string {
		id := d.ID
		if r.Index > 0 {
			id = fmt.Sprintf("%s[%d]", d.ID, r.Index)
		}
		s := fmt.Sprintf("job %s ended %s", id, r.Stat)
		if r.ExitCode != "" {
			s += " (exit status " + r.ExitCode + ")"
		}
		if r.Reason != "" {
			s += " (" + r.Reason + ")"
		}
		return s
	}
	switch d.Kind {
	case pluginapi.AfterOK:
		for _, r := range up.Records {
			if failed(r) {
				return describe(r), true
			}
		}
	case pluginapi.Elementwise:
		for _, r := range up.Records {
			if r.Index == k && failed(r) {
				return describe(r), true
			}
		}
	}
	return "", false
}
