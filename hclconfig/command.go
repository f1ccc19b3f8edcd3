package hclconfig

import (
	"bytes"
	"math/big"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/reflow-hpc/reflow/hclconfig/funcs"
	"github.com/reflow-hpc/reflow/hclconfig/shell"
)

// rendered is a command as far as it is known.
type rendered struct {
	// text is the script; complete only when known.
	text strings.Builder
	// preview is the script with every unknown interpolation shown as the
	// source that produces it (${job.split.outputs}), for reflow plan.
	// While everything is known it is text itself, so it is only written
	// from the first unknown on (split).
	preview strings.Builder
	split   bool
	known   bool
}

func (r *rendered) literal(s string) {
	r.text.WriteString(s)
	if r.split {
		r.preview.WriteString(s)
	}
}

func (r *rendered) unknown(src []byte, rng hcl.Range) {
	if !r.split {
		r.preview.WriteString(r.text.String())
		r.split = true
	}
	r.known = false
	r.preview.WriteString("${")
	r.preview.Write(sourceOf(src, rng))
	r.preview.WriteString("}")
}

// result returns the text and the preview.
func (r *rendered) result() (text, preview string) {
	text = r.text.String()
	if !r.split {
		return text, text
	}
	return text, r.preview.String()
}

func sourceOf(src []byte, rng hcl.Range) []byte {
	if rng.Start.Byte < 0 || rng.End.Byte > len(src) || rng.Start.Byte > rng.End.Byte {
		return []byte("...")
	}
	return bytes.TrimSpace(src[rng.Start.Byte:rng.End.Byte])
}

// renderCommand renders a job's command in sc. Literal text of the
// template is kept as written; every interpolation is evaluated and
// shell-quoted as one word, except shell fragments (args(), raw()), which
// are inserted as they are. Template directives (%{if}, %{for}) are walked
// so the interpolations inside them are quoted too.
func renderCommand(j *Job, sc *evalScope) (text, preview string, known bool, diags hcl.Diagnostics) {
	r := &rendered{known: true}
	src := j.mod.src
	if j.command == nil {
		return "", "", false, nil // hcl reported the missing attribute
	}
	r.text.Grow(sizeHint(j.command))
	switch e := j.command.(type) {
	case *hclsyntax.TemplateExpr, *hclsyntax.TemplateWrapExpr:
		diags = renderTemplate(r, src, e.(hclsyntax.Expression), sc)
	default:
		diags = renderWhole(r, src, j.command, sc.ctx())
	}
	text, preview = r.result()
	return text, preview, r.known, diags
}

