package hclconfig

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// module is one use of a file: the root workflow, or one flow instance. A
// flow file used twice is two modules over the same syntax tree, because its
// params, and so its values, differ.
type module struct {
	// name is the flow instance's full name ("" for the root); prefix is
	// name+"." so job names can be built by concatenation.
	name, prefix string
	file, dir    string
	src          []byte
	parent       *module
	// flowArgs are the `params = {...}` expressions of the flow block that
	// made this module, evaluated in parent.
	flowArgs     map[string]hcl.Expression
	flowArgRange map[string]hcl.Range

	workflowName string
	params       map[string]*Param
	paramList    []*Param
	jobs         map[string]*Job
	jobList      []*Job
	flows        map[string]*module
	flowList     []*module
	flow         *Flow
	// order interleaves jobs and child modules as they appear in the file.
	order      []any
	outputs    map[string]*Output
	outputList []*Output
	funcs      map[string]function.Function

	// memos for reference resolution (see refs.go)
	paramRes  map[string]*resolution
	outputRes map[string]*resolution
	// static is the evaluation context of validation: every value that is
	// not a constant is an unknown of its type.
	static *hcl.EvalContext
	// paramTypes caches the declared types for the static context.
	staticParams cty.Value
}

func newModule(name string, parent *module) *module {
	m := &module{
		name:      name,
		parent:    parent,
		params:    map[string]*Param{},
		jobs:      map[string]*Job{},
		flows:     map[string]*module{},
		outputs:   map[string]*Output{},
		paramRes:  map[string]*resolution{},
		outputRes: map[string]*resolution{},
	}
	if name != "" {
		m.prefix = name + "."
	}
	return m
}

// walk calls fn for m and every module below it, parents first.
func (m *module) walk(fn func(*module)) {
	fn(m)
	for _, c := range m.flowList {
		c.walk(fn)
	}
}
