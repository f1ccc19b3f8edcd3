package graphfmt

import (
	"fmt"
	"io"
	"strings"

	"github.com/reflow-hpc/reflow/hclconfig"
)

// Mermaid writes a Mermaid flowchart: flows become subgraphs, arrays use
// the double-bordered shape, order-only edges are dotted. Node ids are
// generated (n0, n1, ...) because Mermaid ids cannot hold the dots of flow
// job names; the labels carry the names.
func Mermaid(out io.Writer, w *hclconfig.Workflow, sizes Sizer) error {
	ids := map[string]string{}
	for i, j := range w.Jobs {
		ids[j.Name] = fmt.Sprintf("n%d", i)
	}
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	flowN := 0
	var walk func(g *group, depth int)
	walk = func(g *group, depth int) {
		pad := strings.Repeat("  ", depth)
		for _, j := range g.jobs {
			label := mermaidText(nodeLabel(j, sizes))
			if j.Kind.IsArray() {
				fmt.Fprintf(&b, "%s%s[[\"%s\"]]\n", pad, ids[j.Name], label)
			} else {
				fmt.Fprintf(&b, "%s%s[\"%s\"]\n", pad, ids[j.Name], label)
			}
		}
		for _, sub := range g.groups {
			fmt.Fprintf(&b, "%ssubgraph f%d[\"flow %s\"]\n", pad, flowN, mermaidText(sub.flow.Name))
			flowN++
			walk(sub, depth+1)
			fmt.Fprintf(&b, "%send\n", pad)
		}
	}
	walk(tree(w), 1)
	for _, e := range w.Edges {
		arrow := "-->"
		if e.Kind == hclconfig.EdgeAfter {
			arrow = "-.->"
		}
		fmt.Fprintf(&b, "  %s %s|%s| %s\n", ids[e.From], arrow, e.Kind, ids[e.To])
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// mermaidText escapes a label for a quoted Mermaid node text.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;").Replace(s)
}
