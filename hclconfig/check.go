package hclconfig

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
)

// checkNames reports params named like a built-in flag of reflow apply:
// such a param could never be set, and dropping it silently would run the
// workflow with the wrong value.
func (l *loader) checkNames(w *Workflow) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, p := range w.Params {
		if contains(l.opts.ReservedParams, p.Name) {
			diags = append(diags, errorAt(p.DeclRange, "Reserved param name",
				"A param named %q would collide with reflow's own --%s flag; rename the param.", p.Name, p.Name))
		}
	}
	return diags
}

// checkAllRefs checks the references of every expression in every module,
// and the wiring of flow blocks (params passed and required).
func (l *loader) checkAllRefs(w *Workflow) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if l.defaults != nil {
		for _, name := range l.defaults.names {
			diags = append(diags, l.checkExpr(w.root, l.defaults.attrs[name].Expr, scopeParamOnly)...)
		}
	}
	w.root.walk(func(m *module) {
		for _, p := range m.paramList {
			for _, v := range p.Validations {
				diags = append(diags, l.checkExpr(m, v.Condition, scopeParamOnly)...)
				diags = append(diags, l.checkExpr(m, v.ErrorMessage, scopeParamOnly)...)
			}
		}
		for _, j := range m.jobList {
			diags = append(diags, l.checkJobRefs(j)...)
		}
		for _, o := range m.outputList {
			diags = append(diags, l.checkExpr(m, o.Value, scopeModule)...)
		}
		if m.parent != nil {
			diags = append(diags, l.checkFlowArgs(m)...)
		}
	})
	return diags
}

func (l *loader) checkJobRefs(j *Job) hcl.Diagnostics {
	m := j.mod
	sc := scopeJob
	if j.forEach != nil {
		sc = scopeJobEach
	}
	diags := l.checkExpr(m, j.forEach, scopeForEach)
	j.perElement = map[string]bool{}
	for name, e := range j.exprs() {
		diags = append(diags, l.checkExpr(m, e, sc)...)
		j.perElement[name] = readsEach(e)
	}
	if j.resources != nil {
		for _, name := range j.resources.names {
			diags = append(diags, l.checkExpr(m, j.resources.attrs[name].Expr, sc)...)
		}
	}
	for _, a := range j.afterRefs {
		other := m.jobs[a.name]
		if other == nil {
			diags = append(diags, errorAt(a.rng, "Unknown job",
				"There is no job named %q in %s.%s", a.name, fileLabel(m), didYouMean(a.name, jobNames(m))))
			continue
		}
		if !contains(j.After, other.Name) {
			j.After = append(j.After, other.Name)
		}
	}
	return diags
}

// exprs returns the job's evaluated attributes other than for_each and
// resources, keyed by attribute name.
func (j *Job) exprs() map[string]hcl.Expression {
	out := map[string]hcl.Expression{}
	for name, e := range map[string]hcl.Expression{
		"command": j.command, "outputs": j.outputs, "inputs": j.inputs, "env": j.env,
	} {
		if e != nil {
			out[name] = e
		}
	}
	return out
}

func readsEach(e hcl.Expression) bool {
	if e == nil {
		return false
	}
	for _, tr := range e.Variables() {
		if tr.RootName() == "each" {
			return true
		}
	}
	return false
}

// checkFlowArgs checks a flow block's params against the flow file's param
// blocks: each passed name exists, each required one is passed.
func (l *loader) checkFlowArgs(m *module) hcl.Diagnostics {
	var diags hcl.Diagnostics
	names := paramNames(m)
	passed := make([]string, 0, len(m.flowArgs))
	for name := range m.flowArgs {
		passed = append(passed, name)
	}
	sort.Strings(passed)
	for _, name := range passed {
		diags = append(diags, l.checkExpr(m.parent, m.flowArgs[name], scopeModule)...)
		if m.params[name] == nil {
			diags = append(diags, errorAt(m.flowArgRange[name], "Unknown flow param",
				"The flow file %s has no param named %q.%s", m.file, name, didYouMean(name, names)))
		}
	}
	for _, p := range m.paramList {
		if p.Required() && m.flowArgs[p.Name] == nil {
			diags = append(diags, errorAt(m.flow.DeclRange, "Missing flow param",
				"The flow file %s needs param %q (%s); pass it in params = { %s = ... }.", m.file, p.Name, p.TypeName, p.Name))
		}
	}
	return diags
}

// checkResources checks every job's resource keys against the keys of the
// executor it will run on, and the workflow's defaults against the
// workflow's executor.
func (l *loader) checkResources(w *Workflow) hcl.Diagnostics {
	keysFor := func(executor string) ([]ResourceKey, bool) {
		if l.opts.ResourceKeys == nil {
			return PortableResourceKeys, true
		}
		return l.opts.ResourceKeys(executor)
	}
	def := w.Executor
	if l.opts.Executor != "" {
		def = l.opts.Executor
	}
	var diags hcl.Diagnostics
	if keys, ok := keysFor(def); ok {
		diags = append(diags, checkResourceKeys(w.defaults, keys, def)...)
	}
	for _, j := range w.Jobs {
		ex := j.Executor
		if ex == "" {
			ex = def
		}
		if keys, ok := keysFor(ex); ok {
			diags = append(diags, checkResourceKeys(j.resources, keys, ex)...)
		}
	}
	return diags
}
