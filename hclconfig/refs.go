package hclconfig

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// scope says which variables an expression may use where it stands.
type scope int

const (
	scopeJob       scope = iota // a job attribute other than for_each
	scopeJobEach                // ... of a job with for_each: each.* too
	scopeForEach                // for_each itself: no each.*
	scopeModule                 // flow params, output values
	scopeParamOnly              // validation conditions, default resources
)

var jobAttrs = []string{"outputs", "result"}
var eachAttrs = []string{"value", "index", "key"}

// checkExpr reports every unknown variable, job, param, flow, output,
// attribute and function in expr, with a "did you mean" hint, and marks expr
// bad when it has any.
func (l *loader) checkExpr(m *module, expr hcl.Expression, sc scope) hcl.Diagnostics {
	if expr == nil {
		return nil
	}
	var diags hcl.Diagnostics
	for _, tr := range expr.Variables() {
		diags = append(diags, checkTraversal(m, tr, sc)...)
	}
	if node, ok := expr.(hclsyntax.Node); ok {
		hclsyntax.VisitAll(node, func(n hclsyntax.Node) hcl.Diagnostics {
			call, ok := n.(*hclsyntax.FunctionCallExpr)
			if !ok {
				return nil
			}
			if _, known := m.funcs[call.Name]; !known {
				names := make([]string, 0, len(m.funcs))
				for name := range m.funcs {
					names = append(names, name)
				}
				sort.Strings(names)
				diags = append(diags, errorAt(call.NameRange, "Unknown function",
					"There is no function named %q.%s", call.Name, didYouMean(call.Name, names)))
			}
			return nil
		})
	}
	if diags.HasErrors() {
		l.bad[expr] = true
	}
	return diags
}

func attrStep(tr hcl.Traversal, i int) (hcl.TraverseAttr, bool) {
	if len(tr) <= i {
		return hcl.TraverseAttr{}, false
	}
	switch s := tr[i].(type) {
	case hcl.TraverseAttr:
		return s, true
	case hcl.TraverseIndex:
		// job["name"] is the same as job.name to hcl; accept it.
		if k := s.Key; k.IsKnown() && !k.IsNull() && k.Type().FriendlyName() == "string" {
			return hcl.TraverseAttr{Name: k.AsString(), SrcRange: s.SrcRange}, true
		}
	}
	return hcl.TraverseAttr{}, false
}

