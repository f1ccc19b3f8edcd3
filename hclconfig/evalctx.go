package hclconfig

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// valuer supplies the values behind the variables of a module. Validation
// uses one that answers with unknowns of the right type; a Snapshot answers
// with what the engine knows. Both go through ctxFor, so an expression is
// evaluated the same way at validation and at run time.
type valuer interface {
	paramValue(m *module, name string) cty.Value
	jobValue(j *Job) cty.Value
	outputValue(m *module, name string) cty.Value
	runValues() (runDir, runID cty.Value)
}

// ctxFor builds an evaluation context for exprs in m holding exactly the
// params, jobs and flow outputs they reference. Building only what is read
// keeps flows lazy (a flow output is computed when something reads it, so
// flows may feed each other) and keeps large gathered lists out of contexts
// that do not need them.
func ctxFor(v valuer, m *module, exprs ...hcl.Expression) *hcl.EvalContext {
	params := map[string]cty.Value{}
	jobs := map[string]cty.Value{}
	flows := map[string]map[string]cty.Value{}
	for _, e := range exprs {
		if e == nil {
			continue
		}
		for _, tr := range e.Variables() {
			name, ok := attrStep(tr, 1)
			if !ok {
				continue
			}
			switch tr.RootName() {
			case "param":
				if _, done := params[name.Name]; !done && m.params[name.Name] != nil {
					params[name.Name] = v.paramValue(m, name.Name)
				}
			case "job":
				if _, done := jobs[name.Name]; !done && m.jobs[name.Name] != nil {
					jobs[name.Name] = v.jobValue(m.jobs[name.Name])
				}
			case "flow":
				child := m.flows[name.Name]
				out, ok := attrStep(tr, 2)
				if child == nil || !ok || child.outputs[out.Name] == nil {
					continue
				}
				if flows[name.Name] == nil {
					flows[name.Name] = map[string]cty.Value{}
				}
				if _, done := flows[name.Name][out.Name]; !done {
					flows[name.Name][out.Name] = v.outputValue(child, out.Name)
				}
			}
		}
	}
	flowObj := make(map[string]cty.Value, len(flows))
	for name, outs := range flows {
		flowObj[name] = cty.ObjectVal(outs)
	}
	runDir, runID := v.runValues()
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"param":    cty.ObjectVal(params),
			"job":      cty.ObjectVal(jobs),
			"flow":     cty.ObjectVal(flowObj),
			"run_dir":  runDir,
			"run_id":   runID,
			"workflow": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(m.workflowName)}),
		},
		Functions: m.funcs,
	}
}

// jobExprs lists every expression of j, for ctxFor.
func jobExprs(j *Job) []hcl.Expression {
	out := []hcl.Expression{j.forEach, j.command, j.outputs, j.inputs, j.env}
	if j.resources != nil {
		for _, name := range j.resources.names {
			out = append(out, j.resources.attrs[name].Expr)
		}
	}
	return out
}

// unknownEach is each.* during validation, when no element is known.
var unknownEach = cty.ObjectVal(map[string]cty.Value{
	"value": cty.DynamicVal,
	"index": cty.UnknownVal(cty.Number),
	"key":   cty.UnknownVal(cty.String),
})

// Types of job.X.outputs: a singleton's is a list of paths; an array's is
// the gathered list of its elements' lists.
var (
	singleOutputsType = cty.List(cty.String)
	arrayOutputsType  = cty.List(cty.List(cty.String))
)

// unknownJob is job.X before X has finished.
func unknownJob(j *Job) cty.Value {
	outs := singleOutputsType
	if j.forEach != nil {
		outs = arrayOutputsType
	}
	return cty.ObjectVal(map[string]cty.Value{
		"outputs": cty.UnknownVal(outs),
		"result":  cty.DynamicVal,
	})
}

// staticValuer answers every question of validation with an unknown of the
// right type, except the things a file fixes itself.
type staticValuer struct{}

func (staticValuer) paramValue(m *module, name string) cty.Value {
	return cty.UnknownVal(m.params[name].Type)
}
func (staticValuer) jobValue(j *Job) cty.Value                    { return unknownJob(j) }
func (staticValuer) outputValue(m *module, name string) cty.Value { return cty.DynamicVal }
func (staticValuer) runValues() (cty.Value, cty.Value) {
	return cty.UnknownVal(cty.String), cty.UnknownVal(cty.String)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
