package hclconfig

import (
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// decodeFlow decodes a flow block and loads the file it names as a child
// module of m.
func (l *loader) decodeFlow(m *module, b *hcl.Block, chain []string) hcl.Diagnostics {
	local := b.Labels[0]
	diags := checkName("flow", local, b.LabelRanges[0])
	if prev, dup := m.flows[local]; dup {
		return append(diags, duplicate("flow", local, b.LabelRanges[0], prev.flow.DeclRange))
	}
	content, ds := b.Body.Content(flowSchema)
	diags = append(diags, ds...)
	if ds.HasErrors() {
		return diags
	}
	srcAttr := content.Attributes["source"]
	source, ds := constString(srcAttr, "A flow's source")
	diags = append(diags, ds...)
	if ds.HasErrors() {
		return diags
	}
	// A flow's source is relative to the file that uses it, so a directory
	// of workflows can be moved as a whole.
	path := source
	if !filepath.IsAbs(path) {
		path = filepath.Join(m.dir, path)
	}
	fl := &Flow{Name: m.prefix + local, Parent: m.name, Source: path, DeclRange: b.DefRange}
	fl.sourceRange = srcAttr.Expr.Range()
	args := map[string]hcl.Expression{}
	argRanges := map[string]hcl.Range{}
	if a := content.Attributes["params"]; a != nil {
		pairs, ds := hcl.ExprMap(a.Expr)
		diags = append(diags, ds...)
		for _, kv := range pairs {
			key, ds := kv.Key.Value(nil)
			if ds.HasErrors() || key.Type() != cty.String || key.IsNull() {
				diags = append(diags, errorAt(kv.Key.Range(), "Invalid flow param name", "Flow param names must be plain names."))
				continue
			}
			args[key.AsString()] = kv.Value
			argRanges[key.AsString()] = kv.Key.Range()
		}
	}
	// A missing file is reported at the source attribute, not the block.
	fl.DeclRange = b.DefRange
	child, ds := l.loadModule(path, fl.Name, m, fl, chain)
	if child == nil {
		for _, d := range ds {
			if d.Summary == "Cannot read workflow file" {
				r := srcAttr.Expr.Range()
				d.Subject = &r
			}
		}
		return append(diags, ds...)
	}
	diags = append(diags, ds...)
	child.flowArgs, child.flowArgRange = args, argRanges
	m.flows[local] = child
	m.flowList = append(m.flowList, child)
	m.order = append(m.order, child)
	return diags
}

func decodeOutput(b *hcl.Block) (*Output, hcl.Diagnostics) {
	diags := checkName("output", b.Labels[0], b.LabelRanges[0])
	content, ds := b.Body.Content(outputSchema)
	diags = append(diags, ds...)
	if ds.HasErrors() {
		return nil, diags
	}
	return &Output{Name: b.Labels[0], Value: content.Attributes["value"].Expr, DeclRange: b.DefRange}, diags
}