func checkTraversal(m *module, tr hcl.Traversal, sc scope) hcl.Diagnostics {
	root := tr.RootName()
	rootRange := tr[0].SourceRange()
	missing := func(what string, valid []string) hcl.Diagnostics {
		return hcl.Diagnostics{errorAt(tr.SourceRange(), "Incomplete reference",
			"%s must be followed by %s, for example %s.%s.", root, what, root, valid[0])}
	}
	allowed := []string{"param"}
	if sc != scopeParamOnly {
		allowed = append(allowed, "job", "flow", "run_dir", "run_id", "workflow")
	}
	if sc == scopeJobEach {
		allowed = append(allowed, "each")
	}
	if !contains(allowed, root) {
		switch {
		case root == "each" && sc == scopeForEach:
			return hcl.Diagnostics{errorAt(rootRange, "each in for_each",
				"for_each decides the elements, so it cannot use each.* itself.")}
		case root == "each" && sc == scopeJob:
			return hcl.Diagnostics{errorAt(rootRange, "each without for_each",
				"each.* only exists in a job with for_each.")}
		case sc == scopeParamOnly && contains([]string{"job", "flow", "each", "run_dir", "run_id", "workflow"}, root):
			return hcl.Diagnostics{errorAt(rootRange, "Reference not allowed here",
				"Only params can be used here, not %s.", root)}
		}
		all := []string{"param", "job", "flow", "each", "run_dir", "run_id", "workflow"}
		return hcl.Diagnostics{errorAt(rootRange, "Unknown variable",
			"There is no variable named %q; the variables are %v.%s", root, all, didYouMean(root, all))}
	}
	switch root {
	case "param":
		step, ok := attrStep(tr, 1)
		if !ok {
			return missing("a param name", []string{"NAME"})
		}
		if _, ok := m.params[step.Name]; !ok {
			return hcl.Diagnostics{errorAt(step.SrcRange, "Unknown param",
				"There is no param named %q in %s.%s", step.Name, fileLabel(m), didYouMean(step.Name, paramNames(m)))}
		}
	case "job":
		step, ok := attrStep(tr, 1)
		if !ok {
			return missing("a job name", []string{"NAME"})
		}
		if _, ok := m.jobs[step.Name]; !ok {
			return hcl.Diagnostics{errorAt(step.SrcRange, "Unknown job",
				"There is no job named %q in %s.%s", step.Name, fileLabel(m), didYouMean(step.Name, jobNames(m)))}
		}
		attr, ok := attrStep(tr, 2)
		if !ok {
			return hcl.Diagnostics{errorAt(tr.SourceRange(), "Incomplete job reference",
				"Use job.%s.outputs or job.%s.result; to wait for a job without reading it, use after = [job.%s].",
				step.Name, step.Name, step.Name)}
		}
		if !contains(jobAttrs, attr.Name) {
			return hcl.Diagnostics{errorAt(attr.SrcRange, "Unknown job attribute",
				"A job has outputs and result, not %q.%s", attr.Name, didYouMean(attr.Name, jobAttrs))}
		}
	case "flow":
		names := make([]string, 0, len(m.flowList))
		for _, f := range m.flowList {
			names = append(names, f.name[len(m.prefix):])
		}
		step, ok := attrStep(tr, 1)
		if !ok {
			return missing("a flow name", append(names, "NAME"))
		}
		child, ok := m.flows[step.Name]
		if !ok {
			return hcl.Diagnostics{errorAt(step.SrcRange, "Unknown flow",
				"There is no flow named %q in %s.%s", step.Name, fileLabel(m), didYouMean(step.Name, names))}
		}
		outs := make([]string, 0, len(child.outputList))
		for _, o := range child.outputList {
			outs = append(outs, o.Name)
		}
		out, ok := attrStep(tr, 2)
		if !ok {
			return hcl.Diagnostics{errorAt(tr.SourceRange(), "Incomplete flow reference",
				"Read a flow's output as flow.%s.NAME; its outputs are %v.", step.Name, outs)}
		}
		if _, ok := child.outputs[out.Name]; !ok {
			return hcl.Diagnostics{errorAt(out.SrcRange, "Unknown flow output",
				"The flow %q (%s) has no output named %q.%s", step.Name, child.file, out.Name, didYouMean(out.Name, outs))}
		}
	case "each":
		step, ok := attrStep(tr, 1)
		if !ok {
			return missing("value, index or key", eachAttrs)
		}
		if !contains(eachAttrs, step.Name) {
			return hcl.Diagnostics{errorAt(step.SrcRange, "Unknown each attribute",
				"each has value, index and key, not %q.%s", step.Name, didYouMean(step.Name, eachAttrs))}
		}
	case "workflow":
		step, ok := attrStep(tr, 1)
		if !ok || step.Name != "name" {
			return hcl.Diagnostics{errorAt(tr.SourceRange(), "Unknown workflow attribute", "Use workflow.name.")}
		}
	}
	return nil
}

// jobNames lists m's jobs for "did you mean"; it is built only when a
// reference is wrong, since building it per reference made large files
// quadratic.
func jobNames(m *module) []string {
	names := make([]string, 0, len(m.jobList))
	for _, j := range m.jobList {
		names = append(names, j.Local)
	}
	return names
}

func paramNames(m *module) []string {
	names := make([]string, 0, len(m.paramList))
	for _, p := range m.paramList {
		names = append(names, p.Name)
	}
	return names
}

func fileLabel(m *module) string {
	if m.name == "" {
		return m.file
	}
	return "flow " + m.name + " (" + m.file + ")"
}

// resolution is what an expression reads once params and flow outputs are
// followed back to where their values come from.
type resolution struct {
	jobs  map[string]bool
	paths []paramRef
	busy  bool
}

func (r *resolution) add(o *resolution) {
	for j := range o.jobs {
		r.jobs[j] = true
	}
	r.paths = append(r.paths, o.paths...)
}

