package hclconfig

import (
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// item is one element of a for_each.
type item struct {
	key   string
	value cty.Value
}

// forEachItems lists the elements of a for_each value. known is false when
// the number of elements is not known yet. Lists, tuples and sets are keyed
// by their 0-based index; maps and objects by their keys, in sorted order.
func forEachItems(v cty.Value, rng hcl.Range) (items []item, known bool, diags hcl.Diagnostics) {
	ty := v.Type()
	if ty == cty.DynamicPseudoType || !v.IsKnown() {
		if ty != cty.DynamicPseudoType && !iterable(ty) {
			return nil, false, forEachTypeError(ty, rng)
		}
		return nil, false, nil
	}
	if v.IsNull() {
		return nil, false, hcl.Diagnostics{errorAt(rng, "for_each is null", "for_each needs a list, set or map.")}
	}
	if !iterable(ty) {
		return nil, false, forEachTypeError(ty, rng)
	}
	if ty.IsSetType() && !v.IsWhollyKnown() {
		// A set with unknown members may yet merge some of them.
		return nil, false, nil
	}
	keyed := ty.IsMapType() || ty.IsObjectType()
	items = make([]item, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		key := strconv.Itoa(len(items))
		if keyed {
			key = k.AsString()
		}
		items = append(items, item{key: key, value: e})
	}
	return items, true, nil
}

func iterable(ty cty.Type) bool {
	return ty.IsListType() || ty.IsSetType() || ty.IsTupleType() || ty.IsMapType() || ty.IsObjectType()
}

func forEachTypeError(ty cty.Type, rng hcl.Range) hcl.Diagnostics {
	return hcl.Diagnostics{errorAt(rng, "for_each needs a collection",
		"for_each needs a list, set or map, not %s.", ty.FriendlyName())}
}

// stringList evaluates a list of strings (outputs, inputs).
func stringList(expr hcl.Expression, ctx *hcl.EvalContext, what string) ([]string, bool, hcl.Diagnostics) {
	if expr == nil {
		return nil, true, nil
	}
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return nil, false, diags
	}
	lv, err := convert.Convert(v, cty.List(cty.String))
	if err != nil {
		return nil, false, hcl.Diagnostics{errorAt(expr.Range(), "Wrong type", "%s must be a list of strings: %s.", what, err)}
	}
	if !lv.IsWhollyKnown() {
		return nil, false, nil
	}
	if lv.IsNull() {
		return nil, true, nil
	}
	out := make([]string, 0, lv.LengthInt())
	for it := lv.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() {
			return nil, false, hcl.Diagnostics{errorAt(expr.Range(), "Null in list", "%s holds a null element.", what)}
		}
		out = append(out, e.AsString())
	}
	return out, true, nil
}

// checkGlobs reports output globs that would escape the job's work dir.
func checkGlobs(globs []string, rng hcl.Range) hcl.Diagnostics {
	for _, g := range globs {
		clean := path.Clean(g)
		if g == "" || path.IsAbs(g) || clean == ".." || strings.HasPrefix(clean, "../") {
			return hcl.Diagnostics{errorAt(rng, "Output outside the work dir",
				"Outputs are globs relative to the job's work dir; %q is not.", g)}
		}
		if _, err := filepath.Match(g, ""); err != nil {
			return hcl.Diagnostics{errorAt(rng, "Invalid glob", "%q: %s.", g, err)}
		}
	}
	return nil
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// evalEnv evaluates env = {...} to strings; values are passed to the
// process directly, never through a shell, so they are not quoted.
func evalEnv(expr hcl.Expression, ctx *hcl.EvalContext) (map[string]string, bool, hcl.Diagnostics) {
	if expr == nil {
		return nil, true, nil
	}
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return nil, false, diags
	}
	if !v.IsKnown() {
		return nil, false, nil
	}
	if v.IsNull() {
		return nil, true, nil
	}
	ty := v.Type()
	if !ty.IsMapType() && !ty.IsObjectType() {
		return nil, false, hcl.Diagnostics{errorAt(expr.Range(), "Wrong type", "env must be a map of strings, not %s.", ty.FriendlyName())}
	}
	out := make(map[string]string, v.LengthInt())
	known := true
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		name := k.AsString()
		if !envName.MatchString(name) {
			diags = append(diags, errorAt(itemRange(expr, name), "Invalid environment variable name", "%q is not a valid name.", name))
			continue
		}
		if strings.HasPrefix(name, "REFLOW_") {
			diags = append(diags, errorAt(itemRange(expr, name), "Reserved environment variable",
				"%s: names starting with REFLOW_ are set by reflow itself.", name))
			continue
		}
		if !e.Type().IsPrimitiveType() && e.Type() != cty.DynamicPseudoType {
			diags = append(diags, errorAt(itemRange(expr, name), "Wrong type", "env %s must be a string, not %s.", name, e.Type().FriendlyName()))
			continue
		}
		if !e.IsKnown() {
			known = false
			continue
		}
		if e.IsNull() {
			diags = append(diags, errorAt(itemRange(expr, name), "Null value", "env %s is null.", name))
			continue
		}
		s, err := primitiveString(e)
		if err != nil {
			diags = append(diags, errorAt(itemRange(expr, name), "Wrong type", "env %s: %s.", name, err))
			continue
		}
		out[name] = s
	}
	return out, known, diags
}

