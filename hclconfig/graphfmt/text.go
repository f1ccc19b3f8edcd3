package graphfmt

import (
	"fmt"
	"io"
	"strings"

	"github.com/reflow-hpc/reflow/hclconfig"
)

// Text writes the graph as an indented list: each job with its kind and
// size, then the jobs it needs and how; flows as indented groups.
func Text(out io.Writer, w *hclconfig.Workflow, sizes Sizer) error {
	needs := map[string][]*hclconfig.Edge{}
	for _, e := range w.Edges {
		needs[e.To] = append(needs[e.To], e)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "workflow %s\n", w.Name)
	var walk func(g *group, depth int)
	walk = func(g *group, depth int) {
		pad := strings.Repeat("  ", depth)
		for _, j := range g.jobs {
			fmt.Fprintf(&b, "%sjob %s", pad, j.Name)
			if s := sizeLabel(j, sizes); s != "" {
				fmt.Fprintf(&b, " %s", s)
			}
			fmt.Fprintf(&b, " (%s)\n", j.Kind)
			for _, e := range needs[j.Name] {
				fmt.Fprintf(&b, "%s  <- %s: %s\n", pad, e.From, e.Kind)
			}
		}
		for _, sub := range g.groups {
			fmt.Fprintf(&b, "%sflow %s (%s)\n", pad, sub.flow.Name, sub.flow.Source)
			walk(sub, depth+1)
		}
	}
	walk(tree(w), 1)
	_, err := io.WriteString(out, b.String())
	return err
}