// resolve finds the jobs and path params expr reads in m, looking through
// flow params (into the parent's expressions) and flow outputs (into the
// child's). Unknown names are skipped: checkExpr reports them.
func (l *loader) resolve(m *module, expr hcl.Expression) *resolution {
	r := &resolution{jobs: map[string]bool{}}
	if expr == nil {
		return r
	}
	for _, tr := range expr.Variables() {
		name, ok := attrStep(tr, 1)
		if !ok {
			continue
		}
		switch tr.RootName() {
		case "param":
			p := m.params[name.Name]
			if p == nil {
				continue
			}
			if p.IsPath {
				r.paths = append(r.paths, paramRef{mod: m, name: p.Name})
			}
			if m.parent != nil {
				r.add(l.resolveParam(m, name.Name, name.SrcRange))
			}
		case "job":
			if j := m.jobs[name.Name]; j != nil {
				r.jobs[j.Name] = true
			}
		case "flow":
			child := m.flows[name.Name]
			out, ok := attrStep(tr, 2)
			if child == nil || !ok || child.outputs[out.Name] == nil {
				continue
			}
			r.add(l.resolveOutput(child, out.Name, out.SrcRange))
		}
	}
	return r
}

func (l *loader) resolveParam(m *module, name string, at hcl.Range) *resolution {
	if r, ok := m.paramRes[name]; ok {
		if r.busy {
			l.valueCycle(at, "param."+name, m)
			return &resolution{jobs: map[string]bool{}}
		}
		return r
	}
	r := &resolution{jobs: map[string]bool{}, busy: true}
	m.paramRes[name] = r
	if arg := m.flowArgs[name]; arg != nil {
		r.add(l.resolve(m.parent, arg))
	}
	r.busy = false
	return r
}

func (l *loader) resolveOutput(m *module, name string, at hcl.Range) *resolution {
	if r, ok := m.outputRes[name]; ok {
		if r.busy {
			l.valueCycle(at, "output "+name, m)
			return &resolution{jobs: map[string]bool{}}
		}
		return r
	}
	r := &resolution{jobs: map[string]bool{}, busy: true}
	m.outputRes[name] = r
	r.add(l.resolve(m, m.outputs[name].Value))
	r.busy = false
	return r
}

func (l *loader) valueCycle(at hcl.Range, what string, m *module) {
	l.extra = append(l.extra, errorAt(at, "Cycle through a flow",
		"%s of flow %s depends on itself through the flow's params and outputs.", what, m.name))
}

// aliasOf follows expr when it is exactly a reference job.A.ATTR, possibly
// passed through flow params and outputs, and returns A's full name. Edge
// classification uses it: for_each = job.A.result is element-wise (or a
// plain fan-out) however many flow boundaries it crossed.
func aliasOf(m *module, expr hcl.Expression, depth int) (string, bool) {
	st, ok := expr.(*hclsyntax.ScopeTraversalExpr)
	if !ok || depth > 2*maxFlowDepth {
		return "", false
	}
	tr := st.Traversal
	switch tr.RootName() {
	case "job":
		name, ok1 := attrStep(tr, 1)
		attr, ok2 := attrStep(tr, 2)
		if !ok1 || !ok2 || len(tr) != 3 || !contains(jobAttrs, attr.Name) {
			return "", false
		}
		if j := m.jobs[name.Name]; j != nil {
			return j.Name, true
		}
	case "param":
		name, ok := attrStep(tr, 1)
		if !ok || len(tr) != 2 || m.parent == nil {
			return "", false
		}
		if arg := m.flowArgs[name.Name]; arg != nil {
			return aliasOf(m.parent, arg, depth+1)
		}
	case "flow":
		name, ok1 := attrStep(tr, 1)
		out, ok2 := attrStep(tr, 2)
		if !ok1 || !ok2 || len(tr) != 3 {
			return "", false
		}
		if child := m.flows[name.Name]; child != nil && child.outputs[out.Name] != nil {
			return aliasOf(child, child.outputs[out.Name].Value, depth+1)
		}
	}
	return "", false
}
