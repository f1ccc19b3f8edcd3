package hclconfig

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/gocty"
)

// Some attributes shape the plan itself (executor, cache, retry, ...). They
// must be constants, so that what a job is never depends on a run's values.

// constant evaluates a that may not reference any variable, converted to ty.
func constant(a *hcl.Attribute, ty cty.Type, what string) (cty.Value, hcl.Diagnostics) {
	if vars := a.Expr.Variables(); len(vars) > 0 {
		return cty.NilVal, hcl.Diagnostics{errorAt(vars[0].SourceRange(), "Value must be a constant",
			"%s is fixed when the workflow is loaded, so it cannot refer to %s.", what, traversalString(vars[0]))}
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	if v.IsNull() {
		return cty.NilVal, hcl.Diagnostics{errorAt(a.Expr.Range(), "Value must not be null", "%s needs a value.", what)}
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		return cty.NilVal, hcl.Diagnostics{errorAt(a.Expr.Range(), "Wrong type",
			"%s must be %s: %s.", what, ty.FriendlyName(), err)}
	}
	return cv, nil
}

func constString(a *hcl.Attribute, what string) (string, hcl.Diagnostics) {
	v, diags := constant(a, cty.String, what)
	if diags.HasErrors() {
		return "", diags
	}
	return v.AsString(), nil
}

func constBool(a *hcl.Attribute, what string) (bool, hcl.Diagnostics) {
	v, diags := constant(a, cty.Bool, what)
	if diags.HasErrors() {
		return false, diags
	}
	return v.True(), nil
}

func constNumber(a *hcl.Attribute, what string) (float64, hcl.Diagnostics) {
	v, diags := constant(a, cty.Number, what)
	if diags.HasErrors() {
		return 0, diags
	}
	var f float64
	_ = gocty.FromCtyValue(v, &f)
	return f, nil
}

func constStrings(a *hcl.Attribute, what string) ([]string, hcl.Diagnostics) {
	v, diags := constant(a, cty.List(cty.String), what)
	if diags.HasErrors() {
		return nil, diags
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() {
			return nil, hcl.Diagnostics{errorAt(a.Expr.Range(), "Value must not be null", "%s holds a null element.", what)}
		}
		out = append(out, e.AsString())
	}
	return out, nil
}

// traversalString renders a traversal as the user wrote it: job.a.outputs.
func traversalString(t hcl.Traversal) string {
	s := ""
	for _, step := range t {
		switch st := step.(type) {
		case hcl.TraverseRoot:
			s += st.Name
		case hcl.TraverseAttr:
			s += "." + st.Name
		case hcl.TraverseIndex:
			if st.Key.Type() == cty.String {
				s += "[\"" + st.Key.AsString() + "\"]"
			} else if st.Key.Type() == cty.Number {
				s += "[" + st.Key.AsBigFloat().Text('f', -1) + "]"
			} else {
				s += "[...]"
			}
		default:
			s += "[*]"
		}
	}
	return s
}