// evalResources evaluates a resources {} block to JSON-compatible values.
func evalResources(r *resourceExprs, ctx *hcl.EvalContext) (*Resources, bool, hcl.Diagnostics) {
	if r == nil {
		return nil, true, nil
	}
	out := &Resources{Values: make(map[string]any, len(r.names))}
	known := true
	var diags hcl.Diagnostics
	for _, name := range r.names {
		a := r.attrs[name]
		v, ds := a.Expr.Value(ctx)
		diags = append(diags, ds...)
		if ds.HasErrors() {
			continue
		}
		if !v.IsWhollyKnown() {
			known = false
			continue
		}
		if v.IsNull() {
			continue // null means "not set", so a default can show through
		}
		if name == keyOptions {
			if !v.Type().IsMapType() && !v.Type().IsObjectType() {
				diags = append(diags, errorAt(a.Expr.Range(), "Wrong type", "options must be a map of native flags to values."))
				continue
			}
			out.Options = map[string]any{}
			for it := v.ElementIterator(); it.Next(); {
				k, e := it.Element()
				g, err := toJSONValue(e)
				if err != nil {
					diags = append(diags, errorAt(a.Expr.Range(), "Wrong type", "options %s: %s.", k.AsString(), err))
					continue
				}
				out.Options[k.AsString()] = g
			}
			continue
		}
		if !v.Type().IsPrimitiveType() {
			diags = append(diags, errorAt(a.Expr.Range(), "Wrong type",
				"Resource %s must be a string, number or bool, not %s.", name, v.Type().FriendlyName()))
			continue
		}
		g, _ := toJSONValue(v)
		out.Values[name] = g
	}
	if ap, ok := out.Values[keyArrayParallelism]; ok {
		if f, isNum := ap.(float64); !isNum || f < 1 || f != float64(int64(f)) {
			diags = append(diags, errorAt(r.attrs[keyArrayParallelism].Expr.Range(), "Invalid array_parallelism",
				"array_parallelism is how many elements may run at once: a whole number of at least 1."))
		}
	}
	return out, known, diags
}

// toJSONValue converts a known cty value to the Go values encoding/json
// produces: string, float64, bool, []any, map[string]any, nil. Plugins and
// the store take these.
func toJSONValue(v cty.Value) (any, error) {
	if v.IsNull() {
		return nil, nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString(), nil
	case ty == cty.Number:
		f, _ := v.AsBigFloat().Float64()
		return f, nil
	case ty == cty.Bool:
		return v.True(), nil
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			g, err := toJSONValue(e)
			if err != nil {
				return nil, err
			}
			out = append(out, g)
		}
		return out, nil
	case ty.IsMapType() || ty.IsObjectType():
		out := make(map[string]any, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			g, err := toJSONValue(e)
			if err != nil {
				return nil, err
			}
			out[k.AsString()] = g
		}
		return out, nil
	}
	return nil, errorString("cannot be represented as JSON: " + ty.FriendlyName())
}

type errorString string

func (e errorString) Error() string { return string(e) }

// itemRange finds the key of an object constructor item named name, so a
// problem with one env entry points at that entry, not the whole map.
func itemRange(expr hcl.Expression, name string) hcl.Range {
	if obj, ok := expr.(*hclsyntax.ObjectConsExpr); ok {
		for _, it := range obj.Items {
			if k, diags := it.KeyExpr.Value(nil); !diags.HasErrors() && k.Type() == cty.String && k.IsKnown() && !k.IsNull() && k.AsString() == name {
				return it.KeyExpr.Range()
			}
		}
	}
	return expr.Range()
}
