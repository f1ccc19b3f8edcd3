package funcs

import (
	"fmt"
	"reflect"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/reflow-hpc/reflow/hclconfig/shell"
)

// Fragment is the type of text that goes into a command as it is, without
// further quoting: the result of args() (already quoted words) and raw().
var Fragment = cty.Capsule("shell fragment", reflect.TypeOf(""))

// FragmentVal wraps s as a shell fragment.
func FragmentVal(s string) cty.Value { return cty.CapsuleVal(Fragment, &s) }

// FragmentText returns the text of a known, non-null fragment value.
func FragmentText(v cty.Value) (string, bool) {
	if !v.Type().Equals(Fragment) || !v.IsKnown() || v.IsNull() {
		return "", false
	}
	return *v.EncapsulatedValue().(*string), true
}

// RawFunc inserts a string into a command unquoted: the explicit opt-out.
var RawFunc = function.New(&function.Spec{
	Description: "Inserts a string into a command without shell quoting.",
	Params:      []function.Parameter{{Name: "text", Type: cty.String}},
	Type:        function.StaticReturnType(Fragment),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return FragmentVal(args[0].AsString()), nil
	},
})

// ArgsFunc inserts a list as separately quoted words.
var ArgsFunc = function.New(&function.Spec{
	Description: "Inserts a list into a command as shell-quoted words.",
	Params: []function.Parameter{{
		Name: "list", Type: cty.DynamicPseudoType, AllowDynamicType: true,
	}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		if ty == cty.DynamicPseudoType || ty.IsListType() || ty.IsSetType() || ty.IsTupleType() {
			return Fragment, nil
		}
		return cty.NilType, function.NewArgErrorf(0, "args() takes a list, not %s", ty.FriendlyName())
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		list := args[0]
		if !list.IsWhollyKnown() {
			return cty.UnknownVal(Fragment), nil
		}
		words := make([]string, 0, list.LengthInt())
		for it := list.ElementIterator(); it.Next(); {
			idx, v := it.Element()
			if v.IsNull() {
				return cty.NilVal, function.NewArgErrorf(0, "element %s is null", idx.GoString())
			}
			if !v.Type().IsPrimitiveType() {
				return cty.NilVal, function.NewArgErrorf(0,
					"element %d is %s; args() takes a flat list of strings (use flatten() first)",
					len(words), v.Type().FriendlyName())
			}
			s, err := convert.Convert(v, cty.String)
			if err != nil {
				return cty.NilVal, function.NewArgError(0, fmt.Errorf("element %d: %w", len(words), err))
			}
			words = append(words, s.AsString())
		}
		return FragmentVal(shell.Words(words)), nil
	},
})
