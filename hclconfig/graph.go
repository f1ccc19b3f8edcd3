package hclconfig

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// buildGraph works out, for every job, which jobs it reads and how: its
// array kind, its edges (each classified from the shape of the expressions,
// never from values), what it consumes for the cache identity, and the path
// params it reads. Then it reports cycles.
func (l *loader) buildGraph(w *Workflow) hcl.Diagnostics {
	for _, j := range w.Jobs {
		l.classify(w, j)
	}
	diags := l.extra
	diags = append(diags, findCycles(w)...)
	return diags
}

func (l *loader) classify(w *Workflow, j *Job) {
	m := j.mod
	fe := l.resolve(m, j.forEach)
	other := &resolution{jobs: map[string]bool{}}
	for _, e := range j.exprs() {
		other.add(l.resolve(m, e))
	}
	if j.resources != nil {
		for _, name := range j.resources.names {
			other.add(l.resolve(m, j.resources.attrs[name].Expr))
		}
	}
	j.pathParams = uniqueParams(append(fe.paths, other.paths...))

	switch {
	case j.forEach == nil:
		j.Kind = Singleton
	case len(fe.jobs) == 0:
		j.Kind = StaticArray
	default:
		j.Kind = DynamicArray
		if src, ok := aliasOf(m, j.forEach, 0); ok {
			j.Source = src
			if a := w.byName[src]; a != nil && a.forEach != nil {
				j.Kind = ElementWise
			}
		}
	}

	all := map[string]bool{}
	for n := range fe.jobs {
		all[n] = true
	}
	for n := range other.jobs {
		all[n] = true
	}
	for _, n := range j.After {
		all[n] = true
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	j.Needs = names
	for _, n := range names {
		a := w.byName[n]
		if a == nil {
			continue
		}
		kind := edgeKind(j, a, fe.jobs[n], other.jobs[n])
		w.Edges = append(w.Edges, &Edge{From: n, To: j.Name, Kind: kind})
		if kind != EdgeAfter {
			j.consumes = append(j.consumes, consumed{job: n, elementOf: kind == EdgeElementWise})
		}
	}
}

// edgeKind classifies how j reads a (DESIGN §2): inForEach and elsewhere
// say where j's expressions mention a.
func edgeKind(j, a *Job, inForEach, elsewhere bool) EdgeKind {
	aArray := a.forEach != nil
	switch {
	case inForEach && j.Kind == ElementWise && j.Source == a.Name:
		if elsewhere {
			// Element i also reads all of a: it must wait for every element.
			return EdgeBroadcast
		}
		return EdgeElementWise
	case inForEach && aArray:
		return EdgeGather
	case inForEach:
		return EdgeFanOut
	case elsewhere && aArray && j.forEach == nil:
		return EdgeGather
	case elsewhere && j.forEach != nil:
		return EdgeBroadcast
	case elsewhere:
		return EdgeData
	}
	return EdgeAfter
}

func uniqueParams(refs []paramRef) []paramRef {
	seen := map[paramRef]bool{}
	out := refs[:0]
	for _, r := range refs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// findCycles reports every cycle in the job graph once, naming its jobs in
// order, at the first job's block.
func findCycles(w *Workflow) hcl.Diagnostics {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var diags hcl.Diagnostics
	reported := map[string]bool{}
	var visit func(n string)
	visit = func(n string) {
		color[n] = grey
		stack = append(stack, n)
		for _, next := range w.byName[n].Needs {
			if w.byName[next] == nil {
				continue
			}
			switch color[next] {
			case white:
				visit(next)
			case grey:
				i := len(stack) - 1
				for stack[i] != next {
					i--
				}
				cycle := append([]string{}, stack[i:]...)
				key := append([]string{}, cycle...)
				sort.Strings(key)
				if k := strings.Join(key, " "); !reported[k] {
					reported[k] = true
					// The stack runs against the data flow (a job, then what
					// it needs); reverse it so the message reads downstream.
					for l, r := 0, len(cycle)-1; l < r; l, r = l+1, r-1 {
						cycle[l], cycle[r] = cycle[r], cycle[l]
					}
					cycle = append(cycle, cycle[0])
					first := w.byName[cycle[0]]
					diags = append(diags, errorAt(first.DeclRange, "Dependency cycle",
						"These jobs depend on each other in a circle: %s. Break the cycle by removing one of the references.",
						strings.Join(cycle, " → ")))
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
	}
	for _, j := range w.Jobs {
		if color[j.Name] == white {
			visit(j.Name)
		}
	}
	return diags
}

// Order returns the jobs so that every job comes after the jobs it needs,
// keeping source order where the graph allows. The workflow must be free of
// cycles (Load reported none).
func (w *Workflow) Order() []*Job {
	placed := map[string]bool{}
	out := make([]*Job, 0, len(w.Jobs))
	var place func(j *Job)
	place = func(j *Job) {
		if placed[j.Name] {
			return
		}
		placed[j.Name] = true
		for _, n := range j.Needs {
			if d := w.byName[n]; d != nil {
				place(d)
			}
		}
		out = append(out, j)
	}
	for _, j := range w.Jobs {
		place(j)
	}
	return out
}
