package graphfmt

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/hclconfig"
)

// DOT writes the graph in Graphviz's language: flows become clusters,
// arrays are drawn as stacked boxes, order-only edges are dashed.
func DOT(out io.Writer, w *hclconfig.Workflow, sizes Sizer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotID(w.Name))
	b.WriteString("  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n")
	var walk func(g *group, depth int)
	walk = func(g *group, depth int) {
		pad := strings.Repeat("  ", depth)
		for _, j := range g.jobs {
			attrs := "label=" + dotID(nodeLabel(j, sizes))
			if j.Kind.IsArray() {
				attrs += ", shape=box3d"
			}
			fmt.Fprintf(&b, "%s%s [%s];\n", pad, dotID(j.Name), attrs)
		}
		for _, sub := range g.groups {
			fmt.Fprintf(&b, "%ssubgraph %s {\n", pad, dotID("cluster_"+sub.flow.Name))
			fmt.Fprintf(&b, "%s  label=%s;\n%s  style=rounded;\n", pad, dotID("flow "+sub.flow.Name), pad)
			walk(sub, depth+1)
			fmt.Fprintf(&b, "%s}\n", pad)
		}
	}
	walk(tree(w), 1)
	for _, e := range w.Edges {
		attrs := "label=" + dotID(e.Kind.String())
		if e.Kind == hclconfig.EdgeAfter {
			attrs += ", style=dashed"
		}
		fmt.Fprintf(&b, "  %s -> %s [%s];\n", dotID(e.From), dotID(e.To), attrs)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(out, b.String())
	return err
}

// dotID quotes s as a DOT string; Go's quoting escapes exactly what DOT
// needs for the names reflow allows (letters, digits, _ - . and spaces).
func dotID(s string) string { return strconv.Quote(s) }
