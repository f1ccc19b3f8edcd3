package funcs

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

func strs(ss ...string) cty.Value {
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals)
}

func TestFragments(t *testing.T) {
	tests := []struct {
		name string
		call func() (cty.Value, error)
		want string
	}{
		{"raw keeps text", func() (cty.Value, error) { return RawFunc.Call([]cty.Value{cty.StringVal("a && b")}) }, "a && b"},
		{"args quotes words", func() (cty.Value, error) { return ArgsFunc.Call([]cty.Value{strs("a b", "c", "")}) }, "'a b' c ''"},
		{"args takes numbers", func() (cty.Value, error) {
			return ArgsFunc.Call([]cty.Value{cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.StringVal("x")})})
		}, "1 x"},
		{"args of a set", func() (cty.Value, error) {
			return ArgsFunc.Call([]cty.Value{cty.SetVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")})})
		}, "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.call()
			if err != nil {
				t.Fatal(err)
			}
			got, ok := FragmentText(v)
			if !ok {
				t.Fatalf("not a fragment: %#v", v)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// An unknown element keeps the fragment unknown rather than guessing.
	v, err := ArgsFunc.Call([]cty.Value{cty.ListVal([]cty.Value{cty.UnknownVal(cty.String)})})
	if err != nil || v.IsKnown() {
		t.Errorf("args([unknown]) = %#v, %v; want unknown", v, err)
	}
}

func TestRange(t *testing.T) {
	tests := []struct {
		args []int64
		want []int64
		err  bool
	}{
		{args: []int64{3}, want: []int64{0, 1, 2}},
		{args: []int64{2, 5}, want: []int64{2, 3, 4}},
		{args: []int64{5, 2}, want: []int64{5, 4, 3}},
		{args: []int64{0, 10, 4}, want: []int64{0, 4, 8}},
		{args: []int64{0}, want: nil},
		{args: []int64{0, 1, 0}, err: true},
		{args: []int64{0, 5, -1}, err: true},
		{args: []int64{MaxRange + 1}, err: true},
	}
	for _, tt := range tests {
		var args []cty.Value
		for _, a := range tt.args {
			args = append(args, cty.NumberIntVal(a))
		}
		v, err := RangeFunc.Call(args)
		if tt.err {
			if err == nil {
				t.Errorf("range%v: want an error", tt.args)
			}
			continue
		}
		if err != nil {
			t.Fatalf("range%v: %v", tt.args, err)
		}
		var got []int64
		for _, e := range v.AsValueSlice() {
			i, _ := e.AsBigFloat().Int64()
			got = append(got, i)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("range%v (-want +got):\n%s", tt.args, diff)
		}
	}
}

func TestTableNames(t *testing.T) {
	table := Table(".", nil)
	for _, name := range []string{"file", "basename", "dirname", "args", "raw", "flatten", "range", "format", "join", "length", "jsonencode", "jsondecode"} {
		if _, ok := table[name]; !ok {
			t.Errorf("function %s missing", name)
		}
	}
	if got := len(Names()); got != len(table) {
		t.Errorf("Names() has %d entries, table %d", got, len(table))
	}
}
