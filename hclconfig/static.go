package hclconfig

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// typeCheck evaluates every expression with unknowns standing in for what
// is only known later (params, job results, each.*). go-cty carries types
// through unknowns, so this finds type errors, lists interpolated without
// args() and the like before anything runs. Expressions with reference
// errors are skipped: they were reported already.
func (l *loader) typeCheck(w *Workflow) hcl.Diagnostics {
	var diags hcl.Diagnostics
	v := staticValuer{}
	if l.defaults != nil && !l.anyBad(resourceList(l.defaults)...) {
		_, _, ds := evalResources(l.defaults, ctxFor(v, w.root, resourceList(l.defaults)...))
		diags = append(diags, ds...)
	}
	w.root.walk(func(m *module) {
		for _, j := range m.jobList {
			diags = append(diags, l.typeCheckJob(v, j)...)
		}
		for _, o := range m.outputList {
			if !l.bad[o.Value] {
				_, ds := o.Value.Value(ctxFor(v, m, o.Value))
				diags = append(diags, ds...)
			}
		}
		for _, p := range m.paramList {
			for _, val := range p.Validations {
				if l.anyBad(val.Condition, val.ErrorMessage) {
					continue
				}
				c, ds := val.Condition.Value(ctxFor(v, m, val.Condition))
				diags = append(diags, ds...)
				if !ds.HasErrors() {
					if _, err := convert.Convert(c, cty.Bool); err != nil {
						diags = append(diags, errorAt(val.Condition.Range(), "Condition must be a bool", "The condition is %s.", c.Type().FriendlyName()))
					}
				}
			}
		}
		if m.parent != nil {
			for _, name := range sortedKeys(m.flowArgs) {
				arg := m.flowArgs[name]
				p := m.params[name]
				if p == nil || l.bad[arg] {
					continue
				}
				val, ds := arg.Value(ctxFor(v, m.parent, arg))
				diags = append(diags, ds...)
				if ds.HasErrors() {
					continue
				}
				if _, err := convert.Convert(val, p.Type); err != nil {
					diags = append(diags, errorAt(arg.Range(), "Wrong type for flow param",
						"Param %q of %s is %s: %s.", name, m.file, p.TypeName, err))
				}
			}
		}
	})
	return diags
}

func (l *loader) anyBad(exprs ...hcl.Expression) bool {
	for _, e := range exprs {
		if e != nil && l.bad[e] {
			return true
		}
	}
	return false
}

func resourceList(r *resourceExprs) []hcl.Expression {
	if r == nil {
		return nil
	}
	out := make([]hcl.Expression, 0, len(r.names))
	for _, name := range r.names {
		out = append(out, r.attrs[name].Expr)
	}
	return out
}

func (l *loader) typeCheckJob(v valuer, j *Job) hcl.Diagnostics {
	var diags hcl.Diagnostics
	ctx := ctxFor(v, j.mod, jobExprs(j)...)
	if j.forEach != nil && !l.bad[j.forEach] {
		fe, ds := j.forEach.Value(ctx)
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			items, known, ds := forEachItems(fe, j.forEach.Range())
			diags = append(diags, ds...)
			if known && len(items) == 0 && !j.AllowEmpty {
				diags = append(diags, emptyForEach(j))
			}
		}
	}
	ectx := ctx
	if j.forEach != nil {
		ectx = ctx.NewChild()
		ectx.Variables = map[string]cty.Value{"each": unknownEach}
	}
	if !l.bad[j.command] {
		_, _, _, ds := renderCommand(j, plainScope(ectx))
		diags = append(diags, ds...)
	}
	if j.outputs != nil && !l.bad[j.outputs] {
		globs, known, ds := stringList(j.outputs, ectx, "outputs")
		diags = append(diags, ds...)
		if known {
			diags = append(diags, checkGlobs(globs, j.outputs.Range())...)
		}
	}
	if j.inputs != nil && !l.bad[j.inputs] {
		_, _, ds := stringList(j.inputs, ectx, "inputs")
		diags = append(diags, ds...)
	}
	if j.env != nil && !l.bad[j.env] {
		_, _, ds := evalEnv(j.env, ectx)
		diags = append(diags, ds...)
	}
	if j.resources != nil && !l.anyBad(resourceList(j.resources)...) {
		_, _, ds := evalResources(j.resources, ectx)
		diags = append(diags, ds...)
	}
	return diags
}

func emptyForEach(j *Job) *hcl.Diagnostic {
	return errorAt(j.forEach.Range(), "for_each over zero items",
		"Job %q would have no elements. Set allow_empty = true if an empty fan-out is expected; jobs that read it then see empty lists.", j.Name)
}