// sizeHint guesses the length of a rendered command, so its text is
// allocated once, at about its size: a 100,000-element array renders
// 100,000 of them. A template counts its literal text and 8 bytes per
// interpolation; anything else its own source length.
func sizeHint(expr hcl.Expression) int {
	t, ok := expr.(*hclsyntax.TemplateExpr)
	if !ok {
		rng := expr.Range()
		return rng.End.Byte - rng.Start.Byte
	}
	n := 0
	for _, p := range t.Parts {
		if lit, ok := p.(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String && !lit.Val.IsNull() {
			n += len(lit.Val.AsString())
		} else {
			n += 8
		}
	}
	return n
}

// renderWhole handles a command that is not a string template, such as
// file("run.sh") or raw(param.script).
func renderWhole(r *rendered, src []byte, expr hcl.Expression, ctx *hcl.EvalContext) hcl.Diagnostics {
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return diags
	}
	if v.Type().Equals(funcs.Fragment) {
		return interpolate(r, src, expr.Range(), v)
	}
	if len(expr.Variables()) > 0 {
		// A computed script (format(), join(), ...) would carry values into
		// bash unquoted. Only a template shows where values go.
		return hcl.Diagnostics{errorAt(expr.Range(), "Command must be a string template",
			"A command that uses values must be a string (\"...\" or <<-EOT) with ${...} interpolations, so each value can be quoted; to insert text unquoted on purpose, use raw(...).")}
	}
	if !v.IsKnown() {
		r.unknown(src, expr.Range())
		return nil
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil || s.IsNull() {
		return hcl.Diagnostics{errorAt(expr.Range(), "Command must be a string", "The command is %s.", v.Type().FriendlyName())}
	}
	r.literal(s.AsString())
	return nil
}

func renderTemplate(r *rendered, src []byte, expr hclsyntax.Expression, sc *evalScope) hcl.Diagnostics {
	switch e := expr.(type) {
	case *hclsyntax.TemplateExpr:
		var diags hcl.Diagnostics
		for _, part := range e.Parts {
			diags = append(diags, renderPart(r, src, part, sc)...)
		}
		return diags
	case *hclsyntax.TemplateWrapExpr:
		return renderPart(r, src, e.Wrapped, sc)
	}
	return renderPart(r, src, expr, sc)
}

func renderPart(r *rendered, src []byte, part hclsyntax.Expression, sc *evalScope) hcl.Diagnostics {
	switch p := part.(type) {
	case *hclsyntax.LiteralValueExpr:
		// Literal text between interpolations, as the user wrote it.
		if p.Val.Type() == cty.String && !p.Val.IsNull() {
			r.literal(p.Val.AsString())
			return nil
		}
	case *hclsyntax.ConditionalExpr:
		if isDirective(src, p.SrcRange) {
			return renderIf(r, src, p, sc)
		}
	case *hclsyntax.TemplateJoinExpr:
		if fe, ok := p.Tuple.(*hclsyntax.ForExpr); ok {
			return renderFor(r, src, fe, sc)
		}
	}
	if v, ok := sc.each(part); ok {
		return interpolate(r, src, part.Range(), v)
	}
	v, diags := part.Value(sc.ctx())
	if diags.HasErrors() {
		return diags
	}
	return interpolate(r, src, part.Range(), v)
}

// isDirective tells a %{if} directive from a ${c ? a : b} interpolation:
// both parse to a ConditionalExpr, but only the directive's branches are
// literal template text.
func isDirective(src []byte, rng hcl.Range) bool {
	return rng.Start.Byte+2 <= len(src) && string(src[rng.Start.Byte:rng.Start.Byte+2]) == "%{"
}

func renderIf(r *rendered, src []byte, e *hclsyntax.ConditionalExpr, sc *evalScope) hcl.Diagnostics {
	c, diags := e.Condition.Value(sc.ctx())
	if diags.HasErrors() {
		return diags
	}
	c, err := convert.Convert(c, cty.Bool)
	if err != nil || c.IsNull() {
		return hcl.Diagnostics{errorAt(e.Condition.Range(), "Condition must be a bool", "The %%{if} condition is %s.", c.Type().FriendlyName())}
	}
	if !c.IsKnown() {
		r.unknown(src, e.SrcRange)
		return nil
	}
	if c.True() {
		return renderTemplate(r, src, e.TrueResult, sc)
	}
	return renderTemplate(r, src, e.FalseResult, sc)
}

func renderFor(r *rendered, src []byte, e *hclsyntax.ForExpr, sc *evalScope) hcl.Diagnostics {
	ctx := sc.ctx()
	coll, diags := e.CollExpr.Value(ctx)
	if diags.HasErrors() {
		return diags
	}
	if !coll.IsKnown() {
		r.unknown(src, e.SrcRange)
		return nil
	}
	if coll.IsNull() || !coll.CanIterateElements() {
		return hcl.Diagnostics{errorAt(e.CollExpr.Range(), "Cannot iterate", "%%{for} needs a list, set or map, not %s.", coll.Type().FriendlyName())}
	}
	for it := coll.ElementIterator(); it.Next(); {
		k, v := it.Element()
		child := ctx.NewChild()
		child.Variables = map[string]cty.Value{e.ValVar: v}
		if e.KeyVar != "" {
			child.Variables[e.KeyVar] = k
		}
		if e.CondExpr != nil {
			keep, ds := e.CondExpr.Value(child)
			diags = append(diags, ds...)
			if ds.HasErrors() {
				return diags
			}
			if !keep.IsKnown() {
				r.unknown(src, e.SrcRange)
				return diags
			}
			if keep.Type() != cty.Bool || keep.IsNull() || !keep.True() {
				continue
			}
		}
		// The body's own variables may shadow each, so it has no element.
		diags = append(diags, renderTemplate(r, src, e.ValExpr, plainScope(child))...)
	}
	return diags
}

// interpolate inserts one value: quoted as a single word, or as it is for
// a shell fragment.
func interpolate(r *rendered, src []byte, rng hcl.Range, v cty.Value) hcl.Diagnostics {
	ty := v.Type()
	switch {
	case ty.Equals(funcs.Fragment):
		if s, ok := funcs.FragmentText(v); ok {
			r.literal(s)
		} else if !v.IsKnown() {
			r.unknown(src, rng)
		} else {
			return hcl.Diagnostics{errorAt(rng, "Null value in command", "This interpolation is null.")}
		}
		return nil
	case ty.IsListType(), ty.IsSetType(), ty.IsTupleType():
		return hcl.Diagnostics{errorAt(rng, "Cannot insert a list into a command",
			"A list has no single shell word; use args(...) to insert it as quoted words, or join(...) to build one string.")}
	case ty.IsMapType(), ty.IsObjectType():
		return hcl.Diagnostics{errorAt(rng, "Cannot insert a map or object into a command",
			"Pick one attribute, or use jsonencode(...) to insert it as one JSON word.")}
	}
	if !v.IsKnown() {
		r.unknown(src, rng)
		return nil
	}
	if v.IsNull() {
		return hcl.Diagnostics{errorAt(rng, "Null value in command",
			"This interpolation is null (for example a job result that wrote nothing); use coalesce(..., \"default\") to give a fallback.")}
	}
	s, err := primitiveString(v)
	if err != nil {
		return hcl.Diagnostics{errorAt(rng, "Cannot insert value into a command", "%s.", err)}
	}
	r.literal(shell.Quote(s))
	return nil
}

// primitiveString converts a known primitive to text as go-cty does, with
// a fast path for whole numbers: go-cty's general big.Float formatting
// dominated the time of expanding a 100,000-element array.
func primitiveString(v cty.Value) (string, error) {
	if v.Type() == cty.Number {
		if bf := v.AsBigFloat(); bf.IsInt() {
			if i, acc := bf.Int64(); acc == big.Exact {
				return strconv.FormatInt(i, 10), nil
			}
		}
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		return "", err
	}
	return s.AsString(), nil
}
