package cache

import (
	"maps"
	"slices"
	"strconv"
)

// Upstream is one upstream instance an instance consumes.
type Upstream struct {
	Task string
	// Index is the element consumed, or -1 for a whole job (a singleton,
	// or a gathered array whose Identity is Combine of its elements').
	Index    int
	Identity string
}

// Name is "task" or "task[i]".
func (u Upstream) Name() string { return instanceName(u.Task, u.Index) }

// Parts are everything an instance's identity is computed from.
type Parts struct {
	Task string
	// Index is the element index, -1 for a singleton.
	Index int
	// Command is the rendered bash script.
	Command string
	Env     map[string]string
	// Version is the job's `version` (a manual cache bust), "" if unset.
	Version string
	// Outputs are the output globs as declared; their order does not matter.
	Outputs []string
	// Inputs map each input file's absolute path to its digest.
	Inputs map[string]string
	// Upstream are the consumed instances, in the order the caller
	// consumes them (hclconfig's Instance.Consumes order).
	Upstream []Upstream
}

// IsZero reports whether p is empty: no parts were recorded.
func (p Parts) IsZero() bool {
	return p.Task == "" && p.Command == "" && len(p.Env) == 0 && p.Version == "" &&
		len(p.Outputs) == 0 && len(p.Inputs) == 0 && len(p.Upstream) == 0
}

// Part is one labelled part, for display.
type Part struct {
	Label string
	Value string
}

// List returns the parts in the order they are hashed, one per line of
// `reflow explain`: instance, command, env NAME..., version, output...,
// input PATH..., upstream NAME....
func (p Parts) List() []Part {
	out := make([]Part, 0, 4+len(p.Env)+len(p.Outputs)+len(p.Inputs)+len(p.Upstream))
	out = append(out, Part{"instance", instanceName(p.Task, p.Index)}, Part{"command", p.Command})
	for _, k := range slices.Sorted(maps.Keys(p.Env)) {
		out = append(out, Part{"env " + k, p.Env[k]})
	}
	out = append(out, Part{"version", p.Version})
	for _, g := range sortedSet(p.Outputs) {
		out = append(out, Part{"output", g})
	}
	for _, path := range slices.Sorted(maps.Keys(p.Inputs)) {
		out = append(out, Part{"input " + path, p.Inputs[path]})
	}
	for _, u := range p.Upstream {
		out = append(out, Part{"upstream " + u.Name(), u.Identity})
	}
	return out
}

func instanceName(task string, index int) string {
	if index < 0 {
		return task
	}
	return task + "[" + strconv.Itoa(index) + "]"
}

// sortedSet returns s sorted without duplicates, copying only when it must.
func sortedSet(s []string) []string {
	strict := true
	for i := 1; i < len(s) && strict; i++ {
		strict = s[i-1] < s[i]
	}
	if strict {
		return s
	}
	c := slices.Clone(s)
	slices.Sort(c)
	return slices.Compact(c)
}
