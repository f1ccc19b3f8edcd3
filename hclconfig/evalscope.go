package hclconfig

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// evalScope is where an instance's expressions are evaluated: a job's context
// and, inside an array, one element's each.*.
//
// Building each.* for an element costs a child context, a variables map
// and an object value with its type; over a 100,000-element array that was
// a fifth of `reflow plan`. Most commands only insert each.value, each.key
// or each.index, which renderPart answers straight from the element
// (evalScope.each), so the context is built only when an expression needs more
// (evalScope.ctx). One evalScope serves a whole block of elements in turn
// (setElement), reusing the child context it built.
type evalScope struct {
	base *hcl.EvalContext
	// inArray: the element fields below hold each.*.
	inArray bool
	index   int
	key     string
	value   cty.Value
	// child holds each.* for the element; it is current only when built.
	child *hcl.EvalContext
	built bool
}

// plainScope evaluates in ctx with no element of its own (a singleton, the
// parts an array's elements share, a %{for} body, validation).
func plainScope(ctx *hcl.EvalContext) *evalScope { return &evalScope{base: ctx} }

// setElement makes s the scope of one array element.
func (s *evalScope) setElement(index int, key string, value cty.Value) {
	s.inArray, s.index, s.key, s.value, s.built = true, index, key, value, false
}

// ctx is the context holding everything the element's expressions read.
func (s *evalScope) ctx() *hcl.EvalContext {
	if !s.inArray {
		return s.base
	}
	if !s.built {
		if s.child == nil {
			s.child = s.base.NewChild()
			s.child.Variables = make(map[string]cty.Value, 1)
		}
		each := make(map[string]cty.Value, len(eachAttrs))
		for _, name := range eachAttrs {
			each[name], _ = s.attr(name)
		}
		s.child.Variables["each"] = cty.ObjectVal(each)
		s.built = true
	}
	return s.child
}

// each answers expr when it is exactly each.value, each.key or each.index
// of the element, as evaluating it in ctx() would.
func (s *evalScope) each(expr hclsyntax.Expression) (cty.Value, bool) {
	if !s.inArray {
		return cty.NilVal, false
	}
	tr, ok := expr.(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(tr.Traversal) != 2 || tr.Traversal.RootName() != "each" {
		return cty.NilVal, false
	}
	step, ok := tr.Traversal[1].(hcl.TraverseAttr)
	if !ok {
		return cty.NilVal, false
	}
	return s.attr(step.Name)
}

// attr is the element's each.<name> (one of eachAttrs, which validation
// checks references against): the one place that says what each.* holds,
// for both the context and the shortcut.
func (s *evalScope) attr(name string) (cty.Value, bool) {
	switch name {
	case "value":
		return s.value, true
	case "key":
		return cty.StringVal(s.key), true
	case "index":
		return cty.NumberIntVal(int64(s.index)), true
	}
	return cty.NilVal, false
}
