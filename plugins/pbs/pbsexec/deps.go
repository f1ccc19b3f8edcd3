package pbsexec

import (
	"fmt"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// guardExit is the exit status of a job whose afterok guard found a failed
// subjob in an upstream array.
const guardExit = 125

// dependDirective renders the dependencies as a -W depend= value:
// clauses "type:id[:id...]" joined by ','. All must hold, as in PBS. There
// is no any-of form and no element-wise one, so those are refused (Info
// does not claim them; the engine holds such dependents back itself).
//
// An afterok on an OpenPBS array is judged by the server on the array's
// own Exit_status, which real servers take from the subjob that finished
// last (facts §2); guards lists such upstreams, which the job script then
// checks subjob by subjob before it runs.
func dependDirective(deps []pluginapi.Dependency, dialect string) (string, []string, pluginapi.Diagnostics) {
	var diags pluginapi.Diagnostics
	groups := map[string]int{}
	for _, d := range deps {
		if d.Group != "" {
			groups[d.Group]++
		}
	}
	type clause struct {
		typ string
		ids []string
	}
	var clauses []*clause
	byType := map[string]*clause{}
	var guards []string
	for i, d := range deps {
		attr := fmt.Sprintf("dependencies[%d]", i)
		if d.Group != "" && groups[d.Group] > 1 {
			diags = diags.Errorf(attr+".group", "PBS cannot express an any-of dependency group (%q has %d members); all dependencies of a PBS job must hold", d.Group, groups[d.Group])
			continue
		}
		id, ok := parseJobID(d.Handle.ID)
		if _, ours := decodeState(d.Handle.State); !ok || len(d.Handle.State) > 0 && !ours {
			diags = diags.Errorf(attr+".handle", "%q is not a PBS job this plugin submitted", d.Handle.ID)
			continue
		}
		var typ string
		switch d.Kind {
		case pluginapi.AfterOK:
			typ = "afterok"
		case pluginapi.AfterAny:
			typ = "afterany"
		default:
			diags = diags.Errorf(attr+".kind", "PBS cannot express a %q dependency; it has afterok and afterany", d.Kind)
			continue
		}
		if id.array && dialect == dialectTorque {
			typ += "array" // Torque's whole-array types
		}
		if id.array && d.Kind == pluginapi.AfterOK && dialect == dialectOpenPBS {
			guards = append(guards, d.Handle.ID)
		}
		c := byType[typ]
		if c == nil {
			c = &clause{typ: typ}
			byType[typ] = c
			clauses = append(clauses, c)
		}
		c.ids = append(c.ids, d.Handle.ID)
	}
	var parts []string
	for _, c := range clauses {
		parts = append(parts, c.typ+":"+strings.Join(c.ids, ":"))
	}
	return strings.Join(parts, ","), guards, diags
}

// guardScript checks, before the job's own script, that every subjob of
// each guarded upstream array exited 0 — what afterok means — and exits
// guardExit otherwise. It reads the server's own record (qstat -x -t -f
// -F json, pretty-printed one attribute per line); when qstat cannot
// answer (no history) it lets the job run, as the server already did.
func guardScript(guards []string, qstat string) string {
	if len(guards) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(`# reflow: OpenPBS releases an afterok dependent of an array by the array's
# Exit_status, which may be the last subjob's alone; check every subjob.
reflow_pbs_guard() {
  local out subs ok
  out=$(` + shellQuote(qstat) + ` -x -f -F json -t "$1" 2>/dev/null)
  [ -n "$out" ] || return 0
  subs=$(printf '%s\n' "$out" | grep -c '"array_index"')
  ok=$(printf '%s\n' "$out" | grep -cE '"Exit_status"[[:space:]]*:[[:space:]]*0[[:space:]]*,?[[:space:]]*$')
  [ "$ok" -gt "$subs" ]
}
`)
	for _, g := range guards {
		fmt.Fprintf(&b, "reflow_pbs_guard %s || { echo %s >&2; exit %d; }\n", shellQuote(g),
			shellQuote("reflow: not running: upstream array "+g+" has subjobs that did not exit 0 (afterok)"), guardExit)
	}
	return b.String()
}
