package funcs

import (
	"math"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// MaxRange is the most elements range() makes. go-cty's own range stops at
// 1,024, far too few for array jobs; the cap that remains keeps a typo from
// exhausting memory.
const MaxRange = 1_000_000

// RangeFunc is range(end), range(start, end) or range(start, end, step), as in
// Terraform, up to MaxRange elements.
var RangeFunc = function.New(&function.Spec{
	Description: "A list of numbers from start (default 0) up to but not including end.",
	VarParam:    &function.Parameter{Name: "params", Type: cty.Number},
	Type:        function.StaticReturnType(cty.List(cty.Number)),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var start, end, step float64 = 0, 0, 1
		nums := make([]float64, len(args))
		for i, a := range args {
			f, _ := a.AsBigFloat().Float64()
			if math.IsInf(f, 0) || math.IsNaN(f) {
				return cty.NilVal, function.NewArgErrorf(i, "must be a finite number")
			}
			nums[i] = f
		}
		switch len(nums) {
		case 1:
			end = nums[0]
		case 2:
			start, end = nums[0], nums[1]
			if end < start {
				step = -1
			}
		case 3:
			start, end, step = nums[0], nums[1], nums[2]
		default:
			return cty.NilVal, function.NewArgErrorf(0, "range takes 1 to 3 numbers, not %d", len(nums))
		}
		if step == 0 {
			return cty.NilVal, function.NewArgErrorf(len(nums)-1, "step must not be zero")
		}
		if (step > 0 && end < start) || (step < 0 && end > start) {
			return cty.NilVal, function.NewArgErrorf(len(nums)-1, "step %g never reaches %g from %g", step, end, start)
		}
		n := math.Ceil((end - start) / step)
		if n > MaxRange {
			return cty.NilVal, function.NewArgErrorf(0, "range would make %.0f elements, more than the %d allowed", n, MaxRange)
		}
		if n <= 0 {
			return cty.ListValEmpty(cty.Number), nil
		}
		vals := make([]cty.Value, int(n))
		for i := range vals {
			vals[i] = cty.NumberFloatVal(start + float64(i)*step)
		}
		return cty.ListVal(vals), nil
	},
})

// LengthFunc is the length of a string (in characters) or of a collection,
// so users need not know that go-cty splits these into two functions.
var LengthFunc = function.New(&function.Spec{
	Description: "The number of characters of a string or elements of a collection.",
	Params: []function.Parameter{{
		Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true,
	}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		switch {
		case ty == cty.DynamicPseudoType, ty == cty.String, ty.IsCollectionType(), ty.IsTupleType(), ty.IsObjectType():
			return cty.Number, nil
		}
		return cty.NilType, function.NewArgErrorf(0, "length() takes a string or a collection, not %s", ty.FriendlyName())
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		if v.Type() == cty.String {
			if !v.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			return stdlib.Strlen(v)
		}
		if v.Type().IsObjectType() {
			return cty.NumberIntVal(int64(len(v.Type().AttributeTypes()))), nil
		}
		if v.Type() == cty.DynamicPseudoType || !v.IsKnown() {
			return cty.UnknownVal(cty.Number), nil
		}
		return v.Length(), nil
	},
})
