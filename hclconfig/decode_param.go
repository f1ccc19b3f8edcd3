package hclconfig

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

func decodeParam(b *hcl.Block) (*Param, hcl.Diagnostics) {
	p := &Param{Name: b.Labels[0], Type: cty.String, TypeName: "string", DeclRange: b.DefRange}
	diags := checkName("param", p.Name, b.LabelRanges[0])
	content, ds := b.Body.Content(paramSchema)
	diags = append(diags, ds...)
	if a := content.Attributes["type"]; a != nil {
		ds := p.decodeType(a.Expr)
		diags = append(diags, ds...)
	}
	for _, key := range []string{"help", "description"} {
		if a := content.Attributes[key]; a != nil {
			s, ds := constString(a, key)
			diags = append(diags, ds...)
			if p.Help == "" {
				p.Help = s
			}
		}
	}
	if a := content.Attributes["default"]; a != nil {
		v, ds := constant(a, cty.DynamicPseudoType, "A param's default")
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			cv, err := convert.Convert(v, p.Type)
			if err != nil {
				diags = append(diags, errorAt(a.Expr.Range(), "Default does not match the param's type",
					"The default of param %q must be %s: %s.", p.Name, p.TypeName, err))
			} else {
				p.Default = cv
			}
		}
	}
	for _, vb := range content.Blocks {
		vc, ds := vb.Body.Content(validationSchema)
		diags = append(diags, ds...)
		if ds.HasErrors() {
			continue
		}
		p.Validations = append(p.Validations, &Validation{
			Condition:    vc.Attributes["condition"].Expr,
			ErrorMessage: vc.Attributes["error_message"].Expr,
			DeclRange:    vb.DefRange,
		})
	}
	return p, diags
}

// decodeType reads a type expression: hcl's type constraint syntax plus the
// keyword path (a string made absolute whose file content enters the cache
// identity).
func (p *Param) decodeType(expr hcl.Expression) hcl.Diagnostics {
	if kw := hcl.ExprAsKeyword(expr); kw == "path" {
		p.Type, p.IsPath, p.TypeName = cty.String, true, "path"
		return nil
	}
	ty, diags := typeexpr.TypeConstraint(expr)
	if diags.HasErrors() {
		for _, d := range diags {
			d.Detail += " Param types are string, number, bool, path, list(...), set(...), map(...) and object({...})."
		}
		return diags
	}
	p.Type, p.TypeName = ty, typeexpr.TypeString(ty)
	return nil
}
