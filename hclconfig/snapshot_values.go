package hclconfig

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Snapshot is the valuer of run time: params have their bound values, jobs
// the values the engine reported, flow params and outputs are computed on
// demand.

func (s *Snapshot) runValues() (cty.Value, cty.Value) {
	dir, id := cty.UnknownVal(cty.String), cty.UnknownVal(cty.String)
	if s.st.RunDir != "" {
		dir = cty.StringVal(s.st.RunDir)
	}
	if s.st.RunID != "" {
		id = cty.StringVal(s.st.RunID)
	}
	return dir, id
}

func (s *Snapshot) paramValue(m *module, name string) cty.Value {
	if m.parent == nil {
		if v, ok := s.b.Params[name]; ok {
			return v
		}
		return cty.UnknownVal(m.params[name].Type)
	}
	memo := s.params[m]
	if memo == nil {
		memo = map[string]cty.Value{}
		s.params[m] = memo
	}
	if v, ok := memo[name]; ok {
		return v
	}
	p := m.params[name]
	// Guard against re-entry; Load has ruled cycles out, so this only
	// protects against a bug turning into endless recursion.
	memo[name] = cty.UnknownVal(p.Type)
	v := cty.UnknownVal(p.Type)
	if arg := m.flowArgs[name]; arg != nil {
		raw, diags := arg.Value(ctxFor(s, m.parent, arg))
		s.diags = append(s.diags, diags...)
		if !diags.HasErrors() {
			cv, err := convert.Convert(raw, p.Type)
			if err != nil {
				s.diags = append(s.diags, errorAt(arg.Range(), "Wrong type for flow param", "Param %q is %s: %s.", name, p.TypeName, err))
			} else {
				v = absPath(p, cv, m.parent.dir)
			}
		}
	} else if !p.Required() {
		v = absPath(p, p.Default, p.dir)
	}
	memo[name] = v
	s.validateFlowParam(m, p, v)
	return v
}

// validateFlowParam runs a flow param's validation blocks once its value
// is known; root params are validated by Bind.
func (s *Snapshot) validateFlowParam(m *module, p *Param, v cty.Value) {
	if !v.IsWhollyKnown() {
		return
	}
	for _, val := range p.Validations {
		ok, diags := val.Condition.Value(ctxFor(s, m, val.Condition))
		s.diags = append(s.diags, diags...)
		if diags.HasErrors() || !ok.IsKnown() || ok.IsNull() || ok.Type() != cty.Bool || ok.True() {
			continue
		}
		text := "The value of param " + p.Name + " of flow " + m.name + " is not valid."
		if msg, ds := val.ErrorMessage.Value(ctxFor(s, m, val.ErrorMessage)); !ds.HasErrors() && msg.Type() == cty.String && msg.IsKnown() && !msg.IsNull() {
			text = msg.AsString()
		}
		s.diags = append(s.diags, errorAt(val.Condition.Range(), "Invalid value for flow param "+p.Name, "%s (flow %s)", text, m.name))
	}
}

func (s *Snapshot) outputValue(m *module, name string) cty.Value {
	memo := s.outputs[m]
	if memo == nil {
		memo = map[string]cty.Value{}
		s.outputs[m] = memo
	}
	if v, ok := memo[name]; ok {
		return v
	}
	memo[name] = cty.DynamicVal
	expr := m.outputs[name].Value
	v, diags := expr.Value(ctxFor(s, m, expr))
	s.diags = append(s.diags, diags...)
	if diags.HasErrors() {
		v = cty.DynamicVal
	}
	memo[name] = v
	return v
}

// jobValue is job.X: a singleton's outputs and result, or an array's
// gathered lists ordered by element index, with unknowns where instances
// have not finished.
func (s *Snapshot) jobValue(j *Job) cty.Value {
	if v, ok := s.jobs[j.Name]; ok {
		return v
	}
	s.jobs[j.Name] = unknownJob(j)
	v := s.computeJobValue(j)
	s.jobs[j.Name] = v
	return v
}

func (s *Snapshot) computeJobValue(j *Job) cty.Value {
	ts := s.st.Tasks[j.Name]
	if j.forEach == nil {
		if ts == nil || len(ts.Instances) != 1 || ts.Instances[0] == nil {
			return unknownJob(j)
		}
		outs, res := instanceValue(ts.Instances[0])
		return cty.ObjectVal(map[string]cty.Value{"outputs": outs, "result": res})
	}
	n := s.size(j)
	if n < 0 {
		return unknownJob(j)
	}
	if n == 0 {
		return cty.ObjectVal(map[string]cty.Value{
			"outputs": cty.ListValEmpty(cty.List(cty.String)),
			"result":  cty.EmptyTupleVal,
		})
	}
	outs := make([]cty.Value, n)
	res := make([]cty.Value, n)
	for i := range outs {
		var v *Values
		if ts != nil && i < len(ts.Instances) {
			v = ts.Instances[i]
		}
		if v == nil {
			outs[i], res[i] = cty.UnknownVal(cty.List(cty.String)), cty.DynamicVal
			continue
		}
		outs[i], res[i] = instanceValue(v)
	}
	return cty.ObjectVal(map[string]cty.Value{"outputs": cty.ListVal(outs), "result": cty.TupleVal(res)})
}

// size is an array's number of elements, or -1 while unknown. The engine's
// record wins; otherwise it is worked out from for_each.
func (s *Snapshot) size(j *Job) int {
	if n, ok := s.sizes[j.Name]; ok {
		return n
	}
	s.sizes[j.Name] = -1
	n := -1
	if ts := s.st.Tasks[j.Name]; ts != nil {
		n = len(ts.Instances)
	} else if j.Kind == ElementWise {
		n = s.size(s.b.Workflow.Job(j.Source))
	} else {
		ctx := ctxFor(s, j.mod, j.forEach)
		fe, diags := j.forEach.Value(ctx)
		if !diags.HasErrors() {
			if items, known, ds := forEachItems(fe, j.forEach.Range()); known && !ds.HasErrors() {
				n = len(items)
			}
		}
	}
	s.sizes[j.Name] = n
	return n
}

// Output returns the value of a root output block, as far as it is known.
func (s *Snapshot) Output(name string) (cty.Value, hcl.Diagnostics) {
	root := s.b.Workflow.root
	if root.outputs[name] == nil {
		return cty.NilVal, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unknown output", Detail: name}}
	}
	before := len(s.diags)
	v := s.outputValue(root, name)
	return v, s.diags[before:]
}

// Size returns the number of instances of the named job as far as it is
// known now: 1 for a singleton, -1 for an array whose size is not known yet.
func (s *Snapshot) Size(job string) int {
	j := s.b.Workflow.Job(job)
	if j == nil {
		return -1
	}
	if j.forEach == nil {
		return 1
	}
	return s.size(j)
}
