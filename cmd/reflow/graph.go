package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/hclconfig"
	"github.com/reflow-hpc/reflow/hclconfig/graphfmt"
)

func newGraphCmd() *cobra.Command {
	var (
		format   string
		vars     []string
		varFiles []string
	)
	cmd := &cobra.Command{
		Use:   "graph FILE",
		Short: "Draw a workflow's job graph as text, Graphviz dot or Mermaid",
		Long: `Draw the jobs of a workflow and how they depend on each other. Flows are
drawn as groups; arrays show their size when params fix it, else "dynamic";
every edge is labelled with its kind: data, fan-out, element-wise, gather,
broadcast or after.

Params are optional here; give them (--var, --var-file) to see the sizes of
arrays over params. Render dot with: reflow graph FILE --format dot | dot -Tsvg > g.svg`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			draw, ok := map[string]func(*hclconfig.Workflow, graphfmt.Sizer) error{
				"text":    func(w *hclconfig.Workflow, s graphfmt.Sizer) error { return graphfmt.Text(cmd.OutOrStdout(), w, s) },
				"dot":     func(w *hclconfig.Workflow, s graphfmt.Sizer) error { return graphfmt.DOT(cmd.OutOrStdout(), w, s) },
				"mermaid": func(w *hclconfig.Workflow, s graphfmt.Sizer) error { return graphfmt.Mermaid(cmd.OutOrStdout(), w, s) },
			}[format]
			if !ok {
				return invalidInput(fmt.Errorf("unknown --format %q: use text, dot or mermaid", format))
			}
			w, diags := loadWorkflow(args[0], "")
			if diags.HasErrors() {
				return &silentExit{code: exitInvalid}
			}
			// Missing params only hide sizes here, so binding problems are
			// not fatal; a value that is given but wrong still is.
			b, diags := w.Bind(hclconfig.ParamInput{Vars: vars, VarFiles: varFiles})
			for _, d := range diags {
				if d.Summary != "Missing required param" {
					_ = hclconfig.WriteDiagnostics(cmd.ErrOrStderr(), b.Files(), diags)
					return &silentExit{code: exitInvalid}
				}
			}
			return draw(w, b.Snapshot(nil))
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, dot or mermaid")
	cmd.Flags().StringArrayVar(&vars, "var", nil, "set a param: NAME=VALUE (repeatable)")
	cmd.Flags().StringArrayVar(&varFiles, "var-file", nil, "read params from an HCL or JSON file (repeatable)")
	return cmd
}
