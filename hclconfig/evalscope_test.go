package hclconfig

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// TestEachShortcutMatchesContext checks that evalScope.each answers
// each.value, each.key and each.index exactly as evaluating them in the
// element's context does, and declines everything else, for elements of
// several kinds taken in turn through one scope.
func TestEachShortcutMatchesContext(t *testing.T) {
	elements := []struct {
		key   string
		value cty.Value
	}{
		{"0", cty.NumberIntVal(7)},
		{"b", cty.StringVal("two words; $(x)")},
		{"2", cty.NumberFloatVal(1.5)},
		{"k", cty.True},
		{"4", cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("n")})},
		{"5", cty.UnknownVal(cty.String)},
		{"6", cty.NullVal(cty.String)},
	}
	exprs := map[string]bool{ // source: answered by the shortcut
		"each.value":      true,
		"each.key":        true,
		"each.index":      true,
		"each.value.name": false,
		`each["value"]`:   false,
		"each":            false,
		"other.value":     false,
		"each.index + 1":  false,
	}
	base := &hcl.EvalContext{Variables: map[string]cty.Value{
		"other": cty.ObjectVal(map[string]cty.Value{"value": cty.StringVal("not each")}),
	}}
	sc := plainScope(base)
	for src := range exprs {
		if _, ok := sc.each(parseExpr(t, src)); ok {
			t.Errorf("%s outside an array: answered by the shortcut", src)
		}
	}
	for i, el := range elements {
		sc.setElement(i, el.key, el.value)
		for src, shortcut := range exprs {
			expr := parseExpr(t, src)
			got, ok := sc.each(expr)
			if ok != shortcut {
				t.Errorf("element %d, %s: shortcut %v, want %v", i, src, ok, shortcut)
			}
			if !ok {
				continue
			}
			want, diags := expr.Value(sc.ctx())
			if diags.HasErrors() {
				t.Fatalf("element %d, %s: %s", i, src, diags.Error())
			}
			if !got.RawEquals(want) {
				t.Errorf("element %d, %s: shortcut %#v, context %#v", i, src, got, want)
			}
		}
	}
}

func parseExpr(t *testing.T, src string) hclsyntax.Expression {
	t.Helper()
	e, diags := hclsyntax.ParseExpression([]byte(src), "t.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("%s: %s", src, diags.Error())
	}
	return e
}
